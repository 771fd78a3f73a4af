"""Authentication by account and password; authorisation by the person's enabled roles."""

from __future__ import annotations

from django.contrib.auth.backends import BaseBackend
from django.http import HttpRequest

from metrology.accounts.models import Person, RoleGrant
from metrology.accounts.usernames import normalize_username
from metrology.core.permissions import APP_LABEL

_CACHE_ATTR = "_role_permission_cache"


class RoleBackend(BaseBackend):
    """A disabled role grants nothing; a disabled person has nothing.

    Unlike Django's ModelBackend, a disabled person with the right password is returned, so the
    login form can say the account is disabled instead of calling the password wrong.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kw
    ) -> Person | None:
        if not username or password is None:
            return None
        person = Person.objects.filter(username__iexact=normalize_username(username)).first()
        if person is None:
            Person().set_password(password)  # same work as a real check, so timing reveals nothing
            return None
        return person if person.check_password(password) else None

    def get_user(self, user_id: int) -> Person | None:
        return Person.objects.filter(pk=user_id, is_active=True).first()

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not getattr(user_obj, "is_active", False) or not getattr(user_obj, "pk", None):
            return set()
        cached = getattr(user_obj, _CACHE_ATTR, None)
        if cached is None:
            codes = RoleGrant.objects.filter(
                role__people=user_obj, role__is_enabled=True
            ).values_list("code", flat=True)
            cached = {f"{APP_LABEL}.{code}" for code in codes}
            setattr(user_obj, _CACHE_ATTR, cached)
        return cached

    def has_perm(self, user_obj, perm: str, obj=None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)


def forget_cached_permissions(person: Person) -> None:
    if hasattr(person, _CACHE_ATTR):
        delattr(person, _CACHE_ATTR)
