"""What a certificate must be able to print (#12 item 1, JJF 1069 / ISO/IEC 17025 7.8): the measurement
standards used with name, measuring range, accuracy, certificate number and validity, and the place and
environmental conditions of the work, and the item's authorisation number. A layout prints them with 检定地点, 环境温度, 相对湿度 and a table row
per standard (`{%tr for s in 计量标准器 %}`); the issued PDF and the record's preview both show them."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.files.storage import default_storage
from docx import Document

from metrology.certificates.models import Certificate
from metrology.doctype.document_kinds import DocumentKind
from metrology.print_formats.services import layout_upload
from metrology.records.conditions import record_conditions_set
from metrology.records.models import Standard
from metrology.records.preview import DONE, preview_outcome, preview_request
from metrology.records.services import record_standard_add, standard_save
from metrology.testing.pdf_tools import pdf_text
from metrology.testing.signing import take

pytestmark = pytest.mark.django_db

CONDITIONS = {"place": "示范加油站城东站", "temperature": "20.5 ℃", "humidity": "55 %RH"}
STANDARDS = [
    {"name": "标准金属量器", "measuring_range": "20 L", "accuracy": "二等", "certificate_number": "BZ-2025-001"},
    {"name": "温湿度计", "measuring_range": "(-20~60) ℃", "accuracy": "MPE ±0.3 ℃",
     "certificate_number": "WS-2025-017"},
]
AUTHORISATION = "（2025）量认法字（Z0001）号"
COLUMNS = ("名称", "测量范围", "准确度", "证书编号", "有效期至")


def contents_layout() -> bytes:
    """A small certificate layout: the conditions as placeholders, the standards as a table row loop."""
    document = Document()
    document.add_paragraph("证书编号：{{ 证书编号 }}")
    document.add_paragraph("检定地点：{{ 检定地点 }}")
    document.add_paragraph("环境温度：{{ 环境温度 }}")
    document.add_paragraph("相对湿度：{{ 相对湿度 }}")
    document.add_paragraph("授权证书号：{{ 授权证书号 }}")
    table = document.add_table(rows=4, cols=len(COLUMNS))
    for cell, title in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = title
    table.rows[1].cells[0].text = "{%tr for s in 计量标准器 %}"
    for cell, column in zip(table.rows[2].cells, COLUMNS, strict=True):
        cell.text = "{{ s.%s }}" % column
    table.rows[3].cells[0].text = "{%tr endfor %}"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture
def bound_contents_layout(issuing, fuel_versions):
    """The certificate layout above, uploaded after the JJG 443 one (so it is the current version)."""
    version = layout_upload(actor=None, procedure=fuel_versions[0].procedure, kind=DocumentKind.CERTIFICATE,
                            data=contents_layout(), filename="certificate_contents.docx")
    assert version.number == 2 and not version.lint["errors"]
    return version


@pytest.fixture
def noted(complete, inspector):
    """A complete record whose inspector noted the two standards and the work conditions."""
    valid_until = dt.date.today() + dt.timedelta(days=365)
    record = complete(serial_number="JY-CONTENTS-0042")
    for given in STANDARDS:
        standard = standard_save(actor=None, standard=Standard(valid_until=valid_until, **given))
        record_standard_add(actor=inspector, record=record, standard=standard)
    record_conditions_set(actor=inspector, record=record, **CONDITIONS)
    record.item.authorisation_basis = AUTHORISATION
    record.item.save(update_fields=["authorisation_basis"])
    return record


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _assert_prints_the_contents(pdf: bytes) -> None:
    text = _compact(pdf_text(pdf, layout=False))
    for key, value in (("授权证书号", AUTHORISATION), ("检定地点", CONDITIONS["place"]), ("环境温度", CONDITIONS["temperature"]),
                       ("相对湿度", CONDITIONS["humidity"])):
        assert _compact(f"{key}：{value}") in text, (key, text)
    until = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    rows = [_compact("".join((s["name"], s["measuring_range"], s["accuracy"], s["certificate_number"], until)))
            for s in STANDARDS]
    assert rows[0] in text and rows[1] in text, (rows, text)
    assert text.index(rows[0]) < text.index(rows[1])  # one row per standard, in the order they were noted


def test_an_issued_certificate_prints_the_standards_used_and_the_work_conditions(
        noted, inspector, verifier, approver, bound_contents_layout, jobs, django_capture_on_commit_callbacks):
    take(inspector, noted, "submit")
    take(verifier, noted, "verify")
    with django_capture_on_commit_callbacks(execute=True):
        take(approver, noted, "approve")
    assert jobs.run() >= 1
    certificate = Certificate.objects.get(record=noted)
    assert certificate.state == Certificate.State.ISSUED
    with default_storage.open(certificate.pdf, "rb") as handle:
        pdf = handle.read()
    assert certificate.number in pdf_text(pdf)
    _assert_prints_the_contents(pdf)


def test_the_certificate_preview_prints_them_before_submission(noted, inspector, bound_contents_layout, jobs):
    job = preview_request(actor=inspector, record=noted, kind=DocumentKind.CERTIFICATE)
    assert jobs.run() >= 1
    state, pdf, message = preview_outcome(noted, job)
    assert (state, message) == (DONE, "")
    assert "（证书编号）" in pdf_text(pdf)
    _assert_prints_the_contents(pdf)


def test_the_layouts_own_preview_renders_with_no_standards_and_blank_conditions(bound_contents_layout, jobs):
    from metrology.print_formats.preview import preview_pdf

    text = pdf_text(preview_pdf(bound_contents_layout))
    assert "检定地点：" in text and "名称" in text and "有效期至" in text
    assert "BZ-2025-001" not in text


def test_a_layout_reading_a_column_standards_do_not_have_is_refused(issuing, fuel_versions):
    from metrology.print_formats.layouts import LayoutRefused

    document = Document()
    document.add_paragraph("{%p for s in 计量标准器 %}")
    document.add_paragraph("{{ s.型号 }}")
    document.add_paragraph("{%p endfor %}")
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(LayoutRefused) as refused:
        layout_upload(actor=None, procedure=fuel_versions[0].procedure, kind=DocumentKind.CERTIFICATE,
                      data=out.getvalue(), filename="wrong_column.docx")
    assert refused.value.report.errors == ["计量标准器 没有表格列 型号。"]
