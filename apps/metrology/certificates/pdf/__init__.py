"""PDF toolkit for certificates: seal, QR code and page numbers; PAdES signing; void watermark.

No Django models; every function takes and returns bytes. The issuance job runs::

    key = keys.ensure_site_signing_key(site_keys_folder, institute_name)   # or keys.load_pkcs12(...)
    pdf = stamp.stamp(converted_pdf, seal_png=seal, seal_box=Box(140, 30, 40, 40),
                      qr_url=verification_url, qr_box=Box(20, 20, 22, 22), page_numbers=True)
    pdf = signing.sign(pdf, key=key, field_name="Issue", reason="签发", location=city, certify=False)

and the void step::

    voided = watermark.void_watermark(issued_pdf, reason=reason, voided_on=today)
    voided = signing.sign(voided, key=key, field_name="Void", reason="作废", location=city,
                          certify=False)
    reports = signing.validate(voided, key)   # both signatures intact, valid, trusted

Modules: :mod:`.geometry` (boxes in mm), :mod:`.glyphs` (the Simplified Chinese font),
:mod:`.keys`, :mod:`.stamp`, :mod:`.signing`, :mod:`.watermark`; :mod:`.layers` is internal.
"""

from .geometry import Box
from .keys import KeyRefused, SigningKey, ensure_site_signing_key, install_pkcs12, load_pkcs12, \
    load_signing_key, make_site_signing_key
from .signing import SignatureReport, sign, validate
from .stamp import stamp
from .watermark import void_watermark

__all__ = ["Box", "KeyRefused", "SignatureReport", "SigningKey", "ensure_site_signing_key", "install_pkcs12",
           "load_pkcs12",
           "load_signing_key", "make_site_signing_key", "sign", "stamp", "validate", "void_watermark"]
