from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.core.errors import ApplicationError


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
