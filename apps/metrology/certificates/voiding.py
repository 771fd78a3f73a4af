"""Voiding a certificate (R-4.2.4.5, R-4.3.12.9; ISO/IEC 17025 7.8.8): by someone allowed to, with a
stated reason. The original file is kept; a new PDF carries the red 作废 band on every page with the
reason and date (appended as an incremental update, so the issuing signature still verifies) and is
signed again. An optional reissue makes a new certificate with a new number that names the one it
replaces, issued from the same approval's record by the same job as any certificate.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.certificates.errors import CertificateRefused
from metrology.certificates.finishing import signing_key
from metrology.certificates.models import Certificate
from metrology.certificates.pdf.signing import sign
from metrology.certificates.pdf.watermark import void_watermark
from metrology.certificates.services import stored_pdf
from metrology.core.audit import audit_log
from metrology.core.permissions import perm

VOID_FIELD = "Void"


def _voided_pdf(certificate: Certificate, reason: str, on: dt.date) -> bytes:
    with default_storage.open(certificate.pdf, "rb") as handle:
        original = handle.read()
    marked = void_watermark(original, reason=reason, voided_on=on)
    return sign(marked, key=signing_key(), field_name=VOID_FIELD, reason=f"作废 {certificate.number}",
                location="", certify=False)


def certificate_void(*, actor: Person, certificate: Certificate, reason: str, reissue: bool = False) -> Certificate:
    """Void an issued certificate with its reason; the voided PDF is made before anything is saved. With
    ``reissue``, a job then issues its replacement with a new number."""
    if not actor.has_perm(perm("certificates_void")):
        raise CertificateRefused(_("You do not have permission to void certificates."))
    reason = " ".join((reason or "").split())[:500]
    if not reason:
        raise CertificateRefused(_("Give the reason for voiding the certificate."), field="reason")
    if certificate.state != Certificate.State.ISSUED:
        raise CertificateRefused(_("Only a valid certificate can be voided; %(number)s is not.")
                                 % {"number": certificate.number})
    today = timezone.localdate()
    voided = _voided_pdf(certificate, reason, today)
    return _void_saved(actor, certificate, reason, voided, reissue)


@transaction.atomic
def _void_saved(actor: Person, certificate: Certificate, reason: str, voided: bytes, reissue: bool) -> Certificate:
    current = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if current.state != Certificate.State.ISSUED:
        raise CertificateRefused(_("Only a valid certificate can be voided; %(number)s is not.")
                                 % {"number": current.number})
    current.void_pdf, current.void_pdf_sha256 = stored_pdf(voided, f"{current.number}-void")
    current.state, current.voided_at, current.voided_by, current.void_reason = (
        Certificate.State.VOID, timezone.now(), actor, reason)
    current.save()
    audit_log(actor=actor, action="certificate.voided", obj=current, before={"state": Certificate.State.ISSUED},
              after={"state": current.state, "void_pdf_sha256": current.void_pdf_sha256, "reissue": reissue},
              reason=reason)
    if reissue:
        from metrology.certificates.tasks import issue_certificate

        approval_id, replaces_id = current.approval_id, current.pk
        transaction.on_commit(lambda: issue_certificate.enqueue(approval_id, replaces_id))
    return current
