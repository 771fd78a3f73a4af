"""`Authorization: Token <key>` for the API, against our hashed, expiring tokens (#8)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from metrology.accounts.services.tokens import token_person

TOKEN_REFUSED = _("The token is invalid or has expired; ask for a new one at /api/token/.")


class ExpiringTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str):
        found = token_person(key)
        if found is None:
            raise exceptions.AuthenticationFailed(TOKEN_REFUSED)
        return found
