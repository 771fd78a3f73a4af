"""Signature and seal slots take images (R-4.3.12.3–4); Word's page fields give "page x of y"."""

from __future__ import annotations

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from metrology.doctype.engine import compute
from metrology.print_formats.context import layout_context
from metrology.print_formats.converter import convert_to_pdf
from metrology.print_formats.keys import SEAL_KEY, SIGNATURE_KEYS
from metrology.print_formats.layouts import checked_layout, render_layout

REPO = Path(__file__).resolve().parents[2]
PACK = json.loads((REPO / "apps/metrology/packs/jjg443_fuel_dispenser.json").read_text(encoding="utf-8"))
CERTIFICATE = REPO / "tests" / "data" / "templates" / "certificate_jjg443.docx"
PNG = bytes.fromhex(  # a 1×1 red pixel
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc0000003"
    "0101001846a1e60000000049454e44ae426082")


def _context() -> dict:
    result = compute(PACK, PACK["test_cases"][0]["inputs"]).to_json()
    return layout_context(PACK, result, {"证书编号": "JD-1"})


def _pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, timeout=60,
                          check=True).stdout.decode()


def test_the_three_signatures_land_in_their_slots_as_images():
    layout, _report = checked_layout(CERTIFICATE.read_bytes(), "docx", PACK)
    images = {key: PNG for key in SIGNATURE_KEYS}
    rendered = render_layout(layout, _context(), images)
    with zipfile.ZipFile(io.BytesIO(rendered)) as archive:
        media = [name for name in archive.namelist() if name.startswith("word/media/")]
        body = archive.read("word/document.xml").decode()
    assert len(media) >= 1 and body.count("<pic:pic") == 3
    listing = subprocess.run(["pdfimages", "-list", "-"], input=convert_to_pdf(rendered, suffix=".docx"),
                             capture_output=True, timeout=60).stdout.decode()
    assert len(listing.strip().splitlines()) - 2 >= 3  # two header lines, then one line per image


def test_missing_signatures_leave_their_slots_empty():
    layout, _report = checked_layout(CERTIFICATE.read_bytes(), "docx", PACK)
    text = _pdf_text(convert_to_pdf(render_layout(layout, _context(), {}), suffix=".docx"))
    assert "批准人：" in text and "InlineImage" not in text and "None" not in text


def _layout_with_seal_and_page_numbers() -> bytes:
    document = Document()
    document.add_paragraph("证书编号：{{ 证书编号 }}")
    document.add_paragraph("{{ %s }}" % SEAL_KEY)
    for _ in range(60):
        document.add_paragraph("检定数据：{{ 示值误差 }}")
    footer = document.sections[0].footer.paragraphs[0]
    footer.add_run("第 ")
    footer._p.append(_field("PAGE"))
    footer.add_run(" 页 共 ")
    footer._p.append(_field("NUMPAGES"))
    footer.add_run(" 页")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _field(code: str):
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), code)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    return field


def test_page_x_of_y_and_the_seal_come_out_in_the_pdf():
    layout, _report = checked_layout(_layout_with_seal_and_page_numbers(), "docx", PACK)
    pdf = convert_to_pdf(render_layout(layout, _context(), {SEAL_KEY: PNG}), suffix=".docx")
    pages = [(int(x), int(y)) for x, y in re.findall(r"第\s*(\d+)\s*页\s*共\s*(\d+)\s*页", _pdf_text(pdf))]
    total = pages[-1][1]
    assert total >= 2 and pages == [(n, total) for n in range(1, total + 1)]
    listing = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True, timeout=60).stdout
    assert len(listing.decode().strip().splitlines()) - 2 == 1  # the seal
