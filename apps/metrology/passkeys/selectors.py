"""Reads on fingerprint and face credentials."""

from __future__ import annotations

from django.db.models import QuerySet

from metrology.passkeys.models import PasskeyCredential


def passkeys_of(person) -> QuerySet[PasskeyCredential]:
    """Every credential of the person, revoked ones included: enabled first, newest first."""
    return PasskeyCredential.objects.filter(person=person).order_by("-is_enabled", "-created_at", "-id")


def enabled_passkeys_of(person) -> QuerySet[PasskeyCredential]:
    return PasskeyCredential.objects.filter(person=person, is_enabled=True)


def has_passkey(person, device_identifier: str | None = None) -> bool:
    """Whether the person has an enabled credential: anywhere (None), or registered on that device
    (a phone's identifier; "" means registered on the Desk)."""
    passkeys = enabled_passkeys_of(person)
    if device_identifier is not None:
        passkeys = passkeys.filter(device_identifier=device_identifier)
    return passkeys.exists()

