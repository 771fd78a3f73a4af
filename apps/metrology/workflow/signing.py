"""What a signer gives when a step needs a signature, and the checks of it (R-4.3.2.2).

A handwritten signature is a PNG drawn on the screen (signature_pad); the identity check is a
fingerprint or face through WebAuthn (metrology.passkeys) or the signer's password, as the
transition asks. Wrong passwords are counted: after PASSWORD_TRIES within PASSWORD_WINDOW seconds
signing with a password waits, as a login would.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.workflow.errors import WorkflowRefused
from metrology.workflow.models import Identity, WorkflowTransition

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_IMAGE_BYTES = 300 * 1024
MAX_IMAGE_SIDE = 4000
PASSWORD_TRIES = 5
PASSWORD_WINDOW = 15 * 60


@dataclass(frozen=True)
class SignatureInput:
    image: bytes | None = None  # PNG
    password: str = ""
    passkey: dict | None = field(default=None, hash=False)  # a WebAuthn assertion, as passkeys.js sends it


@dataclass(frozen=True)
class Checked:
    methods: list[str]
    image: bytes | None = None
    passkey_id: str = ""


def image_from_data_url(text: str) -> bytes | None:
    """signature_pad's toDataURL() ("data:image/png;base64,…") as bytes; None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    prefix = "data:image/png;base64,"
    if not text.startswith(prefix):
        raise WorkflowRefused(_("The handwritten signature must be a PNG image."), field="signature")
    try:
        return base64.b64decode(text[len(prefix):], validate=True)
    except (binascii.Error, ValueError):
        raise WorkflowRefused(_("The handwritten signature could not be read; please sign again."),
                              field="signature") from None


def check_image(image: bytes) -> None:
    if len(image) > MAX_IMAGE_BYTES:
        raise WorkflowRefused(_("The handwritten signature is too large (at most 300 KB)."), field="signature")
    if not image.startswith(PNG_MAGIC) or image[12:16] != b"IHDR":
        raise WorkflowRefused(_("The handwritten signature must be a PNG image."), field="signature")
    width, height = struct.unpack(">II", image[16:24])
    if not (0 < width <= MAX_IMAGE_SIDE and 0 < height <= MAX_IMAGE_SIDE):
        raise WorkflowRefused(_("The handwritten signature has an impossible size."), field="signature")


def _password_ok(signer: Person, password: str) -> bool:
    key = f"workflow:sign-password:{signer.pk}"
    if cache.get(key, 0) >= PASSWORD_TRIES:
        raise WorkflowRefused(_("Too many wrong passwords; wait 15 minutes, or confirm with a fingerprint or "
                                "face."), field="password")
    if signer.check_password(password):
        cache.delete(key)
        return True
    cache.add(key, 0, PASSWORD_WINDOW)
    cache.incr(key)
    return False


def _passkey_of(signer: Person, given: SignatureInput, request) -> str:
    from metrology.passkeys.services import assertion_verify

    if request is None:
        raise WorkflowRefused(_("A fingerprint or face check needs the signer's own browser."), field="passkey")
    return str(assertion_verify(person=signer, request=request, response=given.passkey).pk)


def check_signature(transition: WorkflowTransition, signer: Person, given: SignatureInput | None, request
                    ) -> Checked:
    """The methods the signer was checked by, or a refusal saying what is missing or wrong."""
    given = given or SignatureInput()
    methods: list[str] = []
    if transition.requires_handwriting:
        if not given.image:
            raise WorkflowRefused(_("Sign by hand in the box before %(step)s.") % {"step": transition.label},
                                  field="signature")
        check_image(given.image)
        methods.append("handwriting")
    identity, passkey_id = transition.identity, ""
    wants_passkey = identity == Identity.BIOMETRIC or (identity == Identity.BIOMETRIC_OR_PASSWORD and given.passkey)
    if wants_passkey:
        if not given.passkey:
            raise WorkflowRefused(_("Confirm with your fingerprint or face to %(step)s.") % {"step": transition.label},
                                  field="passkey")
        passkey_id = _passkey_of(signer, given, request)
        methods.append("biometric")
    elif identity in (Identity.PASSWORD, Identity.BIOMETRIC_OR_PASSWORD):
        if not given.password:
            raise WorkflowRefused(_("Enter your password to confirm that it is you who signs."), field="password")
        if not _password_ok(signer, given.password):
            raise WorkflowRefused(_("The password is not right; the record was not signed."), field="password")
        methods.append("password")
    return Checked(methods, given.image if transition.requires_handwriting else None, passkey_id)
