"""The institute's signing certificate and seal image, replaced in the Desk (R-4.3.12.4): a new site signs
with its own CA; production uploads the institute's PKCS#12 and its seal image. Each change is audited."""

from __future__ import annotations

import io

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.certificates.errors import CertificateRefused
from metrology.certificates.pdf.keys import KeyRefused, install_pkcs12
from metrology.certificates.seal import seal_path
from metrology.core.audit import audit_log
from metrology.core.permissions import perm

PERMISSION = "certificates_edit"
MAX_PKCS12_BYTES = 1024 * 1024
MAX_SEAL_BYTES = 2 * 1024 * 1024
MAX_SEAL_SIDE = 3000


def _require(actor: Person) -> None:
    if not actor.has_perm(perm(PERMISSION)):
        raise CertificateRefused(_("You do not have permission to change the institute's signing certificate "
                                   "or seal."))


@transaction.atomic
def signing_certificate_install(*, actor: Person, data: bytes, password: str) -> dict:
    """Make an uploaded PKCS#12 the site's signing key (the previous one is kept aside); its summary."""
    _require(actor)
    if len(data) > MAX_PKCS12_BYTES:
        raise CertificateRefused(_("The certificate file is too large (at most 1 MB)."), field="file")
    try:
        installed = install_pkcs12(settings.SIGNING_DIR, data, password)
    except KeyRefused as refused:
        raise CertificateRefused(str(refused), field="password" if refused.code == "wrong_password" else "file") \
            from None
    summary = installed.summary()
    audit_log(actor=actor, action="signing_certificate.installed", object_type="certificates.signing_key",
              after=summary)
    return summary


@transaction.atomic
def seal_install(*, actor: Person, data: bytes) -> None:
    """Make an uploaded image (PNG, transparent background) the seal printed in the 机构印章 slot."""
    from PIL import Image, UnidentifiedImageError

    _require(actor)
    if len(data) > MAX_SEAL_BYTES:
        raise CertificateRefused(_("The seal image is too large (at most 2 MB)."), field="seal")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG" or max(image.size) > MAX_SEAL_SIDE:
                raise CertificateRefused(_("The seal must be a PNG image of at most 3000 pixels a side."),
                                         field="seal")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise CertificateRefused(_("The seal image could not be read; please upload a PNG file."),
                                 field="seal") from None
    path = seal_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    audit_log(actor=actor, action="seal.installed", object_type="certificates.seal",
              after={"bytes": len(data)})
