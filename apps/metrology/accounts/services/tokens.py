"""API tokens (#8): issued at login, stored only as a SHA-256, expiring, revocable.

A password change or a disable ends every token and every session of the person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from metrology.accounts.models import ApiToken, Person
from metrology.accounts.services.guards import ensure_may_act_on
from metrology.core.audit import audit_log

# Writing last_used_at on every request would make each API call a write; once a minute is enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def token_issue(*, person: Person) -> tuple[ApiToken, str]:
    """A new token for a person who has just given their password; returns the key, shown once."""
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken.objects.create(
        person=person, digest=token_digest(key), created_at=now,
        expires_at=now + dt.timedelta(hours=settings.API_TOKEN_HOURS),
    )
    return token, key


def token_person(key: str) -> tuple[Person, ApiToken] | None:
    """The active person a key belongs to, if the token exists and has not expired."""
    now = timezone.now()
    token = (ApiToken.objects.select_related("person")
             .filter(digest=token_digest(key), expires_at__gt=now, person__is_active=True).first())
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token.person, token


@transaction.atomic
def token_revoke(*, actor: Person | None, token: ApiToken, reason: str = "") -> None:
    person, pk = token.person, token.pk
    token.delete()
    audit_log(actor=actor, action="person.token_revoked", obj=person, after={"token": pk}, reason=reason)


def end_sessions_and_tokens(person: Person) -> int:
    """Every session and API token of the person ends; for services that write their own audit row."""
    Person.objects.filter(pk=person.pk).update(auth_generation=F("auth_generation") + 1)
    person.auth_generation = Person.objects.values_list("auth_generation", flat=True).get(pk=person.pk)
    ended, _by_model = ApiToken.objects.filter(person=person).delete()
    return ended


@transaction.atomic
def person_end_sessions_and_tokens(*, actor: Person | None, person: Person, reason: str = "") -> int:
    """Log the person out everywhere. Returns the number of API tokens ended."""
    ensure_may_act_on(actor, person)
    ended = end_sessions_and_tokens(person)
    audit_log(actor=actor, action="person.sessions_ended", obj=person, after={"tokens": ended}, reason=reason)
    return ended
