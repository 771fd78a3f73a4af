"""From approval to a sealed, signed certificate (R-4.3.12.2–4): a job after the approval's commit numbers,
renders, stamps and signs it; pdfsig validates the signature; a retry changes nothing."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage

from metrology.certificates.models import Certificate
from metrology.certificates.services import certificate_issue
from metrology.core.models import AuditEvent
from metrology.doctype.document_kinds import DocumentKind
from metrology.numbering.models import IssuedNumber
from metrology.testing.pdf_tools import pdf_text, pdfsig

pytestmark = pytest.mark.django_db


def test_an_approval_issues_a_signed_certificate_that_pdfsig_validates(approved, jobs):
    assert jobs.run() >= 1
    certificate = Certificate.objects.get(record=approved)
    assert certificate.state == Certificate.State.ISSUED and certificate.kind == DocumentKind.CERTIFICATE
    assert certificate.number.startswith("JD") and certificate.pdf_sha256
    with default_storage.open(certificate.pdf, "rb") as handle:
        pdf = handle.read()
    assert hashlib.sha256(pdf).hexdigest() == certificate.pdf_sha256
    assert "Signature is Valid" in pdfsig(pdf)
    text = pdf_text(pdf)
    for expected in (certificate.number, "JY-ISSUE-0042", "示范加油站有限公司", "合格", "JJG 443", "第1页共1页"):
        assert expected in text, expected
    assert AuditEvent.objects.filter(action="certificate.issued", object_id=str(certificate.pk)).exists()


def test_one_changed_byte_makes_the_signature_invalid(approved, jobs):
    jobs.run()
    certificate = Certificate.objects.get(record=approved)
    with default_storage.open(certificate.pdf, "rb") as handle:
        pdf = bytearray(handle.read())
    position = pdf.index(b"/Contents", len(pdf) // 4) // 2  # inside the first revision, which is signed
    pdf[position] = ord("A") if pdf[position] != ord("A") else ord("B")
    assert "Signature is Valid" not in pdfsig(bytes(pdf))


def test_issuing_again_makes_no_second_certificate_or_number(approved, jobs):
    jobs.run()
    certificate = Certificate.objects.get(record=approved)
    again = certificate_issue(approval_id=certificate.approval_id)
    assert again.pk == certificate.pk and again.pdf == certificate.pdf
    assert Certificate.objects.count() == 1
    assert IssuedNumber.objects.filter(number=certificate.number).count() == 1


def test_a_failed_issue_keeps_its_number_and_completes_when_run_again(approved, jobs, monkeypatch):
    from metrology.certificates import services

    def broken(certificate, issued_on):
        raise RuntimeError("converter stopped")

    monkeypatch.setattr(services, "certificate_pdf", broken)
    jobs.run()
    numbered = Certificate.objects.get(record=approved)
    assert (numbered.state, numbered.attempts, numbered.last_error) == (Certificate.State.NUMBERED, 1,
                                                                        "converter stopped")
    monkeypatch.undo()
    issued = certificate_issue(approval_id=numbered.approval_id)
    assert (issued.pk, issued.number, issued.state) == (numbered.pk, numbered.number, Certificate.State.ISSUED)


def test_the_public_page_shows_the_certificate_with_the_client_masked(approved, jobs, client):
    jobs.run()
    certificate = Certificate.objects.get(record=approved)
    page = client.get(f"/v/{certificate.public_token}/").content.decode()
    assert certificate.number in page and 'data-state="issued"' in page
    assert "示范加油站有限公司" not in page and "示范" in page
    assert client.get(f"/v/{certificate.public_token[:-1]}x/").status_code == 404


def test_the_public_page_checks_an_uploaded_pdf_against_the_one_issued(approved, jobs, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    jobs.run()
    certificate = Certificate.objects.get(record=approved)
    with default_storage.open(certificate.pdf, "rb") as handle:
        pdf = handle.read()
    url = f"/v/{certificate.public_token}/"
    same = client.post(url, {"pdf": SimpleUploadedFile("c.pdf", pdf, "application/pdf")}).content.decode()
    assert 'data-matches="yes"' in same
    other = client.post(url, {"pdf": SimpleUploadedFile("c.pdf", pdf + b"\n", "application/pdf")}).content.decode()
    assert 'data-matches="no"' in other
