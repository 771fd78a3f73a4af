"""One-time challenges kept in the session between the options and the answer of a ceremony.

Each ceremony (registration, assertion) keeps at most one challenge, for one person, for a few
minutes; taking it removes it, so an answer can be checked once whatever its outcome.
"""

from __future__ import annotations

import time

from django.http import HttpRequest
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from metrology.passkeys.errors import NO_CHALLENGE, PasskeyRefused

REGISTRATION = "registration"
ASSERTION = "assertion"
LIFETIME_SECONDS = 300
TIMEOUT_MS = 120_000  # what the browser is told; the challenge outlives it a little


def session_key(ceremony: str) -> str:
    return f"metrology_passkey_{ceremony}"


def challenge_keep(request: HttpRequest, *, ceremony: str, person_id: int, challenge: bytes) -> None:
    request.session[session_key(ceremony)] = {"challenge": bytes_to_base64url(challenge), "person": person_id,
                                       "expires": time.time() + LIFETIME_SECONDS}


def challenge_take(request: HttpRequest, *, ceremony: str, person_id: int) -> bytes:
    """The challenge given to this person, removed from the session; refused if none, expired or
    given to someone else."""
    kept = request.session.pop(session_key(ceremony), None)
    if not isinstance(kept, dict) or kept.get("person") != person_id or kept.get("expires", 0) < time.time():
        raise PasskeyRefused(NO_CHALLENGE)
    return base64url_to_bytes(kept["challenge"])
