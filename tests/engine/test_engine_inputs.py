from __future__ import annotations

import copy
import datetime
from decimal import Decimal

import pytest

from metrology.doctype.engine import COMMON_FIELD_KEYS, InputError, common_fields, compute

F1 = {
    "油品": "汽油",
    "量器材质": "不锈钢",
    "V0": "20",
    "h0": "100.0",
    "d": "2.00",
    "runs": [
        {"V_J": "20.02", "h": "108.5", "t_J": "24.3", "t_B": "24.1"},
        {"V_J": "20.05", "h": "121.0", "t_J": "24.4", "t_B": "24.2"},
        {"V_J": "19.99", "h": "93.5", "t_J": "24.4", "t_B": "24.3"},
    ],
}


def _problems(pack, inputs):
    with pytest.raises(InputError) as info:
        compute(pack, inputs)
    return info.value.problems


def test_decimal_strings_become_decimals_and_keep_their_digits(fuel_pack):
    result = compute(fuel_pack, F1)
    assert result.values["d"] == Decimal("2.00") and str(result.values["d"]) == "2.00"
    assert all(type(row["E"]) is Decimal for row in result.values["runs"])


def test_every_problem_is_listed_with_field_row_and_column(fuel_pack):
    inputs = copy.deepcopy(F1)
    inputs["油品"] = "航空煤油"
    del inputs["V0"]
    inputs["runs"][1]["V_J"] = "twenty"
    inputs["runs"][2]["t_J"] = "99"
    problems = _problems(fuel_pack, inputs)
    located = {(p.where, p.row, p.grid_column, p.code) for p in problems}
    assert located == {
        ("油品", None, None, "choice"),
        ("V0", None, None, "required"),
        ("runs", 2, "V_J", "type"),
        ("runs", 3, "t_J", "max"),
    }
    text = str(InputError(problems))
    assert "runs[2].V_J: Expected a number" in text
    assert "runs[3].t_J: Must be at most 60" in text


def test_floats_are_refused_as_inputs(fuel_pack):
    inputs = dict(F1, V0=20.0)
    [problem] = _problems(fuel_pack, inputs)
    assert (problem.where, problem.code) == ("V0", "type")


def test_unknown_and_computed_keys_are_refused(fuel_pack):
    inputs = copy.deepcopy(F1)
    inputs["示值误差"] = "0.1"
    inputs["colour"] = "red"
    inputs["runs"][0]["E"] = "0"
    codes = {(p.where, p.grid_column, p.code) for p in _problems(fuel_pack, inputs)}
    assert codes == {("示值误差", None, "computed"), ("colour", None, "unknown_field"), ("runs", "E", "computed")}


def test_grid_row_count_limits_are_enforced(fuel_pack):
    inputs = copy.deepcopy(F1)
    inputs["runs"] = inputs["runs"] * 2
    [problem] = _problems(fuel_pack, inputs)
    assert (problem.where, problem.code) == ("runs", "rows")
    assert problem.message == "Expected 1 to 4 rows, got 6"


def test_non_finite_and_oversized_numbers_are_refused(fuel_pack):
    for bad in ("NaN", "Infinity", "1e999999", "1" * 80):
        [problem] = _problems(fuel_pack, dict(F1, h0=bad))
        assert problem.where == "h0"


def test_common_fields_are_optional_and_typed(fuel_pack):
    inputs = dict(F1, 检定日期="2026-03-01", 委托单位="某加油站")
    result = compute(fuel_pack, inputs)
    assert result.values["检定日期"] == datetime.date(2026, 3, 1)
    assert result.values["出厂日期"] is None
    assert result.to_json()["检定日期"] == "2026-03-01"
    [problem] = _problems(fuel_pack, dict(F1, 检定日期="01/03/2026"))
    assert problem.where == "检定日期"


def test_the_ten_common_fields_are_provided_in_order():
    fields = common_fields()
    assert [f["key"] for f in fields] == list(COMMON_FIELD_KEYS)
    assert len(fields) == 10 and not any(f["required"] for f in fields)
    fields[0]["label"] = "changed"
    assert common_fields()[0]["label"] == "委托单位"


def test_a_procedure_may_redefine_a_common_field(gauge_pack):
    inputs = copy.deepcopy(gauge_pack["test_cases"][0]["inputs"])
    inputs["计量器具准确度"] = "1.5"
    [problem] = _problems(gauge_pack, inputs)
    assert (problem.where, problem.code) == ("计量器具准确度", "choice")


def test_checkbox_defaults_to_false(gauge_pack):
    inputs = copy.deepcopy(gauge_pack["test_cases"][0]["inputs"])
    del inputs["有止销"]
    assert compute(gauge_pack, inputs).values["有止销"] is False


def test_inputs_must_be_an_object(fuel_pack):
    with pytest.raises(InputError):
        compute(fuel_pack, ["not", "a", "dict"])  # type: ignore[arg-type]
