"""Roles and their permissions (R-4.2.2.3, R-4.2.2.4); every change writes its audit row."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from metrology.accounts.models import Person, Role, RoleGrant
from metrology.accounts.services.guards import ensure_may_grant, keeping_a_role_manager
from metrology.accounts.services.snapshots import changed, role_snapshot
from metrology.core.audit import audit_log
from metrology.core.errors import ApplicationError
from metrology.core.permissions import PERMISSIONS

ROLE_EDITABLE_FIELDS = ("name", "description")


def _checked_codes(codes: Iterable[str]) -> set[str]:
    codes = set(codes)
    unknown = sorted(codes - PERMISSIONS.keys())
    if unknown:
        raise ApplicationError(
            _("Unknown permission: %(codes)s.") % {"codes": ", ".join(unknown)}, field="permissions"
        )
    return codes


def _holds(actor: Person | None, role: Role) -> bool:
    return actor is not None and role.people.filter(pk=actor.pk).exists()


def _unique_code(name: str) -> str:
    base = slugify(name) or "role"
    code, n = base, 1
    while Role.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


@transaction.atomic
def role_create(
    *, actor: Person | None, name: str, description: str = "", permissions: Iterable[str] = (), code: str = ""
) -> Role:
    codes = _checked_codes(permissions)
    ensure_may_grant(actor, codes, to_self=False)
    role = Role(name=name.strip(), description=description.strip(), code=code or _unique_code(name))
    role.full_clean()
    role.save()
    RoleGrant.objects.bulk_create(RoleGrant(role=role, code=c) for c in sorted(codes))
    audit_log(actor=actor, action="role.created", obj=role, after=role_snapshot(role))
    return role


@transaction.atomic
def role_update(*, actor: Person | None, role: Role, **changes: str) -> Role:
    unknown = set(changes) - set(ROLE_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"role_update() cannot change {sorted(unknown)}")
    before = role_snapshot(Role.objects.get(pk=role.pk))
    for field, value in changes.items():
        setattr(role, field, value.strip())
    role.full_clean()
    role.save()
    old, new = changed(before, role_snapshot(role))
    if new:
        audit_log(actor=actor, action="role.updated", obj=role, before=old, after=new)
    return role


@transaction.atomic
def role_set_permissions(*, actor: Person | None, role: Role, codes: Iterable[str]) -> Role:
    wanted = _checked_codes(codes)
    with keeping_a_role_manager():
        current = set(role.grants.values_list("code", flat=True))
        granted, revoked = sorted(wanted - current), sorted(current - wanted)
        ensure_may_grant(actor, granted, to_self=_holds(actor, role))
        RoleGrant.objects.bulk_create(RoleGrant(role=role, code=c) for c in granted)
        role.grants.filter(code__in=revoked).delete()
        for action, codes_changed in (("role.permissions_granted", granted), ("role.permissions_revoked", revoked)):
            if codes_changed:
                audit_log(actor=actor, action=action, obj=role, after={"permissions": codes_changed})
    return role


@transaction.atomic
def role_disable(*, actor: Person | None, role: Role, reason: str = "") -> Role:
    return _set_enabled(actor=actor, role=role, enabled=False, reason=reason)


@transaction.atomic
def role_enable(*, actor: Person | None, role: Role, reason: str = "") -> Role:
    return _set_enabled(actor=actor, role=role, enabled=True, reason=reason)


def _set_enabled(*, actor: Person | None, role: Role, enabled: bool, reason: str) -> Role:
    if role.is_enabled == enabled:
        return role
    if enabled:
        ensure_may_grant(actor, role.permission_codes(), to_self=_holds(actor, role))
    with keeping_a_role_manager():
        role.is_enabled = enabled
        role.save(update_fields=["is_enabled"])
        audit_log(
            actor=actor,
            action="role.enabled" if enabled else "role.disabled",
            obj=role,
            before={"is_enabled": not enabled},
            after={"is_enabled": enabled},
            reason=reason,
        )
    return role
