"""Issuing a certificate from an approval (R-4.3.12.2–4), as a job after the approval's commit.

Two transactions with the slow work between them, so a retry — after a failure or a killed worker —
never makes a second certificate or number:
1. `certificate_number`: under the record's lock, the approval's certificate is found or created with
   its number allocated from the scheme of the item × test type × kind, in the same transaction (the
   approval step is unique on the certificate).
2. rendering, converting, stamping and signing, outside any transaction;
3. `_certificate_done`: the files stored by their SHA-256, the certificate issued, with its audit row —
   unless a concurrent run got there first, which then wins and this run's files are left unused.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.certificates.documents import certificate_pdf, raw_record_pdf
from metrology.certificates.errors import CertificateRefused
from metrology.certificates.finishing import finished_pdf
from metrology.certificates.models import Certificate
from metrology.core.audit import audit_log
from metrology.doctype.document_kinds import DocumentKind
from metrology.numbering.selectors import scheme_for
from metrology.numbering.services import number_allocate
from metrology.records.entry import entry_plan, live_results
from metrology.records.models import Record
from metrology.records.selectors import record_context
from metrology.workflow.models import RecordStep

FOLDER = "certificates"


def _kind(record: Record) -> str:
    live = live_results(entry_plan(record.version.definition), record.inputs, record_context(record))
    kind = live["document_kind"]
    if not live["complete"] or kind not in DocumentKind.values or kind == DocumentKind.RAW_RECORD:
        raise CertificateRefused(_("The record's values give no certificate or notice; it cannot be issued."))
    return kind


@transaction.atomic
def certificate_number(*, approval_id: int, replaces_id: int | None = None) -> Certificate:
    """The approval's certificate (or the reissue of a voided one), numbered: found if it exists,
    otherwise made with a new number."""
    approval = RecordStep.objects.get(pk=approval_id)
    Record.objects.select_for_update().filter(pk=approval.record_id).values_list("pk", flat=True).get()
    existing = Certificate.objects.filter(approval=approval, replaces_id=replaces_id).first()
    if existing is not None:
        return existing
    record = Record.objects.select_related("version", "item", "sub_type__parent").get(pk=approval.record_id)
    kind = _kind(record)
    scheme = scheme_for(item=record.item, test_type=record.sub_type, document_kind=kind)
    if scheme is None:
        raise CertificateRefused(_("There is no numbering scheme for %(kind)s of %(item)s · %(sub_type)s; please ask "
                                   "the administrator to add one, then issue it again.")
                                 % {"kind": DocumentKind(kind).label, "item": record.item.name,
                                    "sub_type": record.sub_type})
    number = number_allocate(scheme=scheme, actor=approval.actor, reference=f"certificate:{approval.pk}").number
    certificate = Certificate.objects.create(record=record, approval=approval, kind=kind, number=number,
                                             numbered_at=timezone.now(), replaces_id=replaces_id)
    audit_log(actor=approval.actor, action="certificate.numbered", obj=certificate,
              after={"number": number, "kind": kind, "record": record.pk, "approval": approval.pk,
                     "replaces": replaces_id})
    return certificate


def stored_pdf(data: bytes, name: str) -> tuple[str, str]:
    """Keep a PDF through the storage API, named by number and SHA-256; (storage name, SHA-256)."""
    digest = hashlib.sha256(data).hexdigest()
    return default_storage.save(f"{FOLDER}/{name}-{digest[:12]}.pdf", ContentFile(data)), digest


@transaction.atomic
def _certificate_done(certificate: Certificate, pdf: bytes, raw: bytes | None) -> Certificate:
    current = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if current.state != Certificate.State.NUMBERED:
        return current  # a concurrent run finished first
    current.pdf, current.pdf_sha256 = stored_pdf(pdf, current.number)
    if raw is not None:
        current.raw_record_pdf, current.raw_record_sha256 = stored_pdf(raw, f"{current.number}-raw-record")
    current.state, current.issued_at, current.last_error = Certificate.State.ISSUED, timezone.now(), ""
    current.save()
    audit_log(actor=current.approval.actor, action="certificate.issued", obj=current,
              after={"number": current.number, "pdf_sha256": current.pdf_sha256,
                     "raw_record_sha256": current.raw_record_sha256})
    return current


def _attempted(certificate: Certificate, error: str) -> None:
    Certificate.objects.filter(pk=certificate.pk).update(attempts=certificate.attempts + 1, last_error=error[:500])


def certificate_issue(*, approval_id: int, replaces_id: int | None = None) -> Certificate:
    """Issue the approval's certificate (or a voided one's reissue): numbered, rendered, stamped, signed
    and stored; idempotent."""
    certificate = certificate_number(approval_id=approval_id, replaces_id=replaces_id)
    if certificate.state != Certificate.State.NUMBERED:
        return certificate
    issued_on = timezone.localdate()
    try:
        pdf = finished_pdf(certificate, certificate_pdf(certificate, issued_on))
        raw = raw_record_pdf(certificate, issued_on)
    except Exception as error:
        _attempted(certificate, str(error))
        raise
    return _certificate_done(certificate, pdf, raw)


@transaction.atomic
def certificate_issue_again(*, actor, certificates) -> int:
    """Queue again the issuing of certificates still being made (a failure fixed since: a layout bound, the
    converter back); how many. Issuing is idempotent, so one queued twice is made once."""
    from metrology.certificates.tasks import issue_certificate
    from metrology.core.permissions import perm

    if not actor.has_perm(perm("certificates_edit")):
        raise CertificateRefused(_("You do not have permission to issue certificates again."))
    waiting = list(certificates.filter(state=Certificate.State.NUMBERED))
    for certificate in waiting:
        audit_log(actor=actor, action="certificate.issue_again", obj=certificate,
                  after={"attempts": certificate.attempts, "last_error": certificate.last_error})
        approval_id, replaces_id = certificate.approval_id, certificate.replaces_id
        transaction.on_commit(lambda a=approval_id, r=replaces_id: issue_certificate.enqueue(a, r))
    return len(waiting)
