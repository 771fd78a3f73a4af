"""Layouts as Word and WPS write them (R-4.2.3.6): curly quotes, revisions and spelling marks inside
placeholders; the Desk preview; the CLI's refusals; the basis printed from the regulation library."""

from __future__ import annotations

import copy
import io
import json
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from metrology.cli import main
from metrology.doctype.engine import compute
from metrology.print_formats.context import layout_context
from metrology.print_formats.layouts import LayoutRefused, checked_layout, render_layout

REPO = Path(__file__).resolve().parents[2]
PACK_PATH = REPO / "apps/metrology/packs/jjg443_fuel_dispenser.json"
PACK = json.loads(PACK_PATH.read_text(encoding="utf-8"))
CERTIFICATE = REPO / "tests" / "data" / "templates" / "certificate_jjg443.docx"


def _document(*paragraph_xml: str) -> bytes:
    document = Document()
    body = document.element.body
    for xml in paragraph_xml:
        body.insert(len(body) - 1, parse_xml(f"<w:p {nsdecls('w')}>{xml}</w:p>"))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _text(rendered: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(rendered)).paragraphs)


def _render(data: bytes, document: dict | None = None) -> str:
    layout, _report = checked_layout(data, "docx", PACK)
    result = compute(PACK, PACK["test_cases"][0]["inputs"]).to_json()
    return _text(render_layout(layout, layout_context(PACK, result, document or {"证书编号": "JD-9"})))


def test_curly_quotes_typed_by_word_inside_tags_still_work():
    data = _document('<w:r><w:t xml:space="preserve">{% if 检定结论 == “合格” %}准予使用{% endif %}</w:t></w:r>')
    assert "准予使用" in _render(data)


def test_revisions_and_spelling_marks_inside_a_placeholder_are_resolved():
    data = _document(
        '<w:r><w:t xml:space="preserve">编号：{{ 证书</w:t></w:r><w:proofErr w:type="spellStart"/>'
        '<w:ins w:id="1" w:author="a"><w:r><w:t>编号</w:t></w:r></w:ins>'
        '<w:del w:id="2" w:author="a"><w:r><w:delText>旧号</w:delText></w:r></w:del>'
        '<w:proofErr w:type="spellEnd"/><w:r><w:t xml:space="preserve"> }}</w:t></w:r>')
    assert "编号：JD-9" in _render(data)


def test_a_bookmark_named_after_a_field_gets_its_value_in_the_runs_formatting():
    data = _document('<w:r><w:t>型号：</w:t></w:r><w:bookmarkStart w:id="7" w:name="计量器具型号"/>'
                     '<w:r><w:rPr><w:b/></w:rPr><w:t>（型号）</w:t></w:r><w:bookmarkEnd w:id="7"/>')
    layout, _report = checked_layout(data, "docx", PACK)
    inputs = dict(PACK["test_cases"][0]["inputs"], 计量器具型号="DJY-7")
    rendered = render_layout(layout, layout_context(PACK, compute(PACK, inputs).to_json(), {}))
    paragraph = next(p for p in Document(io.BytesIO(rendered)).paragraphs if "DJY-7" in p.text)
    assert paragraph.text == "型号：DJY-7" and paragraph.runs[-1].bold


def test_a_bookmark_that_matches_no_field_is_an_error():
    data = _document('<w:bookmarkStart w:id="3" w:name="不存在"/><w:r><w:t>x</w:t></w:r><w:bookmarkEnd w:id="3"/>')
    with pytest.raises(LayoutRefused) as caught:
        checked_layout(data, "docx", PACK)
    assert any("不存在" in error and "书签" in error for error in caught.value.report.errors)


def test_render_refuses_a_bad_layout_with_its_problems(db, tmp_path, capsys):
    layout = tmp_path / "bad.docx"
    layout.write_bytes(_document('<w:r><w:t>{{ 不存在的字段 }}</w:t></w:r>'))
    values = tmp_path / "values.json"
    values.write_text(json.dumps(PACK["test_cases"][0]["inputs"], ensure_ascii=False), encoding="utf-8")
    assert main(["render", str(layout), str(PACK_PATH), str(values), "-o", str(tmp_path / "out.docx")]) == 2
    assert "不存在的字段" in capsys.readouterr().err
    assert not (tmp_path / "out.docx").exists()


def test_an_oversize_layout_is_refused(admin, db):
    from metrology.doctype.packs import pack_import
    from metrology.print_formats.services import layout_upload

    procedure = pack_import(actor=admin, definition=copy.deepcopy(PACK), authorise=True, publish=True)[0].procedure
    with pytest.raises(LayoutRefused) as caught:
        layout_upload(actor=admin, procedure=procedure, kind="检定证书", data=b"PK" + b"\0" * (11 * 2**20),
                      filename="big.docx")
    assert "10 MiB" in caught.value.message


def test_the_desk_preview_is_a_pdf_with_the_basis_from_the_regulation_library(login, admin, db, tmp_path,
                                                                             layout_jobs, layout_files):
    """The preview is made by a job, not in the request (#8): the page shows its state, then the PDF."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from metrology.doctype.packs import pack_import
    from metrology.print_formats.services import layout_upload
    from metrology.regulations.services import regulation_upload

    procedure = pack_import(actor=admin, definition=copy.deepcopy(PACK), authorise=True, publish=True)[0].procedure
    layout = layout_upload(actor=admin, procedure=procedure, kind="检定证书", data=CERTIFICATE.read_bytes(),
                           filename="certificate_jjg443.docx").layout
    text_file = io.BytesIO()
    regulation_document = Document()
    regulation_document.add_paragraph("燃油加油机检定规程正文。")
    regulation_document.save(text_file)
    regulation_upload(actor=admin, file=SimpleUploadedFile("jjg443.docx", text_file.getvalue()),
                      code="JJG 443-2023", title="燃油加油机（规程库标题）")
    client = login(admin)
    assert client.get(reverse("desk:print_formats_layout_preview", args=[layout.pk])).status_code == 200
    started = client.post(reverse("desk:print_formats_layout_preview", args=[layout.pk]))
    assert started.status_code == 302
    waiting = client.get(started["Location"]).content.decode()
    assert 'data-state="waiting"' in waiting and 'http-equiv="refresh"' in waiting
    assert layout_jobs.run() >= 1
    ready = client.get(started["Location"]).content.decode()
    assert 'data-state="ready"' in ready
    response = client.get(started["Location"] + "pdf/")
    assert response["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True,
                          timeout=60, check=True).stdout.decode()
    assert "JJG 443-2023《燃油加油机（规程库标题）》" in text
    assert "（证书编号）" in text
