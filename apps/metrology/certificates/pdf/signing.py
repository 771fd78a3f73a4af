"""PAdES signatures with the institute's key, and their validation.

:func:`sign` adds one PAdES B-B signature (``ETSI.CAdES.detached``, SHA-256) in a new signature
field, always as an incremental update: whatever was in the file before stays byte for byte, so
earlier signatures remain verifiable (the void step watermarks and signs a second time, and both
signatures check). :func:`validate` checks every signature with pyHanko against the site's CA,
offline (no fetching of certificates, CRLs or OCSP).
"""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import io
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.rw_common import find_inherited_value_in_tree
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from .geometry import Box
from .keys import SigningKey

_validating = contextvars.ContextVar("metrology_pdf_validating", default=False)


class _QuietDiffAnalysis(logging.Filter):
    """Inside :func:`validate`, drop pyHanko's warning-with-traceback for a page-content update.

    A voided certificate's watermark is such an update by design; the report's
    ``modification_level`` ("OTHER") says it without a stack trace in the worker's log.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not (_validating.get() and record.getMessage().startswith("Error in diff operation"))


logging.getLogger("pyhanko.sign.diff_analysis.policies").addFilter(_QuietDiffAnalysis())

#: Text of a visible signature; %(signer)s is the certificate's common name, %(ts)s the time.
VISIBLE_STAMP_TEXT = "数字签名：%(signer)s\n时间：%(ts)s"


def _stamp_style(key: SigningKey, text: str, cache_dir: Path | None):
    """(signer name the font can draw, pyHanko text stamp style in Noto Sans CJK SC)."""
    from fontTools.ttLib import TTFont
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.stamp import TextStampStyle

    from .glyphs import subset_font_path

    # the time's zone name depends on the process's TZ (Django sets it): take every ASCII letter
    ascii_printable = "".join(chr(c) for c in range(0x20, 0x7F))
    font = subset_font_path(text + key.subject + ascii_printable, cache_dir)
    covered = set(TTFont(str(font)).getBestCmap())
    signer = "".join(c if ord(c) in covered else "?" for c in key.subject)
    return signer, TextStampStyle(stamp_text=text, timestamp_format="%Y-%m-%d %H:%M:%S %Z",
                          text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(font), font_size=7)),
                          border_width=0)


def sign(
    pdf: bytes,
    *,
    key: SigningKey,
    field_name: str,
    reason: str,
    location: str,
    certify: bool,
    visible_box: Box | None = None,
    visible_page: int = 0,
    visible_text: str = VISIBLE_STAMP_TEXT,
    font_cache_dir: Path | None = None,
) -> bytes:
    """Return ``pdf`` with one more PAdES B-B signature, appended as an incremental update.

    :param key: the institute's :class:`~.keys.SigningKey`.
    :param field_name: name of the new signature field; must not exist yet in ``pdf``
        (e.g. ``"Issue"`` then ``"Void"``).
    :param reason: the signature's /Reason (e.g. "签发" / "作废"), shown by PDF readers.
    :param location: the signature's /Location (e.g. the institute's city).
    :param certify: make it a certification (DocMDP) signature allowing form filling and
        further signatures. Only the first signature of a file can certify; readers report a
        later watermark (voiding) as a change the certification did not allow, so leave it
        ``False`` for certificates that may be voided.
    :param visible_box: ``None`` (default) for an invisible signature, or a :class:`~.geometry.Box`
        in mm on page ``visible_page`` (0-based) for a small visible one showing ``visible_text``
        in Noto Sans CJK SC.
    :returns: the signed PDF as bytes (the input is a byte-for-byte prefix of it).
    :raises pyhanko.sign.general.SigningError / pyhanko.pdf_utils.misc.PdfError: e.g. the field
        already exists, or ``certify`` on a file that is already signed.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, reason=reason, location=location, md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES, certify=certify,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS)
    spec = fields.SigFieldSpec(field_name, on_page=visible_page)
    style, text_params = None, None
    if visible_box is not None:
        page_ref = writer.find_page_for_modification(visible_page)[0].get_object()
        box = page_ref.get("/CropBox") or find_inherited_value_in_tree(page_ref, "/MediaBox", "/Parent")
        x, y, w, h = visible_box.in_points((float(min(box[0], box[2])), float(min(box[1], box[3]))))
        spec = fields.SigFieldSpec(field_name, on_page=visible_page, box=(x, y, x + w, y + h))
        signer, style = _stamp_style(key, visible_text, font_cache_dir)
        text_params = {"signer": signer}
    pdf_signer = signers.PdfSigner(meta, signer=key.signer, stamp_style=style, new_field_spec=spec)
    out = io.BytesIO()
    _outside_any_event_loop(lambda: pdf_signer.sign_pdf(writer, output=out, bytes_reserved=_reserved_hex_digits(key),
                                                        appearance_text_params=text_params))
    return out.getvalue()


def _outside_any_event_loop(work):
    """pyHanko's synchronous calls run ``asyncio.run()``, which refuses inside a running event loop (an
    async caller; Playwright's sync API in the same test process): there they run in a thread of their own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return work()
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, work).result()


def _reserved_hex_digits(key: SigningKey) -> int:
    """Room for the CMS signature, in hex digits: the certificates sent plus 4 KB for the signature
    value (up to RSA 8192) and signed attributes. Without it pyHanko signs twice, once to measure."""
    certificates = len(key.certificate.dump()) + sum(len(c.dump()) for c in key.chain)
    return 2 * (certificates + 4096)


@dataclass(frozen=True)
class SignatureReport:
    """One signature's check, in file order (the issuing signature first).

    ``intact``: the signed bytes are unchanged (digest matches). ``valid``: the cryptographic
    signature is correct for the certificate. ``trusted``: the certificate chains up to a trust
    root (the site CA) and is within its validity now (pyHanko validates at the current time, so
    signatures made with a certificate that has since expired report ``trusted`` False). ``coverage``: ``"ENTIRE_FILE"`` (nothing was
    added afterwards), ``"ENTIRE_REVISION"`` (later incremental updates exist, e.g. the void
    watermark and signature) or ``"CONTIGUOUS_BLOCK_FROM_START"``. ``modification_level``: what the
    later updates changed, as pyHanko judges it (``"NONE"``, ``"LTA_UPDATES"``, ``"FORM_FILLING"``,
    ``"ANNOTATIONS"``, ``"OTHER"``; a watermark is ``"OTHER"``). ``docmdp_ok``: the later changes
    are within what a certification signature allowed (``None`` when not evaluated).
    """

    field_name: str
    signer: str
    signed_at: dt.datetime | None
    reason: str | None
    certifying: bool
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    modification_level: str | None
    docmdp_ok: bool | None
    summary: str

    @property
    def ok(self) -> bool:
        """Intact, valid and trusted."""
        return self.intact and self.valid and self.trusted


def validate(pdf: bytes, key: SigningKey | None = None, *, trust_roots=()) -> list[SignatureReport]:
    """Check every signature of ``pdf`` offline; one :class:`SignatureReport` per signature.

    :param key: its ``ca_certificate`` (or, lacking one, its own certificate) is trusted.
    :param trust_roots: more asn1crypto certificates to trust (e.g. earlier site CAs).
    :returns: the reports in file order; an empty list for an unsigned PDF.
    :raises pyhanko.pdf_utils.misc.PdfReadError: ``pdf`` is not a readable PDF.
    """
    roots = list(trust_roots)
    if key is not None:
        roots.append(key.ca_certificate or key.certificate)
    token = _validating.set(True)
    try:
        return _outside_any_event_loop(lambda: _validate(pdf, roots))
    finally:
        _validating.reset(token)


def _validate(pdf: bytes, roots: list) -> list[SignatureReport]:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    reports = []
    for embedded in reader.embedded_signatures:
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = validate_pdf_signature(embedded, context)
        cert = status.signing_cert
        cn = cert.subject.native.get("common_name") if cert is not None else None
        level = status.modification_level
        reports.append(SignatureReport(
            field_name=embedded.field_name,
            signer=cn or (cert.subject.human_friendly if cert is not None else ""),
            signed_at=status.signer_reported_dt,
            reason=str(embedded.sig_object["/Reason"]) if "/Reason" in embedded.sig_object else None,
            certifying=_is_certifying(embedded),
            intact=bool(status.intact), valid=bool(status.valid), trusted=bool(status.trusted),
            coverage=status.coverage.name if status.coverage is not None else "",
            modification_level=level.name if level is not None else None,
            docmdp_ok=status.docmdp_ok,
            summary=status.summary()))
    return reports


def _is_certifying(embedded) -> bool:
    refs = embedded.sig_object.get("/Reference") if embedded.sig_object else None
    return bool(refs) and any(ref.get("/TransformMethod") == "/DocMDP" for ref in refs)
