"""#7 item 6: a regulation's text is read by a background job, not inside the upload request; the
Desk shows where it stands, a failure is recorded with its reason, and a manager can run it again.
Jobs run on the suite's backend: the database queue, or Redis + RQ."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metrology.core.models import AuditEvent
from metrology.regulations import extraction
from metrology.regulations.models import ExtractionState, Regulation
from metrology.regulations.selectors import regulation_search
from metrology.regulations.services import regulation_extract, regulation_update, regulation_upload

from .conftest import docx_bytes, upload

pytestmark = pytest.mark.django_db

BODY_PHRASE = "相对湿度不大于百分之九十五"
BROKEN_PDF = b"%PDF-1.4\n" + b"\x00garbage" * 100


@pytest.fixture
def pdftotext_calls(monkeypatch) -> list:
    """Every call of the PDF text reader, which still really runs."""
    calls = []
    real = extraction.subprocess.run

    def recording(*args, **kwargs):
        calls.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(extraction.subprocess, "run", recording)
    return calls


def _post_upload(client, data: bytes, name: str = "jjg443.pdf"):
    form = {"code": "JJG 443-2023", "title": "燃油加油机检定规程", "kind": "", "effective_date": "",
            "withdrawal_date": "", "upload": upload(name, data)}
    return client.post(reverse("desk:regulations_regulation_add"), form)


def _codes(query: str) -> list[str]:
    return [hit.regulation.code for hit in regulation_search(query)]


def _change_page(client, regulation: Regulation) -> str:
    response = client.get(reverse("desk:regulations_regulation_change", args=[regulation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_upload_request_queues_the_extraction_instead_of_reading_the_pdf(
        login, admin, sample_pdf, jobs, pdftotext_calls):
    with jobs.enqueued():
        response = _post_upload(login(admin), sample_pdf)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert pdftotext_calls == []
    regulation = Regulation.objects.get()
    assert regulation.extraction_state == ExtractionState.PENDING and regulation.text == ""
    assert jobs.queued() == 1
    assert _codes(BODY_PHRASE) == []
    assert _codes("燃油加油机检定规程") == ["JJG 443-2023"]  # code and title are indexed at once


def test_running_the_job_extracts_the_text_and_search_then_finds_it(
        login, admin, sample_pdf, jobs, pdftotext_calls):
    with jobs.enqueued():
        _post_upload(login(admin), sample_pdf)
    assert jobs.run() == 1
    regulation = Regulation.objects.get()
    assert len(pdftotext_calls) == 1
    assert regulation.extraction_state == ExtractionState.DONE and regulation.extraction_error == ""
    assert "燃油加油机" in regulation.text
    assert _codes(BODY_PHRASE) == ["JJG 443-2023"]
    assert AuditEvent.objects.filter(action="regulation.text_done", object_id=str(regulation.pk)).exists()


def test_the_desk_page_shows_the_extraction_waiting_and_then_done(login, admin, jobs):
    with jobs.enqueued():
        regulation = regulation_upload(actor=admin, file=upload("a.docx", docx_bytes()), code="JJF 1229-2009",
                                       title="质量流量计型式评价大纲")
    client = login(admin)
    waiting = _change_page(client, regulation)
    assert 'data-extraction-state="pending"' in waiting
    assert str(ExtractionState.PENDING.label) in waiting
    changelist = client.get(reverse("desk:regulations_regulation_changelist")).content.decode()
    assert "extraction-pending" in changelist
    jobs.run()
    done = _change_page(client, regulation)
    assert "data-extraction-state" not in done and str(ExtractionState.DONE.label) in done


def test_a_failed_extraction_is_recorded_and_shown_with_its_reason_in_chinese(login, admin, jobs):
    with jobs.enqueued():
        regulation = regulation_upload(actor=admin, file=upload("broken.pdf", BROKEN_PDF),
                                       code="JJG 443-2023", title="燃油加油机检定规程")
    jobs.run()
    regulation.refresh_from_db()
    assert regulation.extraction_state == ExtractionState.FAILED
    assert regulation.extraction_error == "无法读取该 PDF 文件的文字，文件可能已损坏或受密码保护。"
    page = _change_page(login(admin), regulation)
    assert 'data-extraction-state="failed"' in page and regulation.extraction_error in page
    assert reverse("desk:regulations_regulation_extract", args=[regulation.pk]) in page


def test_an_administrator_runs_a_failed_extraction_again_from_the_desk(
        login, admin, sample_pdf, jobs, monkeypatch):
    def missing(*args, **kwargs):
        raise FileNotFoundError("pdftotext")

    with monkeypatch.context() as broken:
        broken.setattr(extraction.subprocess, "run", missing)
        regulation = jobs.after(lambda: regulation_upload(actor=admin, file=upload("a.pdf", sample_pdf),
                                                          code="JJG 443-2023", title="燃油加油机检定规程"))
    assert regulation.extraction_state == ExtractionState.FAILED
    assert "pdftotext" in regulation.extraction_error

    with jobs.enqueued():
        response = login(admin).post(reverse("desk:regulations_regulation_extract", args=[regulation.pk]))
    assert response.status_code == 302
    regulation.refresh_from_db()
    assert regulation.extraction_state == ExtractionState.PENDING and regulation.extraction_error == ""
    assert AuditEvent.objects.filter(action="regulation.extraction_requeued", actor=admin).exists()
    jobs.run()
    regulation.refresh_from_db()
    assert regulation.extraction_state == ExtractionState.DONE
    assert _codes(BODY_PHRASE) == ["JJG 443-2023"]


def test_the_admin_action_queues_failed_extractions_again(login, admin, jobs):
    regulation = jobs.after(lambda: regulation_upload(actor=admin, file=upload("b.pdf", BROKEN_PDF),
                                                      code="JJG 1-2000", title="某规程"))
    with jobs.enqueued():
        login(admin).post(reverse("desk:regulations_regulation_changelist"),
                          {"action": "extract_text_again", "_selected_action": [regulation.pk]})
    regulation.refresh_from_db()
    assert regulation.extraction_state == ExtractionState.PENDING
    assert jobs.queued() == 1


def test_readers_can_neither_see_nor_use_the_rerun_button(login, admin, inspector, jobs):
    regulation = jobs.after(lambda: regulation_upload(actor=admin, file=upload("b.pdf", BROKEN_PDF),
                                                      code="JJG 1-2000", title="某规程"))
    client = login(inspector)
    url = reverse("desk:regulations_regulation_extract", args=[regulation.pk])
    assert url not in _change_page(client, regulation)
    assert client.post(url).status_code == 403
    regulation.refresh_from_db()
    assert regulation.extraction_state == ExtractionState.FAILED


def test_a_job_for_a_file_since_replaced_leaves_the_newer_file_alone(admin, jobs):
    with jobs.enqueued():
        regulation = regulation_upload(actor=admin, file=upload("v1.docx", docx_bytes("第一版正文。")),
                                       code="JJG 443-2023", title="燃油加油机检定规程")
    first_sha = regulation.file_sha256
    regulation_update(actor=admin, regulation=regulation, file=upload("v2.docx", docx_bytes("第二版正文。")))
    assert regulation_extract(regulation_id=regulation.pk, file_sha256=first_sha) == "superseded"
    regulation.refresh_from_db()
    assert regulation.extraction_state == ExtractionState.PENDING and regulation.text == ""
