"""Procedures survive the trip to a workbook and back, and Excel-typed values read as written."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path

import openpyxl
import pytest

from metrology.doctype.engine import run_test_cases
from metrology.doctype.xlsform import normalize, procedure_from_xlsx, procedure_to_xlsx

PACKS = Path(__file__).resolve().parents[2] / "apps" / "metrology" / "packs"
PACK_NAMES = ["jjg443_fuel_dispenser", "jjg52_pressure_gauge"]


def load_pack(name: str) -> dict:
    return json.loads((PACKS / f"{name}.json").read_text(encoding="utf-8"))


def contents(data: bytes) -> dict[str, list[list[object]]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}


def edit(data: bytes, change) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    change(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(sheet, column: int, value: str) -> int:
    for row in sheet.iter_rows(min_col=column, max_col=column):
        if row[0].value == value:
            return row[0].row
    raise LookupError(value)


@pytest.mark.parametrize("name", PACK_NAMES)
def test_pack_round_trips_exactly(name):
    pack = load_pack(name)
    back = procedure_from_xlsx(procedure_to_xlsx(pack))
    assert back == pack
    assert normalize(back) == normalize(pack) == pack


@pytest.mark.parametrize("name", PACK_NAMES)
def test_export_import_export_gives_identical_cell_content(name):
    first = procedure_to_xlsx(load_pack(name))
    second = procedure_to_xlsx(procedure_from_xlsx(first))
    assert contents(first) == contents(second)


@pytest.mark.parametrize("name", PACK_NAMES)
def test_imported_pack_still_passes_its_test_cases(name):
    procedure = procedure_from_xlsx(procedure_to_xlsx(load_pack(name)))
    assert all(result.passed for result in run_test_cases(procedure))


def test_every_cell_is_written_as_text_and_formulas_are_not_excel_formulas():
    data = procedure_to_xlsx(load_pack("jjg443_fuel_dispenser"))
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    assert cell.data_type == "s", (sheet.title, cell.coordinate)
                    assert cell.number_format == "@"
    fields = book["fields"]
    assert fields.cell(row_of(fields, 1, "E"), 15).value == "=(V_J - V_Bt) / V_Bt * 100"
    table = book["table.量器材质膨胀系数"]
    assert [c.value for c in table[2]] == ["不锈钢", "0.000050"]


def test_range_cells_are_written_in_comparison_notation():
    data = procedure_to_xlsx(load_pack("jjg52_pressure_gauge"))
    rows = contents(data)["table.最大允许误差"]
    assert rows[0] == ["准确度等级", "相对上限", "百分比"]
    assert rows[1] == ["1.0", "<0.9", "1.0"]
    assert rows[2] == ["1.0", ">=0.9", "1.6"]


def test_numbers_typed_by_a_person_read_as_the_decimals_they_typed():
    pack = load_pack("jjg443_fuel_dispenser")

    def type_numbers(book):
        fields = book["fields"]
        row = row_of(fields, 1, "V0")
        fields.cell(row, 10).value = 0.1  # min
        fields.cell(row, 11).value = 1000  # max, an integer cell
        fields.cell(row, 8).value = 0.001  # resolution
        fields.cell(row, 17).value = 1.0  # step, a float cell holding a whole number
        table = book["table.油品膨胀系数"]
        table["B2"] = 0.0012
        table["B3"] = 9e-05
        procedure = book["procedure"]
        procedure.cell(row_of(procedure, 1, "item.period_months"), 2).value = 12
        procedure.cell(row_of(procedure, 1, "version"), 2).value = 2.5

    read = procedure_from_xlsx(edit(procedure_to_xlsx(pack), type_numbers))
    v0 = next(f for f in read["fields"] if f["key"] == "V0")
    assert (v0["min"], v0["max"], v0["resolution"], v0["step"]) == ("0.1", "1000", "0.001", 1)
    rows = read["tables"][0]["rows"]
    assert rows[0]["beta_Y"] == "0.0012"
    assert rows[1]["beta_Y"] == "0.00009"
    assert read["item"]["period_months"] == 12
    assert read["version"] == "2.5"


def test_booleans_and_formulas_typed_in_excel_read_sensibly():
    pack = load_pack("jjg52_pressure_gauge")

    def type_cells(book):
        fields = book["fields"]
        row = row_of(fields, 1, "有止销")
        fields.cell(row, 6).value = True  # default: an Excel TRUE
        fields.cell(row, 5).value = "是"  # required
        formula_row = row_of(fields, 1, "最大回程误差")
        fields.cell(formula_row, 15).value = "=MAX(points.回程误差)"  # stored as an Excel formula

    read = procedure_from_xlsx(edit(procedure_to_xlsx(pack), type_cells))
    by_key = {f["key"]: f for f in read["fields"]}
    assert by_key["有止销"]["default"] is True
    assert by_key["有止销"]["required"] is True
    assert by_key["最大回程误差"]["expression"] == "=MAX(points.回程误差)"


def test_attributes_without_a_column_of_their_own_round_trip_through_extra():
    pack = load_pack("jjg52_pressure_gauge")
    odd = copy.deepcopy(pack)
    odd["sub_types"] = []
    odd["source"] = {"institute": "某计量院", "pages": [3, 4]}
    odd["item"]["period_months"] = "6"  # a string where a number is usual: kept as a string
    odd["item"]["maker_note"] = "any sub-key of item gets a row item.<key>"
    odd["regulation"] = "JJG 52"  # not an object: kept whole in extra
    odd["fields"][0]["options"] = [{"value": "1.0", "label": "1.0 级"}, "1.6", "2.5;x"]
    odd["fields"][1]["min"] = 0  # an integer, not a decimal string
    odd["fields"][1]["help"] = "  padded  "
    odd["rules"][0]["each"] = "points"
    odd["rules"][1]["applies_if"] = None
    odd["tables"][0]["rows"][0]["source"] = "表1"  # a row attribute outside the columns
    odd["tables"][1]["keys"] = ["plain"]
    odd["tables"][1]["rows"] = [{"plain": "x", "回程误差系数": "1", "轻敲位移系数": "0.5"}]
    odd["test_cases"][0]["inputs"]["测量上限"] = 1.6  # a float: not allowed in the inputs cell
    odd["extra"] = "a top-level key named extra"
    data = procedure_to_xlsx(odd)
    assert procedure_from_xlsx_unchecked(data) == odd
    assert contents(procedure_to_xlsx(procedure_from_xlsx_unchecked(data))) == contents(data)


def procedure_from_xlsx_unchecked(data: bytes) -> dict:
    from metrology.doctype.xlsform.reader import read_workbook

    reading = read_workbook(data)
    assert reading.problems == []
    return reading.procedure


def test_normalize_fills_only_empty_defaults():
    minimal = {
        "format_version": 1,
        "code": "X",
        "name": "x",
        "test_type": "测试",
        "fields": [{"key": "g", "type": "grid"}],
    }
    assert normalize(minimal) == {
        **minimal,
        "fields": [{"key": "g", "type": "grid", "columns": []}],
        "tables": [],
        "rules": [],
        "test_cases": [],
    }
    assert normalize(procedure_from_xlsx_unchecked(procedure_to_xlsx(minimal))) == normalize(minimal)


def test_a_workbook_written_by_hand_with_only_some_columns_is_read():
    book = openpyxl.Workbook()
    settings = book.active
    settings.title = "Procedure"
    for row in (["key", "value"], ["format_version", 1], ["code", "DEMO"], ["name", "演示"],
                ["test_type", "校准"], ["sub_types", "首次校准、后续校准"], ["item.period_months", 12.0]):
        settings.append(row)
    fields = book.create_sheet("fields")
    for row in (["Type", "Key", "Unit", "Min", "expression"],
                ["number", "L", "mm", 0.5, None],
                ["formula", "twice", "mm", None, "=L * 2"]):
        fields.append(row)
    rules = book.create_sheet("rules")
    for row in (["id", "label", "value", "operator", "limit"], ["r", "长度", "=twice", "<=", "=10"]):
        rules.append(row)
    out = io.BytesIO()
    book.save(out)

    assert procedure_from_xlsx(out.getvalue()) == {
        "format_version": 1,
        "code": "DEMO",
        "name": "演示",
        "test_type": "校准",
        "sub_types": ["首次校准", "后续校准"],
        "item": {"period_months": 12},
        "fields": [
            {"type": "number", "key": "L", "unit": "mm", "min": "0.5"},
            {"type": "formula", "key": "twice", "unit": "mm", "expression": "=L * 2"},
        ],
        "rules": [{"id": "r", "label": "长度", "value": "=twice", "operator": "<=", "limit": "=10"}],
    }


def test_a_cell_longer_than_excel_allows_is_refused_on_export():
    pack = load_pack("jjg52_pressure_gauge")
    pack["about"] = "x" * 40_000
    with pytest.raises(ValueError, match="32767"):
        procedure_to_xlsx(pack)


def test_a_test_cases_context_and_confirmed_flag_have_their_own_columns():
    pack = load_pack("jjg52_pressure_gauge")
    pack["test_cases"][0].update(context={"sub_type": "后续检定", "item": "一般压力表"}, confirmed=False)
    pack["test_cases"][1]["context"] = {"sub_type": " 后续检定"}  # no faithful cell text: kept whole in extra
    data = procedure_to_xlsx(pack)
    cases = openpyxl.load_workbook(io.BytesIO(data))["test_cases"]
    header = [cell.value for cell in cases[1]]
    first = dict(zip(header, [cell.value for cell in cases[2]]))
    assert (first["confirmed"], first["context.sub_type"], first["context.item"]) == ("false", "后续检定", "一般压力表")
    assert first["context.test_type"] is None and first["extra"] is None
    assert procedure_from_xlsx(data) == pack
