"""A broken workbook is refused with every problem located by sheet, row and column."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from metrology.doctype.xlsform import WorkbookError, procedure_from_xlsx, procedure_to_xlsx

PACKS = Path(__file__).resolve().parents[2] / "apps" / "metrology" / "packs"


def gauge_workbook() -> openpyxl.Workbook:
    pack = json.loads((PACKS / "jjg52_pressure_gauge.json").read_text(encoding="utf-8"))
    return openpyxl.load_workbook(io.BytesIO(procedure_to_xlsx(pack)))


def save(book: openpyxl.Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(sheet, value: str, column: int = 1) -> int:
    for row in sheet.iter_rows(min_col=column, max_col=column):
        if row[0].value == value:
            return row[0].row
    raise LookupError(value)


def put_text(sheet, row: int, column: int, text: str) -> None:
    cell = sheet.cell(row, column)
    cell.value = text
    cell.data_type = "s"


def problems_of(book: openpyxl.Workbook) -> list:
    with pytest.raises(WorkbookError) as caught:
        procedure_from_xlsx(save(book))
    return caught.value.problems


def places(problems: list) -> set[tuple]:
    return {(p.sheet, p.row, p.column, p.header, p.code) for p in problems}


def test_broken_workbook_reports_every_problem_at_its_cell():
    book = gauge_workbook()
    fields, rules, cases = book["fields"], book["rules"], book["test_cases"]
    section_row = row_of(fields, "检定点")
    fields.cell(section_row, 3).value = "heading"
    duplicate_row = row_of(fields, "最大轻敲位移")
    fields.cell(duplicate_row, 1).value = "测量下限"
    syntax_row = row_of(fields, "最大示值误差")
    put_text(fields, syntax_row, 15, "=MAXABS(points.示值误差")
    rule_row = row_of(rules, "hysteresis")
    put_text(rules, rule_row, 3, "=回程偏差")
    book["table.最大允许误差"]["B3"] = "about 0.9"
    case_row = row_of(cases, "P2")
    cases.cell(case_row, 3).value = '{"测量下限": "0",'

    problems = problems_of(book)

    assert places(problems) == {
        ("fields", section_row, "C", "type", "type"),
        ("fields", duplicate_row, "A", "key", "duplicate"),
        ("fields", syntax_row, "O", "expression", "syntax"),
        ("rules", rule_row, "C", "value", "unknown_name"),
        ("table.最大允许误差", 3, "B", "相对上限", "range"),
        ("test_cases", case_row, "C", "inputs", "json"),
    }
    by_code = {p.code: p for p in problems}
    assert by_code["type"].message == "Unknown field type heading"
    assert by_code["duplicate"].message == "The key 测量下限 is used twice"
    assert by_code["unknown_name"].message == "Unknown name 回程偏差"
    assert (by_code["syntax"].formula_line, by_code["syntax"].formula_column) == (1, 20)
    assert "about 0.9" in by_code["range"].message
    assert str(by_code["json"]).startswith(f"test_cases!C{case_row} (inputs): Not valid JSON")
    assert [p.sheet for p in problems][:3] == ["fields"] * 3  # in workbook order


def test_missing_required_sheet_is_reported_by_name():
    book = gauge_workbook()
    del book["fields"]
    problems = problems_of(book)
    assert [(p.sheet, p.row, p.column, p.code) for p in problems] == [("fields", None, None, "missing_sheet")]
    assert problems[0].message == "The sheet fields is missing"


def test_unknown_and_missing_columns_are_reported_in_the_header_row():
    book = gauge_workbook()
    fields = book["fields"]
    fields["E1"] = "requried"
    fields["V1"] = "# my notes"  # a comment column: ignored
    fields["V2"] = "anything"
    book["rules"]["A1"] = "rule"
    problems = problems_of(book)
    assert ("fields", 1, "E", "requried", "unknown_column") in places(problems)
    assert ("rules", 1, None, "id", "missing_column") in places(problems)
    assert not any(p.column == "V" for p in problems)
    assert not any(p.sheet == "rules" and p.row != 1 for p in problems)  # no "needs an id" on every row


def test_grid_column_rows_must_follow_their_grid():
    book = gauge_workbook()
    fields = book["fields"]
    row = row_of(fields, "p_std")
    fields.cell(row, 4).value = "pointz"
    problems = problems_of(book)
    assert ("fields", row, "D", "grid", "unknown_grid") in places(problems)


def test_cell_problems_are_all_collected():
    book = gauge_workbook()
    fields, settings, cases = book["fields"], book["procedure"], book["test_cases"]
    required_row = row_of(fields, "测量上限")
    fields.cell(required_row, 5).value = "maybe"
    step_row = row_of(fields, "测量下限")
    fields.cell(step_row, 17).value = "first"
    period_row = row_of(settings, "item.period_months")
    settings.cell(period_row, 2).value = "半年"
    unknown_row = settings.max_row + 1
    settings.cell(unknown_row, 1).value = "item_name"
    settings.cell(unknown_row, 2).value = "x"
    float_row = row_of(cases, "P1")
    cases.cell(float_row, 4).value = '{"points": [{"MPE": 0.0256}]}'
    problems = problems_of(book)
    assert places(problems) >= {
        ("fields", required_row, "E", "required", "boolean"),
        ("fields", step_row, "Q", "step", "integer"),
        ("procedure", period_row, "B", "value", "integer"),
        ("procedure", unknown_row, "A", "key", "unknown_setting"),
        ("test_cases", float_row, "D", "expected", "json_number"),
    }
    assert next(p for p in problems if p.code == "json_number").message == (
        'Write numbers in JSON as text, e.g. "0.0256" instead of 0.0256'
    )


def test_engine_problems_of_settings_rules_and_tables_are_placed_on_their_rows():
    book = gauge_workbook()
    settings, rules, tables = book["procedure"], book["rules"], book["tables"]
    settings.cell(row_of(settings, "format_version"), 2).value = "2"
    settings.cell(row_of(settings, "code"), 2).value = None
    operator_row = row_of(rules, "tap_shift")
    rules.cell(operator_row, 4).value = "≤"
    each_row = row_of(rules, "hysteresis")
    rules.cell(each_row, 9).value = "最大回程误差"
    book["table.计量性能要求"]["A3"] = "2"  # a second row in a table without keys
    problems = problems_of(book)
    found = places(problems)
    assert ("procedure", row_of(settings, "format_version"), "B", "value", "format") in found
    assert ("procedure", row_of(settings, "code"), "B", "value", "required") in found
    assert ("rules", operator_row, "D", "operator", "operator") in found
    assert ("rules", each_row, "I", "each", "each") in found
    assert ("tables", row_of(tables, "计量性能要求"), None, None, "bad_table") in found


def test_a_table_sheet_that_is_missing_or_not_listed_is_reported():
    book = gauge_workbook()
    book["table.计量性能要求"].title = "table.性能要求"
    problems = problems_of(book)
    row = row_of(book["tables"], "计量性能要求")
    assert ("tables", row, "B", "sheet", "missing_sheet") in places(problems)
    assert ("table.性能要求", None, None, None, "unlisted_table") in places(problems)


def test_a_table_sheet_with_an_undeclared_column_is_reported():
    book = gauge_workbook()
    sheet = book["table.最大允许误差"]
    sheet["C1"] = "百分数"
    found = places(problems_of(book))
    assert ("table.最大允许误差", 1, "C", "百分数", "unknown_column") in found
    assert ("table.最大允许误差", 1, None, "百分比", "missing_column") in found


def test_a_field_row_without_a_key_is_reported():
    book = gauge_workbook()
    fields = book["fields"]
    row = row_of(fields, "测量下限")
    fields.cell(row, 1).value = None
    assert ("fields", row, "A", "key", "required") in places(problems_of(book))
