"""Reading regulations in the Desk (R-4.2.3.7 "authorised users can read them at any time")."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from metrology.core.models import AuditEvent
from metrology.regulations.models import Regulation
from metrology.regulations.services import regulation_upload

from .conftest import BODY, docx_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def pdf_regulation(admin, sample_pdf, jobs):
    return jobs.after(lambda: regulation_upload(
        actor=admin, file=upload("JJG 443-2023 燃油加油机.pdf", sample_pdf), code="JJG 443-2023",
        title="燃油加油机检定规程"))


@pytest.fixture
def docx_regulation(admin, jobs):
    return jobs.after(lambda: regulation_upload(
        actor=admin, file=upload("JJF1229.docx", docx_bytes(*BODY, "使用<b>前</b>应预热。")), code="JJF 1229-2009",
        title="质量流量计型式评价大纲"))


def _urls(regulation: Regulation) -> list[str]:
    return [reverse(f"desk:regulations_regulation_{name}", args=[regulation.pk])
            for name in ("read", "text", "download", "change")] + [
        reverse("desk:regulations_regulation_search"), reverse("desk:regulations_regulation_changelist")]


def test_a_person_without_the_permission_gets_403(login, outsider, pdf_regulation):
    client = login(outsider)
    for url in _urls(pdf_regulation):
        assert client.get(url, {"q": "燃油"}).status_code == 403, url


def test_anonymous_visitors_are_sent_to_the_login(client, pdf_regulation):
    response = client.get(reverse("desk:regulations_regulation_read", args=[pdf_regulation.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_pdf_is_served_inline_for_reading(login, inspector, pdf_regulation, sample_pdf):
    response = login(inspector).get(reverse("desk:regulations_regulation_read", args=[pdf_regulation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "filename*=utf-8''JJG%20443-2023" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == sample_pdf


def test_the_original_file_can_be_downloaded(login, inspector, docx_regulation):
    url = reverse("desk:regulations_regulation_download", args=[docx_regulation.pk])
    response = login(inspector).get(url)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_word_regulation_is_read_as_text_with_a_download_link(login, inspector, docx_regulation):
    response = login(inspector).get(reverse("desk:regulations_regulation_read", args=[docx_regulation.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert "本规程适用于燃油加油机的首次检定" in html and "正负百分之零点三" in html
    assert "使用&lt;b&gt;前&lt;/b&gt;应预热" in html
    assert reverse("desk:regulations_regulation_download", args=[docx_regulation.pk]) in html


def test_the_text_page_marks_every_hit_of_the_phrase(login, inspector, docx_regulation):
    url = reverse("desk:regulations_regulation_text", args=[docx_regulation.pk])
    html = login(inspector).get(url, {"q": "流量点"}).content.decode()
    assert html.count("<mark>流量点</mark>") == 4


def test_the_changelist_links_each_regulation_to_reading_and_to_search(login, inspector, pdf_regulation):
    html = login(inspector).get(reverse("desk:regulations_regulation_changelist")).content.decode()
    assert reverse("desk:regulations_regulation_read", args=[pdf_regulation.pk]) in html
    assert reverse("desk:regulations_regulation_search") in html
    assert "JJG 443-2023" in html


def test_the_library_sits_in_the_setup_module_of_the_desk(login, inspector):
    html = login(inspector).get(reverse("desk:index")).content.decode()
    assert reverse("desk:regulations_regulation_changelist") in html


def test_readers_cannot_upload(login, inspector):
    client = login(inspector)
    assert client.get(reverse("desk:regulations_regulation_add")).status_code == 403


def _form(**overrides) -> dict:
    return {"code": "JJG 443-2023", "title": "燃油加油机检定规程", "kind": "", "effective_date": "",
            "withdrawal_date": "", **overrides}


def test_an_upload_through_the_desk_goes_through_the_service(login, admin, sample_pdf, jobs):
    with jobs.enqueued():
        response = login(admin).post(reverse("desk:regulations_regulation_add"),
                                     _form(upload=upload("jjg443.pdf", sample_pdf)))
    assert response.status_code == 302, response.content.decode()[:2000]
    jobs.run()
    regulation = Regulation.objects.get()
    assert regulation.kind == "jjg" and "燃油加油机" in regulation.text
    assert AuditEvent.objects.filter(action="regulation.uploaded", object_id=str(regulation.pk)).exists()


def test_a_refused_upload_through_the_desk_shows_why_and_keeps_the_form(login, admin):
    with translation.override("en"):
        response = login(admin).post(reverse("desk:regulations_regulation_add"),
                                     _form(upload=upload("fake.pdf", b"MZ\x90\x00 not a pdf")))
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a PDF document" in html and "燃油加油机检定规程" in html
    assert not Regulation.objects.exists()


def test_editing_through_the_desk_keeps_the_file_unless_a_new_one_is_given(login, admin, docx_regulation):
    url = reverse("desk:regulations_regulation_change", args=[docx_regulation.pk])
    response = login(admin).post(url, _form(code="JJF 1229-2009", title="质量流量计型式评价大纲",
                                            kind="jjf", withdrawal_date="2024-05-01"))
    assert response.status_code == 302, response.content.decode()[:2000]
    docx_regulation.refresh_from_db()
    assert docx_regulation.withdrawal_date.isoformat() == "2024-05-01"
    assert docx_regulation.original_name == "JJF1229.docx"
    assert AuditEvent.objects.filter(action="regulation.updated").count() == 1


def test_readers_see_a_regulation_read_only_and_managers_can_edit_it(login, inspector, admin, docx_regulation):
    url = reverse("desk:regulations_regulation_change", args=[docx_regulation.pk])
    reader_page = login(inspector).get(url)
    assert reader_page.status_code == 200
    html = reader_page.content.decode()
    assert 'name="title"' not in html and 'field-upload"' not in html and "field-uploaded_by" in html
    manager_page = login(admin).get(url).content.decode()
    assert 'name="title"' in manager_page and 'name="upload"' in manager_page
    assert docx_regulation.file_sha256 in manager_page
    assert 'name="upload"' in login(admin).get(reverse("desk:regulations_regulation_add")).content.decode()
