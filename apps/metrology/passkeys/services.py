"""Registering fingerprint and face credentials (WebAuthn) and checking them, each write audited.

A ceremony has two steps: the options (with a one-time challenge kept in the session) go to the
browser, and the browser's answer comes back to be verified against them. User verification (the
fingerprint, face or screen lock itself, not only a touch) is required at both.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from metrology.core.audit import audit_log
from metrology.core.permissions import perm
from metrology.devices.selectors import device_get
from metrology.passkeys import challenges, relying_party
from metrology.passkeys.errors import (
    ALREADY_REGISTERED,
    ALREADY_REVOKED,
    MAY_NOT_REVOKE,
    NONE_REGISTERED,
    NOT_CONFIRMED,
    NOT_ENABLED,
    NOT_VERIFIED,
    REGISTRATION_FAILED,
    PasskeyRefused,
)
from metrology.passkeys.labels import label_from_user_agent
from metrology.passkeys.models import PasskeyCredential, credential_digest
from metrology.passkeys.selectors import enabled_passkeys_of

# Malformed answers make py_webauthn raise its own errors, and now and then a plain one.
BAD_ANSWER = (WebAuthnException, ValueError, TypeError, KeyError)
NAME_LENGTH = PasskeyCredential._meta.get_field("name").max_length


def _device_identifier(request: HttpRequest) -> str:
    """The phone's identifier when the session is bound to an enabled device (DeviceSessionMiddleware)."""
    return getattr(request, "verified_device", "") or ""


def _user_handle(person) -> bytes:
    return str(person.pk).encode("ascii")


def _transports(values: Any) -> list[AuthenticatorTransport]:
    known = {t.value for t in AuthenticatorTransport}
    return [AuthenticatorTransport(v) for v in values or [] if isinstance(v, str) and v in known]


def _descriptor(credential: PasskeyCredential) -> PublicKeyCredentialDescriptor:
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential.credential_id),
                                         transports=_transports(credential.transports) or None)


def registration_options(*, person, request: HttpRequest) -> dict:
    """Options for navigator.credentials.create(), JSON-ready; the challenge stays in the session."""
    options = generate_registration_options(
        rp_id=relying_party.rp_id(request), rp_name=relying_party.rp_name(),
        user_id=_user_handle(person), user_name=person.get_username(),
        user_display_name=getattr(person, "name", "") or person.get_username(),
        timeout=challenges.TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[_descriptor(c) for c in enabled_passkeys_of(person)],
    )
    challenges.challenge_keep(request, ceremony=challenges.REGISTRATION, person_id=person.pk,
                              challenge=options.challenge)
    return json.loads(options_to_json(options))


def _default_name(request: HttpRequest) -> str:
    identifier = _device_identifier(request)
    if identifier:
        device = device_get(identifier=identifier)
        if device is not None:
            return device.name
    return label_from_user_agent(request.headers.get("User-Agent", ""))


def registration_finish(*, person, request: HttpRequest, response: dict, name: str = "") -> PasskeyCredential:
    """Verify the browser's answer to registration_options() and keep the new credential."""
    challenge = challenges.challenge_take(request, ceremony=challenges.REGISTRATION, person_id=person.pk)
    try:
        verified = verify_registration_response(
            credential=response, expected_challenge=challenge, expected_rp_id=relying_party.rp_id(request),
            expected_origin=relying_party.origins(request), require_user_verification=True)
    except BAD_ANSWER as error:
        raise PasskeyRefused(REGISTRATION_FAILED) from error
    answer = response.get("response") if isinstance(response.get("response"), dict) else {}
    credential = PasskeyCredential(
        person=person, device_identifier=_device_identifier(request),
        name=(name.strip() or _default_name(request))[:NAME_LENGTH],
        credential_id=bytes_to_base64url(verified.credential_id), public_key=verified.credential_public_key,
        sign_count=verified.sign_count, transports=[t.value for t in _transports(answer.get("transports"))])
    try:
        with transaction.atomic():
            credential.save(force_insert=True)
            audit_log(actor=person, action="passkey.registered", obj=credential,
                      after={"name": credential.name, "device_identifier": credential.device_identifier,
                             "transports": credential.transports})
    except IntegrityError as error:
        raise PasskeyRefused(ALREADY_REGISTERED) from error
    return credential


def assertion_options(*, person, request: HttpRequest) -> dict:
    """Options for navigator.credentials.get() allowing the person's enabled credentials, this
    device's first; the challenge stays in the session. Refused when the person has none."""
    here = _device_identifier(request)
    passkeys = sorted(enabled_passkeys_of(person), key=lambda c: (c.device_identifier != here, -c.pk))
    if not passkeys:
        raise PasskeyRefused(NONE_REGISTERED)
    options = generate_authentication_options(
        rp_id=relying_party.rp_id(request), timeout=challenges.TIMEOUT_MS,
        allow_credentials=[_descriptor(c) for c in passkeys],
        user_verification=UserVerificationRequirement.REQUIRED)
    challenges.challenge_keep(request, ceremony=challenges.ASSERTION, person_id=person.pk,
                              challenge=options.challenge)
    return json.loads(options_to_json(options))


def _answered_credential_id(response: dict) -> str:
    raw_id = response.get("rawId") if isinstance(response, dict) else None
    if not isinstance(raw_id, str) or not raw_id:
        raise PasskeyRefused(NOT_CONFIRMED)
    return raw_id


@transaction.atomic
def assertion_verify(*, person, request: HttpRequest, response: dict) -> PasskeyCredential:
    """Check the browser's answer to assertion_options(): the one-time challenge (taken, so a
    replay fails), a credential of this person still enabled, its signature and the user
    verification flag. Updates the counter and last use, with an audit row; returns the credential."""
    challenge = challenges.challenge_take(request, ceremony=challenges.ASSERTION, person_id=person.pk)
    credential_id = _answered_credential_id(response)
    credential = PasskeyCredential.objects.select_for_update().filter(
        credential_digest=credential_digest(credential_id)).first()
    if credential is None or credential.person_id != person.pk or not credential.is_enabled:
        raise PasskeyRefused(NOT_ENABLED)
    challenge_digest = hashlib.sha256(challenge).hexdigest()
    if credential.last_challenge == challenge_digest:
        raise PasskeyRefused(NOT_CONFIRMED)  # the same answer sent twice at once: the first one won
    try:
        verified = verify_authentication_response(
            credential=response, expected_challenge=challenge, expected_rp_id=relying_party.rp_id(request),
            expected_origin=relying_party.origins(request), credential_public_key=bytes(credential.public_key),
            credential_current_sign_count=credential.sign_count)
    except BAD_ANSWER as error:
        raise PasskeyRefused(NOT_CONFIRMED) from error
    if not verified.user_verified:
        raise PasskeyRefused(NOT_VERIFIED)
    credential.sign_count, credential.last_used_at = verified.new_sign_count, timezone.now()
    credential.last_challenge = challenge_digest
    credential.save(update_fields=["sign_count", "last_used_at", "last_challenge"])
    audit_log(actor=person, action="passkey.confirmed", obj=credential,
              after={"sign_count": credential.sign_count, "device_identifier": _device_identifier(request)})
    return credential


@transaction.atomic
def passkey_revoke(*, actor, credential: PasskeyCredential) -> PasskeyCredential:
    """Revoke a credential: one's own, or anyone's for a person holding people_manage. It is kept."""
    if actor is None or (credential.person_id != actor.pk and not actor.has_perm(perm("people_manage"))):
        raise PermissionDenied(MAY_NOT_REVOKE)
    credential = PasskeyCredential.objects.select_for_update().get(pk=credential.pk)
    if not credential.is_enabled:
        raise PasskeyRefused(ALREADY_REVOKED)
    credential.is_enabled, credential.revoked_at = False, timezone.now()
    credential.save(update_fields=["is_enabled", "revoked_at"])
    audit_log(actor=actor, action="passkey.revoked", obj=credential, before={"is_enabled": True},
              after={"is_enabled": False})
    return credential
