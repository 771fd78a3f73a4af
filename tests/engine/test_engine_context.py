"""R-4.1.2.6, #9 item 6: the record's test type, sub-type and item are names formulas read, so one
definition serves several sub-types that differ only in a limit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from metrology.doctype.engine import (
    InputError,
    compile_procedure,
    compute,
    run_test_cases,
    validate_procedure,
)
from metrology.doctype.engine.model import CompiledProcedure


def scale_procedure() -> dict:
    """A balance whose permitted error is 1 at 首次检定 and 2 at 后续检定 and 使用中检查: the limit
    comes from a table keyed by the sub-type, the factor of the repeatability limit from IF."""
    return {
        "format_version": 1, "code": "SCALE", "name": "电子天平检定", "test_type": "检定",
        "sub_types": ["首次检定", "后续检定", "使用中检查"], "item": {"name": "电子天平"},
        "fields": [
            {"key": "reading", "type": "number"},
            {"key": "reference", "type": "number"},
            {"key": "error", "type": "formula", "expression": "=reading - reference"},
            {"key": "mpe", "type": "formula", "expression": '=LOOKUP("最大允许误差", 检测子类型)'},
            {"key": "factor", "type": "formula", "expression": '=IF(检测子类型 = "首次检定", 0.5, 1)'},
            {"key": "label", "type": "formula", "expression": '=检测类型 & "/" & 检测项目'},
        ],
        "tables": [{"name": "最大允许误差", "keys": ["子类型"], "values": ["mpe"],
                    "rows": [{"子类型": "首次检定", "mpe": "1"}, {"子类型": "后续检定", "mpe": "2"},
                             {"子类型": "使用中检查", "mpe": "2"}]}],
        "rules": [{"id": "error", "label": "示值误差", "value": "=ABS(error)", "operator": "<=",
                   "limit": '=LOOKUP("最大允许误差", 检测子类型)'}],
        "test_cases": [
            {"name": "首次", "context": {"sub_type": "首次检定"}, "inputs": {"reading": "101.5", "reference": "100"},
             "expected": {"mpe": "1", "factor": "0.5", "检定结论": "不合格"}},
            {"name": "后续", "context": {"sub_type": "后续检定"}, "inputs": {"reading": "101.5", "reference": "100"},
             "expected": {"mpe": "2", "factor": "1", "检定结论": "合格"}},
        ],
    }


INPUTS = {"reading": "101.5", "reference": "100"}


def without_generated_plan(compiled: CompiledProcedure) -> CompiledProcedure:
    return compiled.replace(fast=None)


@pytest.mark.parametrize("path", ["generated", "exact"])
def test_a_formula_reading_the_sub_type_gives_each_sub_type_its_limit(path):
    compiled = compile_procedure(scale_procedure())
    if path == "exact":
        compiled = without_generated_plan(compiled)
    first = compute(compiled, INPUTS, context={"sub_type": "首次检定"})
    later = compute(compiled, INPUTS, context={"sub_type": "后续检定"})
    assert (first.values["mpe"], first.values["factor"]) == (Decimal(1), Decimal("0.5"))
    assert (later.values["mpe"], later.values["factor"]) == (Decimal(2), Decimal(1))
    assert (first.conclusion, first.failed_items) == ("不合格", ["示值误差"])
    assert (later.conclusion, later.failed_items) == ("合格", [])
    assert first.rules[0].limit == Decimal(1) and later.rules[0].limit == Decimal(2)


def test_test_cases_run_each_with_its_own_context():
    results = run_test_cases(scale_procedure())
    assert [(r.name, r.passed) for r in results] == [("首次", True), ("后续", True)], results


def test_a_test_case_expecting_another_sub_types_limit_fails():
    procedure = scale_procedure()
    procedure["test_cases"][1]["context"] = {"sub_type": "首次检定"}
    results = run_test_cases(procedure)
    assert [r.passed for r in results] == [True, False]
    assert {m.path for m in results[1].mismatches} == {"mpe", "factor", "检定结论"}


def test_the_context_of_run_test_cases_is_the_default_each_case_overrides():
    procedure = scale_procedure()
    del procedure["test_cases"][0]["context"]
    results = run_test_cases(procedure, context={"sub_type": "首次检定", "item": "天平"})
    assert [r.passed for r in results] == [True, True]


def test_the_context_names_are_known_to_the_validator_and_not_part_of_the_result():
    assert validate_procedure(scale_procedure()) == []
    result = compute(scale_procedure(), INPUTS, context={"sub_type": "后续检定"}).to_json()
    assert not {"检测类型", "检测子类型", "检测项目"} & set(result)
    assert result["label"] == "检定/电子天平"


def test_what_the_caller_does_not_give_comes_from_the_definition_or_is_blank():
    procedure = scale_procedure()
    result = compute(procedure, INPUTS, context={"sub_type": "使用中检查", "test_type": "核查"})
    assert result.values["label"] == "核查/电子天平"
    with pytest.raises(Exception) as info:  # no sub-type: blank matches no row of the limit table
        compute(procedure, INPUTS)
    assert getattr(info.value, "code", None) == "no_match"
    procedure["sub_types"] = ["后续检定"]  # a stored procedure of one sub-type
    assert compute(procedure, INPUTS).values["mpe"] == Decimal(2)


def test_a_context_that_is_not_texts_under_the_known_keys_is_refused():
    with pytest.raises(InputError) as info:
        compute(scale_procedure(), INPUTS, context={"subtype": "后续检定", "item": 3})
    assert [(p.where, p.code, p.params["key"]) for p in info.value.problems] == [
        ("context", "context", "subtype"), ("context", "context", "item")]


@pytest.mark.parametrize("key", ["检测类型", "检测子类型", "检测项目"])
def test_the_context_names_cannot_be_field_keys(key):
    procedure = scale_procedure()
    procedure["fields"].append({"key": key, "type": "text"})
    problems = validate_procedure(procedure)
    assert [(p.where, p.code) for p in problems] == [(key, "key")]


def test_test_cases_are_checked_for_their_context_and_confirmed_flag():
    procedure = scale_procedure()
    procedure["test_cases"][0]["context"] = {"sub_type": 1}
    procedure["test_cases"][1]["confirmed"] = "yes"
    problems = validate_procedure(procedure)
    assert [(p.where, p.code) for p in problems] == [("test_cases.首次", "context"), ("test_cases.后续", "confirmed")]
    procedure["test_cases"][0]["context"] = {"sub_type": "首次检定"}
    procedure["test_cases"][1]["confirmed"] = False  # copied from a test run, not yet checked: still run
    assert validate_procedure(procedure) == []
    assert all(r.passed for r in run_test_cases(procedure))
