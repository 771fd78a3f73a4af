"""Voiding (R-4.2.4.5, R-4.3.12.9; ISO/IEC 17025 7.8.8): with a reason, the original kept, a new PDF with a
red 作废 band signed again, the public page saying 已作废, and a reissue that names the original."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.storage import default_storage

from metrology.certificates.errors import CertificateRefused
from metrology.certificates.models import Certificate
from metrology.certificates.voiding import certificate_void
from metrology.core.models import AuditEvent
from metrology.testing.pdf_tools import first_page_png, pdf_text, pdfsig, strongly_red_share

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(approved, jobs) -> Certificate:
    jobs.run()
    return Certificate.objects.get(record=approved)


@pytest.fixture
def document_manager(make_person):
    return make_person("zhaoliu", "赵六", "document_manager")


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def test_a_voided_certificate_keeps_its_original_and_gets_a_signed_pdf_with_a_red_band(issued, document_manager):
    original = _read(issued.pdf)
    voided = certificate_void(actor=document_manager, certificate=issued, reason="送检单位名称有误")
    assert voided.state == Certificate.State.VOID and voided.void_reason == "送检单位名称有误"
    assert hashlib.sha256(_read(voided.pdf)).hexdigest() == voided.pdf_sha256 == issued.pdf_sha256
    assert _read(voided.pdf) == original
    void_pdf = _read(voided.void_pdf)
    assert hashlib.sha256(void_pdf).hexdigest() == voided.void_pdf_sha256
    report = pdfsig(void_pdf)
    assert report.count("Signature is Valid") == 2, report  # the issuing signature and the void one
    text = "".join(pdf_text(void_pdf, layout=False).split())  # the band's text runs along the diagonal
    assert "作废原因：送检单位名称有误" in text and "作废日期：" in text
    assert strongly_red_share(first_page_png(void_pdf)) > 3 * strongly_red_share(first_page_png(original))
    event = AuditEvent.objects.get(action="certificate.voided", object_id=str(issued.pk))
    assert (event.actor_id, event.reason) == (document_manager.pk, "送检单位名称有误")


def test_the_public_page_of_a_voided_certificate_says_it_is_void(issued, document_manager, client):
    certificate_void(actor=document_manager, certificate=issued, reason="送检单位名称有误")
    page = client.get(f"/v/{issued.public_token}/").content.decode()
    assert 'data-state="void"' in page and "已作废" in page and "送检单位名称有误" in page


def test_voiding_needs_the_permission_and_a_reason_and_happens_once(issued, document_manager, inspector):
    with pytest.raises(CertificateRefused):
        certificate_void(actor=inspector, certificate=issued, reason="无权")
    with pytest.raises(CertificateRefused):
        certificate_void(actor=document_manager, certificate=issued, reason="  ")
    certificate_void(actor=document_manager, certificate=issued, reason="重复")
    with pytest.raises(CertificateRefused):
        certificate_void(actor=document_manager, certificate=Certificate.objects.get(pk=issued.pk), reason="再次")
    assert Certificate.objects.get(pk=issued.pk).void_reason == "重复"


def test_a_reissue_gets_a_new_number_and_names_the_certificate_it_replaces(
        issued, document_manager, jobs, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        certificate_void(actor=document_manager, certificate=issued, reason="送检单位名称有误", reissue=True)
    jobs.run()
    replacement = Certificate.objects.get(replaces=issued)
    assert replacement.state == Certificate.State.ISSUED and replacement.number != issued.number
    assert replacement.approval_id == issued.approval_id
    assert "Signature is Valid" in pdfsig(_read(replacement.pdf))
    assert issued.number in client.get(f"/v/{replacement.public_token}/").content.decode()
    assert replacement.number in client.get(f"/v/{issued.public_token}/").content.decode()


def test_the_void_page_in_the_desk_voids_with_the_reason_given(issued, document_manager, login):
    page = login(document_manager).post(f"/desk/certificates/certificate/{issued.pk}/void/",
                                        {"reason": "送检单位名称有误"})
    assert page.status_code == 302
    assert Certificate.objects.get(pk=issued.pk).state == Certificate.State.VOID
