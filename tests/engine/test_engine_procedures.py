"""Save-time validation and the rules, on small hand-made procedures."""

from __future__ import annotations

import copy
import datetime
import time
from decimal import Decimal

import pytest

from metrology.doctype.engine import (
    ProcedureError,
    compile_procedure,
    compute,
    validate_procedure,
)
from metrology.doctype.formula import FormulaError


def _procedure(**changes) -> dict:
    base = {
        "format_version": 1,
        "code": "T-1",
        "name": "测试规程",
        "test_type": "检定",
        "sub_types": ["首次检定"],
        "fields": [
            {"key": "a", "type": "number", "required": True},
            {"key": "b", "type": "number", "default": "0"},
            {"key": "s", "type": "formula", "expression": "=a + b"},
            {"key": "g", "type": "grid", "rows": {"min": 0, "max": 3}, "columns": [
                {"key": "x", "type": "number", "required": True},
                {"key": "y", "type": "formula", "expression": "=x * a"},
            ]},
            {"key": "total", "type": "formula", "expression": "=SUM(g.y)"},
        ],
        "tables": [],
        "rules": [{"id": "r1", "label": "总和", "value": "=s", "operator": "<=", "limit": "=10"}],
    }
    base.update(changes)
    return base


def _where(problems):
    return [(p.where, p.grid_column, p.part, p.code) for p in problems]


def test_a_valid_procedure_has_no_problems():
    assert validate_procedure(_procedure()) == []


def test_grid_formulas_see_their_row_and_outside_formulas_see_columns():
    result = compute(_procedure(), {"a": "2", "b": "1", "g": [{"x": "1.5"}, {"x": "4"}]})
    assert [row["y"] for row in result.values["g"]] == [Decimal("3.0"), Decimal("8")]
    assert result.values["total"] == Decimal("11.0")


def test_a_cycle_between_fields_is_reported_naming_them():
    fields = _procedure()["fields"] + [
        {"key": "p", "type": "formula", "expression": "=q + 1"},
        {"key": "q", "type": "formula", "expression": "=p * 2"},
    ]
    [problem] = validate_procedure(_procedure(fields=fields))
    assert problem.code == "cycle" and problem.where == "p"
    assert "p → q → p" in problem.message


def test_a_grid_column_reading_its_own_column_list_is_a_cycle():
    proc = _procedure()
    proc["fields"][3]["columns"][1]["expression"] = "=x * SUM(g.y)"
    [problem] = validate_procedure(proc)
    assert problem.code == "cycle" and "g.y" in problem.message


def test_unknown_names_are_located_by_field_and_position():
    proc = _procedure()
    proc["fields"][2]["expression"] = "=a + bb"
    proc["fields"][3]["columns"][1]["expression"] = "=x * zz"
    problems = validate_procedure(proc)
    assert _where(problems) == [("s", None, None, "unknown_name"), ("g", "y", None, "unknown_name")]
    assert (problems[0].line, problems[0].column) == (1, 6)
    assert str(problems[1]) == "g.y: Unknown name zz (line 1, column 6)"


def test_syntax_errors_and_argument_counts_are_located():
    proc = _procedure()
    proc["fields"][2]["expression"] = "=ROUNDGB(a)"
    proc["rules"][0]["limit"] = "=10 +"
    problems = validate_procedure(proc)
    assert _where(problems) == [("s", None, None, "arg_count"), ("rules.r1", None, "limit", "syntax")]


def test_duplicate_keys_bad_types_and_reserved_keys_are_reported():
    fields = _procedure()["fields"] + [
        {"key": "a", "type": "number"},
        {"key": "c", "type": "colour"},
        {"key": "检定结论", "type": "text"},
        {"key": "1st", "type": "text"},
        {"key": "sel", "type": "select", "options": []},
        {"key": "n", "type": "number", "min": 0.5},
    ]
    codes = [(p.where, p.code) for p in validate_procedure(_procedure(fields=fields))]
    assert codes == [("a", "duplicate"), ("c", "type"), ("检定结论", "key"), ("1st", "key"), ("sel", "options"), ("n", "type")]


def test_bad_rules_are_reported():
    rules = [
        {"id": "r1", "label": "总和", "value": "=s", "operator": "=<", "limit": "=1"},
        {"id": "r2", "label": "", "value": "=s", "operator": "<=", "limit": "=1", "method": "rounded"},
        {"id": "r2", "label": "x", "value": "=s", "operator": "<=", "limit": "=1", "each": "a"},
        {"label": "no id", "value": "=s", "operator": "<=", "limit": "=1"},
    ]
    codes = [(p.where, p.code) for p in validate_procedure(_procedure(rules=rules))]
    assert codes == [
        ("rules.r1", "operator"),
        ("rules.r2", "required"),
        ("rules.r2", "interval"),
        ("rules.r2", "duplicate"),
        ("rules.r2", "each"),
        ("rules[4]", "required"),
    ]


def test_bad_tables_and_unknown_lookup_tables_are_reported():
    proc = _procedure(tables=[{"name": "t", "keys": ["k"], "values": ["v"], "rows": [{"k": "1"}]}])
    proc["fields"][2]["expression"] = '=a + LOOKUP("u", 1)'
    assert [(p.where, p.code) for p in validate_procedure(proc)] == [("tables.t", "bad_table"), ("s", "unknown_table")]


def test_format_version_and_metadata_are_required():
    proc = _procedure(format_version=2)
    del proc["code"]
    assert [p.code for p in validate_procedure(proc)] == ["format", "required"]
    assert validate_procedure("nonsense")[0].code == "type"


def test_compiling_an_invalid_procedure_raises_with_all_problems():
    proc = _procedure()
    proc["fields"][2]["expression"] = "=a + bb"
    with pytest.raises(ProcedureError) as info:
        compute(proc, {"a": "1"})
    assert "s: Unknown name bb" in str(info.value)


def test_the_rounded_comparison_rounds_the_value_at_the_interval_first():
    rules = [{"id": "r1", "label": "总和", "value": "=s", "operator": "<=", "limit": "=0.30", "method": "rounded", "interval": "0.01"}]
    proc = _procedure(rules=rules)
    assert compute(proc, {"a": "0.304"}).conclusion == "合格"
    assert compute(proc, {"a": "0.305"}).conclusion == "合格"  # half-even: 0.30
    assert compute(proc, {"a": "0.315"}).conclusion == "不合格"  # 0.32
    full = _procedure(rules=[dict(rules[0], method="full")])
    assert compute(full, {"a": "0.304"}).conclusion == "不合格"


def test_rules_on_every_row_report_each_row_and_the_first_failure():
    rules = [{"id": "r", "label": "行", "each": "g", "value": "=y", "operator": "<", "limit": "=a * 3"}]
    result = compute(_procedure(rules=rules), {"a": "1", "g": [{"x": "1"}, {"x": "5"}, {"x": "9"}]})
    rule = result.rules[0]
    assert [o.passed for o in rule.rows] == [True, False, False]
    assert (rule.value, rule.passed) == (Decimal("5"), False)
    assert result.failed_items == ["行"]


def test_failed_items_follow_rule_order_and_list_a_label_once():
    rules = [
        {"id": "r1", "label": "乙", "value": "=a", "operator": "<", "limit": "=0"},
        {"id": "r2", "label": "甲", "value": "=a", "operator": "<", "limit": "=0"},
        {"id": "r3", "label": "乙", "value": "=a", "operator": ">", "limit": "=100"},
        {"id": "r4", "label": "丙", "value": "=a", "operator": "<", "limit": "=0", "applies_if": "=b > 0"},
        {"id": "r5", "label": "丁", "value": "=a", "operator": "<", "limit": "=0", "applies_if": "=委托单位 <> \"\""},
    ]
    result = compute(_procedure(rules=rules), {"a": "5"})
    assert result.failed_items == ["乙", "甲"]
    assert result.document_kind == "检定结果通知书"


def test_a_blank_value_never_passes_a_rule():
    rules = [{"id": "r", "label": "b", "value": "=委托单位", "operator": "=", "limit": "=委托单位"}]
    result = compute(_procedure(rules=rules), {"a": "1"})
    assert result.conclusion == "不合格"


def test_calibration_procedures_give_a_calibration_certificate_regardless():
    proc = _procedure(test_type="校准")
    assert compute(proc, {"a": "100"}).document_kind == "校准证书"
    assert compute(proc, {"a": "1"}).document_kind == "校准证书"


def test_document_kinds_can_be_configured():
    proc = _procedure(document_kinds={"pass": "合格证书", "fail": "不合格通知"})
    assert compute(proc, {"a": "100"}).document_kind == "不合格通知"
    bad = _procedure(document_kinds={"pass": "x"})
    assert [p.code for p in validate_procedure(bad)] == ["document_kinds"]


def test_a_runtime_formula_error_names_the_field_and_row():
    proc = _procedure()
    proc["fields"][3]["columns"][1]["expression"] = "=a / x"
    with pytest.raises(FormulaError) as info:
        compute(proc, {"a": "1", "g": [{"x": "1"}, {"x": "0"}]})
    error = info.value
    assert (error.code, error.field, error.row) == ("div_zero", "g.y", 2)
    assert str(error) == "g.y, row 2: Division by zero (line 1, column 4)"


def test_a_runtime_error_in_a_rule_names_the_rule():
    rules = [{"id": "r", "label": "x", "value": "=a / (a - 1)", "operator": "<", "limit": "=1"}]
    with pytest.raises(FormulaError) as info:
        compute(_procedure(rules=rules), {"a": "1"})
    assert info.value.field == "rules.r"


def test_formulas_are_parsed_once_per_procedure():
    proc = _procedure()
    assert compile_procedure(proc) is compile_procedure(copy.deepcopy(proc))
    changed = _procedure()
    changed["fields"][2]["expression"] = "=a - b"
    assert compile_procedure(changed) is not compile_procedure(proc)


def test_a_changed_rule_changes_the_compiled_procedure():
    proc = _procedure()
    first = compute(proc, {"a": "20"}).conclusion
    proc["rules"][0]["limit"] = "=100"
    assert (first, compute(proc, {"a": "20"}).conclusion) == ("不合格", "合格")


def test_dates_and_edate_in_a_procedure():
    fields = _procedure()["fields"] + [{"key": "有效期至", "type": "formula", "expression": "=EDATE(检定日期, 6) - 1"}]
    result = compute(_procedure(fields=fields), {"a": "1", "检定日期": "2026-08-31"})
    assert result.values["有效期至"] == datetime.date(2027, 2, 27)
    assert compute(_procedure(fields=fields), {"a": "1"}).values["有效期至"] is None


def test_a_two_flow_three_run_fuel_record_computes_well_under_two_milliseconds(fuel_pack):
    inputs = fuel_pack["test_cases"][0]["inputs"]
    compiled = compile_procedure(fuel_pack)
    compute(fuel_pack, inputs)
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        compute(compiled, inputs)  # one flow point: 3 runs × 3 columns + 5 fields
        compute(compiled, inputs)  # the second flow point
    per_record = (time.perf_counter() - start) / runs
    assert per_record < 0.002, f"{per_record * 1000:.2f} ms"
