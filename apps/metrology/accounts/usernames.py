"""One spelling of an account name for login, lockout and uniqueness (#8).

`ZHANGSAN`, ` zhangsan ` and full-width `ｚｈａｎｇｓａｎ` are the same account, so they must also be
the same account for the lockout counter.
"""

from __future__ import annotations

import unicodedata

from django.http import HttpRequest


def normalize_username(value: str | None) -> str:
    """NFKC, case-folded and stripped: the form accounts are compared (not stored) in."""
    folded = unicodedata.normalize("NFKC", value or "").casefold()
    return unicodedata.normalize("NFKC", folded).strip()


def stored_username(value: str | None) -> str:
    """NFKC and stripped, keeping the case the administrator typed."""
    return unicodedata.normalize("NFKC", value or "").strip()


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """AXES_USERNAME_CALLABLE: count failures per account, however its name was spelled."""
    if credentials:
        return normalize_username(credentials.get("username"))
    data = getattr(request, "data", None) or request.POST
    return normalize_username(data.get("username"))
