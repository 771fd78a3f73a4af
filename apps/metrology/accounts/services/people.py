"""People (R-4.2.2.5): add, edit, disable, enable, delete-or-deactivate, roles, passwords."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.accounts.models import Person, Role
from metrology.accounts.services.guards import (
    ensure_may_act_on,
    ensure_may_change_roles,
    ensure_may_grant,
    ensure_not_self,
    keeping_a_role_manager,
)
from metrology.accounts.services.qualifications import qualification_add
from metrology.accounts.services.snapshots import PERSON_PROFILE_FIELDS, changed, person_snapshot
from metrology.accounts.services.tokens import end_sessions_and_tokens
from metrology.core.audit import audit_log


def _validated_password(password: str, person: Person) -> str:
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    return password


def _codes_of(roles: Iterable[Role]) -> set[str]:
    return {code for role in roles for code in role.permission_codes()}


@transaction.atomic
def person_create(
    *,
    actor: Person | None,
    username: str,
    password: str,
    name: str,
    roles: Iterable[Role] = (),
    qualifications: Iterable[dict[str, Any]] = (),
    **profile: Any,
) -> Person:
    """Create a person with roles and qualifications; any invalid part saves nothing."""
    unknown = set(profile) - set(PERSON_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"person_create() got unknown fields {sorted(unknown)}")
    roles = list(roles)
    if roles:
        ensure_may_change_roles(actor)
        ensure_may_grant(actor, _codes_of(roles), to_self=False, field="roles")
    person = Person(username=username, name=name, **profile)
    person.full_clean(exclude=["password"])
    person.set_password(_validated_password(password, person))
    person.save()
    person.roles.set(roles)
    audit_log(actor=actor, action="person.created", obj=person, after=person_snapshot(person))
    for qualification in qualifications:
        qualification_add(actor=actor, person=person, **qualification)
    return person


@transaction.atomic
def person_update(*, actor: Person | None, person: Person, **changes: Any) -> Person:
    unknown = set(changes) - set(PERSON_PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"person_update() cannot change {sorted(unknown)}")
    ensure_may_act_on(actor, person)
    before = person_snapshot(Person.objects.get(pk=person.pk))
    for field, value in changes.items():
        setattr(person, field, value)
    person.full_clean(exclude=["password"])
    person.save()
    old, new = changed(before, person_snapshot(person))
    if new:
        audit_log(actor=actor, action="person.updated", obj=person, before=old, after=new)
    return person


@transaction.atomic
def person_set_roles(*, actor: Person | None, person: Person, roles: Iterable[Role]) -> Person:
    roles = list(roles)
    current = set(person.roles.all())
    if set(roles) == current:
        return person
    ensure_may_change_roles(actor)
    ensure_may_act_on(actor, person)
    to_self = actor is not None and actor.pk == person.pk
    ensure_may_grant(actor, _codes_of(set(roles) - current), to_self=to_self, field="roles")
    with keeping_a_role_manager():
        before = sorted(person.roles.values_list("code", flat=True))
        person.roles.set(roles)
        after = sorted(person.roles.values_list("code", flat=True))
        if before != after:
            audit_log(actor=actor, action="person.roles_changed", obj=person,
                      before={"roles": before}, after={"roles": after})
    return person


@transaction.atomic
def person_set_password(*, actor: Person | None, person: Person, password: str) -> Person:
    """Set a password; every session and API token of the person ends (the caller may keep its own
    session with update_session_auth_hash)."""
    ensure_may_act_on(actor, person)
    person.set_password(_validated_password(password, person))
    person.save(update_fields=["password"])
    ended = end_sessions_and_tokens(person)
    audit_log(actor=actor, action="person.password_set", obj=person, after={"tokens_ended": ended})
    return person


@transaction.atomic
def person_disable(*, actor: Person | None, person: Person, reason: str = "") -> Person:
    ensure_not_self(actor, person, _("You cannot disable your own account."))
    return _set_active(actor=actor, person=person, active=False, reason=reason)


@transaction.atomic
def person_enable(*, actor: Person | None, person: Person, reason: str = "") -> Person:
    return _set_active(actor=actor, person=person, active=True, reason=reason)


def _set_active(*, actor: Person | None, person: Person, active: bool, reason: str) -> Person:
    if person.is_active == active:
        return person
    ensure_may_act_on(actor, person)
    with keeping_a_role_manager():
        person.is_active = active
        person.deactivated_at = None if active else timezone.now()
        person.save(update_fields=["is_active", "deactivated_at"])
        if not active:
            end_sessions_and_tokens(person)
        audit_log(
            actor=actor,
            action="person.enabled" if active else "person.disabled",
            obj=person,
            before={"is_active": not active},
            after={"is_active": active},
            reason=reason,
        )
    return person


@transaction.atomic
def person_delete(*, actor: Person | None, person: Person, reason: str = "") -> bool:
    """Delete a person nobody's history points at; otherwise disable them and keep the history.

    Returns True if the row was deleted, False if the person was only disabled.
    """
    ensure_not_self(actor, person, _("You cannot delete your own account."))
    ensure_may_act_on(actor, person)
    snapshot = person_snapshot(person)
    with keeping_a_role_manager():
        try:
            with transaction.atomic():
                pk = person.pk
                person.delete()
        except (ProtectedError, RestrictedError):
            person.refresh_from_db()
            _set_active(actor=actor, person=person, active=False,
                        reason=reason or _("Deleted, but kept for history because records refer to this person."))
            return False
        person.pk = pk
        audit_log(actor=actor, action="person.deleted", obj=person, before=snapshot, reason=reason)
        person.pk = None
    return True

