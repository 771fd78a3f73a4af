"""A rendered certificate finished for the client: the QR code to its public verification page and
"第 x 页 共 y 页" on every page, then the institute's PAdES signature (R-4.3.12.4).

The signing key is the site's: a new site makes its own CA and signing certificate in its keys folder
(certificates.pdf.keys), which production replaces with the institute's PKCS#12.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from metrology.certificates.models import Certificate
from metrology.certificates.pdf.geometry import Box
from metrology.certificates.pdf.keys import SigningKey, ensure_site_signing_key
from metrology.certificates.pdf.signing import sign
from metrology.certificates.pdf.stamp import stamp

QR_BOX = Box(x=178, y=14, width=20, height=20)  # mm from the bottom-left of an A4 page: its bottom-right corner
SIGNATURE_FIELD = "Issue"


def signing_key() -> SigningKey:
    return ensure_site_signing_key(settings.SIGNING_DIR, settings.INSTITUTE_NAME or "计量检定机构")


def verification_url(certificate: Certificate) -> str:
    """The public page the QR code points at (site setting public_url, e.g. https://jl.example.cn)."""
    return settings.PUBLIC_URL.rstrip("/") + reverse("certificate-verify", args=[certificate.public_token])


def finished_pdf(certificate: Certificate, rendered: bytes) -> bytes:
    stamped = stamp(rendered, seal_png=None, seal_box=None, qr_url=verification_url(certificate), qr_box=QR_BOX,
                    page_numbers=True)
    return sign(stamped, key=signing_key(), field_name=SIGNATURE_FIELD, reason=f"签发 {certificate.number}",
                location=settings.INSTITUTE_NAME or "", certify=False)
