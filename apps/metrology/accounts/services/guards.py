from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext as _

from metrology.accounts.models import Person, RoleGrant
from metrology.core.errors import ApplicationError
from metrology.core.permissions import PERMISSIONS, PRIVILEGED_PERMISSIONS, codes_held, perm


def role_managers_exist() -> bool:
    return Person.objects.filter(
        is_active=True, roles__is_enabled=True, roles__grants__code="roles_manage"
    ).exists()


@contextmanager
def keeping_a_role_manager() -> Iterator[None]:
    """Refuse a change that would lock every administrator out of roles and permissions.

    Must run inside the change's transaction, so raising here undoes the change.
    """
    had_one = role_managers_exist()
    yield
    if had_one and not role_managers_exist():
        raise ApplicationError(
            _(
                "This change would leave no active person who can manage roles and permissions; "
                "give another person that permission first."
            )
        )


def _labels(codes: set[str]) -> str:
    return "、".join(str(PERMISSIONS[code].label) for code in sorted(codes))


def _codes_of_roles(role_ids) -> set[str]:
    return set(RoleGrant.objects.filter(role__in=role_ids).values_list("code", flat=True))


def ensure_may_change_roles(actor: Person | None) -> None:
    """Giving or taking roles needs the role-management permission, not only people management (#8)."""
    if actor is not None and not actor.has_perm(perm("roles_manage")):
        raise ApplicationError(
            _("Changing a person's roles needs the permission to manage roles and permissions."), field="roles"
        )


def ensure_may_grant(actor: Person | None, codes, *, to_self: bool, field: str = "permissions") -> None:
    """Nobody grants a privileged permission they lack, nor any permission they lack to themselves (#8).

    Role managers hand out the work permissions (entering, verifying, approving…) they do not hold
    themselves, as the standard gives that duty to the system administrator; but never to
    themselves, and never the permissions over people, roles and the audit log.
    """
    if actor is None:
        return
    missing = set(codes) - codes_held(actor)
    if not to_self:
        missing &= PRIVILEGED_PERMISSIONS
    if missing:
        raise ApplicationError(
            _("You cannot grant permissions you do not hold yourself: %(permissions)s.")
            % {"permissions": _labels(missing)},
            field=field,
        )


def ensure_may_act_on(actor: Person | None, person: Person) -> None:
    """Nobody edits, resets the password of, disables or deletes a person holding privileged
    permissions they lack themselves (#8); roles disabled for now count, as they may come back."""
    if actor is None or actor.pk == person.pk or person.pk is None:
        return
    theirs = _codes_of_roles(person.roles.values_list("pk", flat=True))
    missing = (theirs - codes_held(actor)) & PRIVILEGED_PERMISSIONS
    if missing:
        raise ApplicationError(
            _("%(person)s holds permissions you do not have (%(permissions)s), so you cannot change "
              "their account.") % {"person": person, "permissions": _labels(missing)}
        )


def ensure_not_self(actor: Person | None, person: Person, message: str) -> None:
    if actor is not None and actor.pk == person.pk:
        raise ApplicationError(message)
