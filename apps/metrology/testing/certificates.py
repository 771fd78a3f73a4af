"""Certificates for tests that need many of them but not their making: rows with small stored PDFs."""

from __future__ import annotations


def cheap_certificates(start, approver, count: int) -> None:
    """``count`` issued certificates with small stored PDFs and no raw record, without issuing them."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from metrology.certificates.models import Certificate
    from metrology.doctype.document_kinds import DocumentKind
    from metrology.workflow.models import RecordStep

    record = start(serial_number="JY-B-1", client="示范加油站")
    for n in range(count):
        approval = RecordStep.objects.create(record=record, action="approve", label="批准", from_state="verified",
                                             to_state="approved", actor=approver)
        Certificate.objects.create(record=record, approval=approval, kind=DocumentKind.CERTIFICATE,
                                   number=f"B-{n}", state=Certificate.State.ISSUED, numbered_at=timezone.now(),
                                   issued_at=timezone.now(), pdf=default_storage.save(f"c/B-{n}.pdf",
                                                                                      ContentFile(b"%PDF-1.7 b")))
