"""The layouts saved by LibreOffice in tests/data/templates render unchanged (R-4.2.3.6, R-4.3.6–7).

Each is rendered through `metrology render` from the packs' worked examples, then converted to PDF
by LibreOffice and read back with pdftotext, so "opens in LibreOffice" is checked for real.
"""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import openpyxl
import pytest

from metrology.cli import main

pytestmark = pytest.mark.django_db  # with a site, render asks the regulation library for 检定依据

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / "tests" / "data"
PACKS = REPO / "apps" / "metrology" / "packs"
DOCUMENT = {"证书编号": "JD-2026-0001", "原始记录编号": "YS-2026-0042", "委托单位": "示范加油站 & <有限公司>"}


def _example(name: str, index: int) -> dict:
    return json.loads((SHARED / "examples" / name).read_text(encoding="utf-8"))["examples"][index]


def _render(tmp_path: Path, layout: str, pack: str, inputs: dict, suffix: str) -> Path:
    values = tmp_path / "values.json"
    values.write_text(json.dumps({"inputs": inputs, "document": DOCUMENT}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / f"out{suffix}"
    assert main(["render", str(SHARED / "templates" / layout), str(PACKS / pack), str(values), "-o", str(out)]) == 0
    return out


def _pdf_text(pdf: Path) -> str:
    assert pdf.read_bytes().startswith(b"%PDF-")
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, timeout=60,
                          check=True).stdout


def test_certificate_renders_every_placeholder_bookmark_and_run(tmp_path):
    text = _pdf_text(_render(tmp_path, "certificate_jjg443.docx", "jjg443_fuel_dispenser.json",
                             _example("fuel_dispenser_jjg443.json", 0)["inputs"], ".pdf"))
    assert "{{" not in text and "{%" not in text
    assert "JD-2026-0001" in text and "YS-2026-0042" in text
    assert "示范加油站 & <有限公司>" in text          # bookmark 委托单位, escaped safely
    assert "检定结论：合格" in text                    # bookmark 检定结论
    assert "（委托单位）" not in text and "（结论）" not in text
    assert "JJG 443-2023《燃油加油机检定规程》" in text
    assert "燃油加油机" in text
    for run, error in enumerate(("-0.03", "-0.01", "-0.02"), start=1):  # one table row per run
        assert error in text, (run, error)
    assert "示值误差平均值：-0.02" in text


def test_notice_lists_the_failed_items(tmp_path):
    example = _example("fuel_dispenser_jjg443.json", 5)  # S4 fails on both
    assert example["name"] == "S4"
    text = _pdf_text(_render(tmp_path, "notice_jjg443.docx", "jjg443_fuel_dispenser.json", example["inputs"], ".pdf"))
    assert "检定结论：不合格" in text
    assert "1. 示值误差" in text and "2. 重复性" in text
    assert "{{" not in text and "{%" not in text


def test_excel_raw_record_repeats_one_row_per_point(tmp_path):
    example = _example("pressure_gauge_jjg52.json", 0)
    inputs = {**example["inputs"], "产品出厂编号": "PG-7", "检定日期": "2026-11-26", "委托单位": "示范化工厂"}
    out = _render(tmp_path, "raw_record_jjg52.xlsx", "jjg52_pressure_gauge.json", inputs, ".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(out.read_bytes())).active
    cells = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    flat = [str(value) for row in cells for value in row if value is not None]
    assert not [value for value in flat if "{{" in value or "{%" in value]
    points = example["inputs"]["points"]
    first = next(i for i, row in enumerate(cells) if row[0] == points[0]["p_std"])
    assert [row[0] for row in cells[first:first + len(points)]] == [p["p_std"] for p in points]
    assert cells[first][5] == example["expected"]["points"][0]["回程误差"]
    assert "合格" in flat and "PG-7" in flat and "示范化工厂" in flat
    pdf = tmp_path / "record.pdf"
    from metrology.print_formats.converter import convert_to_pdf

    pdf.write_bytes(convert_to_pdf(out.read_bytes(), suffix=".xlsx"))
    assert "弹性元件式一般压力表检定原始记录" in _pdf_text(pdf)


@pytest.mark.parametrize("layout", ["certificate_jjg443.docx", "notice_jjg443.docx"])
def test_word_layouts_render_to_docx_that_keeps_the_formatting_of_split_runs(tmp_path, layout):
    from docx import Document

    out = _render(tmp_path, layout, "jjg443_fuel_dispenser.json",
                  _example("fuel_dispenser_jjg443.json", 0)["inputs"] | {"计量器具型号": "DJY-1"}, ".docx")
    paragraph = next(p for p in Document(io.BytesIO(out.read_bytes())).paragraphs if "DJY-1" in p.text)
    run = next(r for r in paragraph.runs if "DJY-1" in r.text)
    assert run.bold  # the placeholder began in a bold run
