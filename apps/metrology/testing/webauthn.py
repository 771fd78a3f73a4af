"""Authenticators for tests of fingerprint and face checks (WebAuthn).

`SoftAuthenticator` makes genuine registration and assertion answers in Python (an ES256 key pair,
attestation "none", authenticatorData built byte by byte), for service and API tests without a
browser. `add_virtual_authenticator(page)` gives a Playwright page Chromium's virtual authenticator
through the DevTools protocol, with a fingerprint that matches unless told otherwise;
`virtual_authenticators()` does it for every page a test asks and removes them at the end:

    @pytest.fixture
    def virtual_authenticator():
        with virtual_authenticators() as add:
            yield add

    def test_…(new_page, virtual_authenticator):
        authenticator = virtual_authenticator(new_page())

(tests/browser/conftest.py has that fixture for every browser test).
WebAuthn needs a secure context and a domain name as the RP ID: the live server's http://localhost
has both; http://127.0.0.1 is refused by the browser (an IP address is no RP ID).
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.encode_cbor import encode_cbor

USER_PRESENT, USER_VERIFIED, ATTESTED = 0x01, 0x04, 0x40
AAGUID = bytes(16)


def _b64(data: bytes) -> str:
    return bytes_to_base64url(data)


@dataclass
class SoftAuthenticator:
    """One credential on a pretend device. `user_verified=False` answers as a key that was only
    touched, with no fingerprint, face or PIN checked; `counts=False` as one that keeps its counter
    at 0, as many synced passkeys do."""

    origin: str = "http://testserver"
    rp_id: str = "testserver"
    user_verified: bool = True
    sign_count: int = 0
    counts: bool = True
    credential_id: bytes = field(default_factory=lambda: os.urandom(16))
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))

    def cose_public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _flags(self, extra: int = 0) -> int:
        return USER_PRESENT | (USER_VERIFIED if self.user_verified else 0) | extra

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin or self.origin,
                           "crossOrigin": False}).encode()

    def register(self, options: dict[str, Any], *, origin: str | None = None) -> dict[str, Any]:
        """The answer of navigator.credentials.create() to these (JSON) options, as JSON."""
        rp_hash = hashlib.sha256((options.get("rp", {}).get("id") or self.rp_id).encode()).digest()
        attested = AAGUID + struct.pack(">H", len(self.credential_id)) + self.credential_id + self.cose_public_key()
        auth_data = rp_hash + bytes([self._flags(ATTESTED)]) + struct.pack(">I", self.sign_count) + attested
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {"id": _b64(self.credential_id), "rawId": _b64(self.credential_id), "type": "public-key",
                "response": {"clientDataJSON": _b64(client_data), "attestationObject": _b64(attestation),
                             "transports": ["internal"]},
                "clientExtensionResults": {}}

    def assert_(self, options: dict[str, Any], *, origin: str | None = None, user_handle: bytes | None = None
                ) -> dict[str, Any]:
        """The answer of navigator.credentials.get() to these (JSON) options, as JSON; the counter
        goes up by one, as on most authenticators."""
        allowed = [base64url_to_bytes(c["id"]) for c in options.get("allowCredentials", [])]
        if allowed and self.credential_id not in allowed:
            raise AssertionError("the options do not allow this authenticator's credential")
        self.sign_count += 1 if self.counts else 0
        rp_hash = hashlib.sha256((options.get("rpId") or self.rp_id).encode()).digest()
        auth_data = rp_hash + bytes([self._flags()]) + struct.pack(">I", self.sign_count)
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": _b64(self.credential_id), "rawId": _b64(self.credential_id), "type": "public-key",
                "response": {"clientDataJSON": _b64(client_data), "authenticatorData": _b64(auth_data),
                             "signature": _b64(signature),
                             "userHandle": _b64(user_handle) if user_handle is not None else None},
                "clientExtensionResults": {}}


@dataclass
class VirtualAuthenticator:
    """Chromium's virtual authenticator on one page (DevTools protocol, WebAuthn domain)."""

    cdp: Any
    authenticator_id: str

    def credentials(self) -> list[dict[str, Any]]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.authenticator_id})["credentials"]

    def set_user_verified(self, verified: bool) -> None:
        """Whether the next fingerprint or face presented matches."""
        self.cdp.send("WebAuthn.setUserVerified", {"authenticatorId": self.authenticator_id,
                                                   "isUserVerified": verified})

    def remove(self) -> None:
        self.cdp.send("WebAuthn.removeVirtualAuthenticator", {"authenticatorId": self.authenticator_id})


def add_virtual_authenticator(page, *, user_verified: bool = True) -> VirtualAuthenticator:
    """A built-in (platform) authenticator with user verification, like a phone's fingerprint reader."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": user_verified, "automaticPresenceSimulation": True}})
    return VirtualAuthenticator(cdp=cdp, authenticator_id=added["authenticatorId"])


@contextmanager
def virtual_authenticators() -> Iterator[Callable[..., VirtualAuthenticator]]:
    """Gives `add(page, user_verified=True)`; every authenticator added is removed at the end."""
    added: list[VirtualAuthenticator] = []

    def add(page, *, user_verified: bool = True) -> VirtualAuthenticator:
        authenticator = add_virtual_authenticator(page, user_verified=user_verified)
        added.append(authenticator)
        return authenticator

    try:
        yield add
    finally:
        for authenticator in added:
            try:
                authenticator.remove()
            except Exception:  # the page (and its DevTools session) may be closed already
                pass
