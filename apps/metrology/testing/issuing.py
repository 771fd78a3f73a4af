"""A site issuing certificates, for tests that run `metrology` in subprocesses (`metrology shell -c`):
approved fuel-dispenser records whose issuing jobs are queued, and what came of them, as JSON."""

from __future__ import annotations

import json

from django.db import transaction

from metrology.testing.review import fuel_dispenser, person, waiting_for_approval
from metrology.testing.signing import signed

TEMPLATE = "certificate_jjg443.docx"


def approved(count: int) -> None:
    """``count`` records approved (each approval queues its issuing job once committed)."""
    from metrology.doctype.document_kinds import DocumentKind
    from metrology.numbering.services import scheme_create
    from metrology.print_formats.services import layout_upload
    from metrology.testing.fuel import REPO_ROOT
    from metrology.workflow.engine import transition_apply

    item, sub_type = fuel_dispenser()
    layout_upload(actor=None, procedure=item.procedures.get(sub_type=sub_type), kind=DocumentKind.CERTIFICATE,
                  data=(REPO_ROOT / "tests" / "data" / "templates" / TEMPLATE).read_bytes(), filename=TEMPLATE)
    scheme_create(actor=None, item=item, test_type=sub_type.parent, document_kind=DocumentKind.CERTIFICATE,
                  prefix="JD", date_part="YYYY", separator="-", sequence_width=5)
    inspector = person("zhangsan", "张三", "inspector", qualification="JL-1")
    verifier = person("lisi", "李四", "verifier", qualification="JL-2")
    approver = person("wangwu", "王五", "approver", qualification="JL-3")
    record_pks, _seconds = waiting_for_approval(count=count, inspector=inspector, verifier=verifier, item=item,
                                                sub_type=sub_type)
    from metrology.records.models import Record

    signature = signed()
    for pk in record_pks:
        with transaction.atomic():
            transition_apply(actor=approver, record=Record.objects.get(pk=pk), action="approve", signature=signature)


def report() -> None:
    """RESULT {...}: the certificates by state, their numbers, and the numbers issued for certificates."""
    from metrology.certificates.models import Certificate
    from metrology.numbering.models import IssuedNumber

    certificates = list(Certificate.objects.values("approval_id", "number", "state", "pdf_sha256"))
    numbers = list(IssuedNumber.objects.filter(reference__startswith="certificate:").values_list("number", flat=True))
    print("RESULT " + json.dumps({"certificates": certificates, "numbers": numbers}))


def issue_part(part: int, parts: int) -> None:
    """RESULT {...}: issue every ``parts``-th waiting approval from ``part`` on, as the job would, timed."""
    import time

    from metrology.certificates.resume import approvals_without_certificate
    from metrology.certificates.services import certificate_issue

    pending = list(approvals_without_certificate().values_list("pk", flat=True))[part::parts]
    certificate_issue(approval_id=pending[0])  # not timed: starts the warm LibreOffice, fills the caches
    began = time.perf_counter()
    for approval_id in pending[1:]:
        certificate_issue(approval_id=approval_id)
    print("RESULT " + json.dumps({"issued": len(pending) - 1, "seconds": time.perf_counter() - began}))


def raw_steps(count: int) -> None:
    """RESULT {...}: the raw steps of issuing (render, convert, stamp, sign), each timed on its own, for
    ``count`` documents of an issued certificate's record."""
    import time

    from django.utils import timezone

    from metrology.certificates import documents, finishing
    from metrology.certificates.models import Certificate
    from metrology.certificates.pdf.signing import sign
    from metrology.certificates.pdf.stamp import stamp
    from metrology.print_formats.context import layout_context
    from metrology.print_formats.converter import convert_to_pdf
    from metrology.print_formats.layouts import checked_layout, render_layout
    from metrology.records.preview import bound_layout, document_values

    certificate = Certificate.objects.select_related("record__version").filter(state="issued").first()
    record, today = certificate.record, timezone.localdate()
    version = bound_layout(record, certificate.kind)
    fields, images = documents._fields_and_images(certificate, today)
    key, url = finishing.signing_key(), finishing.verification_url(certificate)
    times = {"render": 0.0, "convert": 0.0, "stamp": 0.0, "sign": 0.0}
    for round_number in range(count + 1):  # round 0 is not timed: it starts the warm LibreOffice
        began = time.perf_counter()
        with version.file.open("rb") as handle:
            layout, _report = checked_layout(handle.read(), version.format, record.version.definition)
        rendered = render_layout(layout, layout_context(record.version.definition,
                                                        document_values(record, certificate.kind), fields), images)
        rendered_at = time.perf_counter()
        pdf = convert_to_pdf(rendered, suffix=f".{version.format}")
        converted_at = time.perf_counter()
        stamped = stamp(pdf, seal_png=None, seal_box=None, qr_url=url, qr_box=finishing.QR_BOX, page_numbers=True)
        stamped_at = time.perf_counter()
        sign(stamped, key=key, field_name=finishing.SIGNATURE_FIELD, reason="签发", location="", certify=False)
        signed_at = time.perf_counter()
        if round_number == 0:
            continue
        times["render"] += rendered_at - began
        times["convert"] += converted_at - rendered_at
        times["stamp"] += stamped_at - converted_at
        times["sign"] += signed_at - stamped_at
    print("RESULT " + json.dumps({"count": count, "seconds": times}))
