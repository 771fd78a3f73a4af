"""The documents of an approved record as PDF: the certificate (or notice) with its number, the three
handwritten signatures and the seal in their image slots (R-4.3.12.3–4), and the raw record.

Rendering and conversion are print_formats' (bounded, in a child process, never in a web request);
this module only says what goes in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from metrology.certificates.errors import CertificateRefused
from metrology.certificates.models import Certificate
from metrology.certificates.seal import site_seal_png
from metrology.doctype.document_kinds import DocumentKind
from metrology.print_formats.keys import SEAL_KEY
from metrology.print_formats.services import library_basis
from metrology.records.models import Record
from metrology.records.preview import bound_layout, layout_pdf, work_fields
from metrology.workflow.models import Meaning
from metrology.workflow.selectors import round_signatures

# Where each signature's image and signer's name go in a layout (print_formats.keys).
SLOTS = {Meaning.INSPECTED: ("检定员签名", "检定员"), Meaning.VERIFIED: ("核验员签名", "核验员"),
         Meaning.APPROVED: ("批准人签名", "批准人")}
NUMBER_KEYS = {DocumentKind.NOTICE: "通知书编号"}


def _fields_and_images(certificate: Certificate, issued_on: dt.date) -> tuple[dict[str, Any], dict[str, bytes]]:
    record = certificate.record
    definition = record.version.definition
    fields: dict[str, Any] = {
        NUMBER_KEYS.get(certificate.kind, "证书编号"): certificate.number,
        "原始记录编号": record.raw_record_number or "", "检定依据": library_basis(definition),
        "机构名称": settings.INSTITUTE_NAME, "计量器具名称": record.item.name, "签发日期": issued_on.isoformat(),
        "替代证书编号": certificate.replaces.number if certificate.replaces_id else "",
        **work_fields(record),  # 计量标准器 (a row per standard), 检定地点, 环境温度, 相对湿度
    }
    images: dict[str, bytes] = {SEAL_KEY: site_seal_png()}
    for meaning, signature in round_signatures(record).items():
        image_key, name_key = SLOTS[meaning]
        fields[name_key] = signature.signer.name
        if signature.image is not None:
            images[image_key] = bytes(signature.image)
    return fields, images


def _rendered_pdf(record: Record, kind: str, fields: dict[str, Any], images: dict[str, bytes]) -> bytes:
    version = bound_layout(record, kind)
    if version is None:
        raise CertificateRefused(_("No layout is bound to the procedure for %(kind)s, so the record cannot be "
                                   "issued; please ask the template manager to upload one, then issue it again.")
                                 % {"kind": DocumentKind(kind).label})
    return layout_pdf(record, version, kind, fields, images)


def certificate_pdf(certificate: Certificate, issued_on: dt.date) -> bytes:
    """The certificate or notice as the layout bound for its kind prints it, not yet stamped or signed."""
    fields, images = _fields_and_images(certificate, issued_on)
    return _rendered_pdf(certificate.record, certificate.kind, fields, images)


def raw_record_pdf(certificate: Certificate, issued_on: dt.date) -> bytes | None:
    """The raw record as PDF, when a layout is bound for it (None otherwise)."""
    if bound_layout(certificate.record, DocumentKind.RAW_RECORD) is None:
        return None
    fields, images = _fields_and_images(certificate, issued_on)
    return _rendered_pdf(certificate.record, DocumentKind.RAW_RECORD, fields, images)
