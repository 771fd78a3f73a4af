"""Preview of a record's documents before submission (R-4.3.9.5): made by a job from the bound layout."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from metrology.doctype.document_kinds import DocumentKind
from metrology.print_formats.services import layout_upload
from metrology.records.errors import RecordRefused
from metrology.records.preview import DONE, FAILED, WAITING, preview_outcome, preview_request
from metrology.testing.jobs import InProcessJobs

from metrology.testing.fuel import fuel_example

pytestmark = pytest.mark.django_db

F1 = fuel_example("F1")
TEMPLATES = Path(__file__).resolve().parents[1] / "data" / "templates"


@pytest.fixture
def jobs(db, settings, tmp_path) -> InProcessJobs:
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return InProcessJobs()


@pytest.fixture
def certificate_layout(fuel_versions, jobs):
    procedure = fuel_versions[0].procedure
    return layout_upload(actor=None, procedure=procedure, kind=DocumentKind.CERTIFICATE,
                         data=(TEMPLATES / "certificate_jjg443.docx").read_bytes(),
                         filename="certificate_jjg443.docx")


def _pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, timeout=60,
                          check=True).stdout.decode()


def test_the_certificate_preview_is_a_pdf_made_by_a_job_with_the_records_values(
        start, enter, inspector, certificate_layout, jobs):
    record = start(serial_number="JY-PREVIEW-0042")
    enter(record, F1["inputs"])
    job_id = preview_request(actor=inspector, record=record, kind=DocumentKind.CERTIFICATE)
    assert preview_outcome(record, job_id) == (WAITING, None, "")
    assert jobs.run() >= 1
    state, pdf, message = preview_outcome(record, job_id)
    assert (state, message) == (DONE, "")
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf)
    assert "JY-PREVIEW-0042" in text
    assert "（证书编号）" in text  # the number comes at issue, not at preview


def test_a_kind_without_a_bound_layout_is_refused_in_chinese(start, enter, inspector, certificate_layout, jobs):
    record = start()
    enter(record, F1["inputs"])
    with pytest.raises(RecordRefused) as refused:
        preview_request(actor=inspector, record=record, kind=DocumentKind.RAW_RECORD)
    assert "版式" in refused.value.message and jobs.queued() == 0


def test_a_preview_job_of_another_record_is_refused(start, enter, inspector, certificate_layout, jobs):
    first, second = start(), start()
    enter(first, F1["inputs"])
    job_id = preview_request(actor=inspector, record=first, kind=DocumentKind.CERTIFICATE)
    with pytest.raises(RecordRefused):
        preview_outcome(second, job_id)
    with pytest.raises(RecordRefused):
        preview_outcome(first, "not-a-job-id")


def test_the_certificate_is_not_previewed_before_the_verdict_is_known(start, inspector, certificate_layout):
    record = start()
    with pytest.raises(RecordRefused) as refused:
        preview_request(actor=inspector, record=record, kind=DocumentKind.CERTIFICATE)
    assert "完整" in refused.value.message


def test_a_passing_record_gives_no_notice_to_preview(start, enter, inspector, certificate_layout):
    record = start()
    enter(record, F1["inputs"])
    with pytest.raises(RecordRefused) as refused:
        preview_request(actor=inspector, record=record, kind=DocumentKind.NOTICE)
    assert "检定证书" in refused.value.message


def test_a_person_who_may_not_read_the_record_cannot_preview_it(start, enter, make_person, certificate_layout):
    record = start()
    enter(record, F1["inputs"])
    with pytest.raises(RecordRefused):
        preview_request(actor=make_person("outsider", "局外人"), record=record, kind=DocumentKind.CERTIFICATE)


def test_a_layout_that_cannot_render_the_record_fails_with_its_reason(start, enter, inspector, fuel_versions, jobs):
    from metrology.testing.documents import docx_of_paragraphs

    layout_upload(actor=None, procedure=fuel_versions[0].procedure, kind=DocumentKind.RAW_RECORD,
                  data=docx_of_paragraphs("{{ 产品出厂编号 }}", "{{ 1 / (产品出厂编号|length - 产品出厂编号|length) }}"), filename="raw.docx")
    record = start(serial_number="JY-1")
    job_id = preview_request(actor=inspector, record=record, kind=DocumentKind.RAW_RECORD)
    jobs.run()
    state, pdf, message = preview_outcome(record, job_id)
    assert state == FAILED and pdf is None and message
