"""The worked examples in tests/data/examples are the acceptance tests of the packs."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pytest

from metrology.doctype.engine import compare_expected, compute, run_test_cases, validate_procedure

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "tests" / "data" / "examples"
PACKS = REPO_ROOT / "apps" / "metrology" / "packs"


def _load(path: Path) -> dict:
    if not path.is_file():
        raise FileNotFoundError(f"required file is missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


FUEL = _load(EXAMPLES / "fuel_dispenser_jjg443.json")["examples"]
GAUGE = _load(EXAMPLES / "pressure_gauge_jjg52.json")["examples"]


def _fuel_pack_for(example: dict) -> dict:
    pack = _load(PACKS / "jjg443_fuel_dispenser.json")
    if example["name"] == "F3-rounded":
        rule = next(r for r in pack["rules"] if r["label"] == "示值误差")
        rule["method"] = "rounded"
        rule["interval"] = "0.01"
    return pack


def test_the_examples_are_all_there():
    assert {e["name"] for e in FUEL} >= {"F1", "F2", "F3", "F3-rounded", "S2", "S4"}
    assert {e["name"] for e in GAUGE} >= {"P1", "P2", "P3"}


@pytest.mark.parametrize("example", FUEL, ids=[e["name"] for e in FUEL])
def test_fuel_dispenser_example_computes_every_expected_value(example):
    result = compute(_fuel_pack_for(example), example["inputs"]).to_json()
    assert compare_expected(result, example["expected"]) == []


@pytest.mark.parametrize("example", GAUGE, ids=[e["name"] for e in GAUGE])
def test_pressure_gauge_example_computes_every_expected_value(example):
    pack = _load(PACKS / "jjg52_pressure_gauge.json")
    result = compute(pack, example["inputs"]).to_json()
    assert compare_expected(result, example["expected"]) == []


def test_f3_fails_under_full_value_comparison_and_passes_rounded():
    f3 = next(e for e in FUEL if e["name"] == "F3")
    full = compute(_fuel_pack_for(f3), f3["inputs"])
    rounded = compute(_fuel_pack_for({"name": "F3-rounded"}), f3["inputs"])
    assert (full.conclusion, full.failed_items) == ("不合格", ["示值误差"])
    assert (rounded.conclusion, rounded.failed_items) == ("合格", [])
    rule = rounded.rules[0]
    assert rule.compared == Decimal("0.30") and rule.value > Decimal("0.30")


def test_single_run_has_no_repeatability_and_its_rule_does_not_apply():
    f3 = next(e for e in FUEL if e["name"] == "F3")
    result = compute(_fuel_pack_for(f3), f3["inputs"])
    assert result.values["重复性"] is None
    repeatability = next(r for r in result.rules if r.label == "重复性")
    assert repeatability.applicable is False and repeatability.passed is None


@pytest.mark.parametrize("pack", ["jjg443_fuel_dispenser.json", "jjg52_pressure_gauge.json"])
def test_each_pack_is_valid_and_its_own_test_cases_pass(pack):
    procedure = _load(PACKS / pack)
    assert validate_procedure(procedure) == []
    results = run_test_cases(procedure)
    assert results and all(r.passed for r in results), [(r.name, r.error, [str(m) for m in r.mismatches]) for r in results]


def test_the_fuel_pack_carries_the_fuel_examples_as_test_cases():
    pack = _load(PACKS / "jjg443_fuel_dispenser.json")
    assert {c["name"] for c in pack["test_cases"]} == {"F1", "F2", "F3", "S2", "S4"}


def test_a_wrong_expected_value_is_reported_as_a_mismatch():
    pack = _load(PACKS / "jjg443_fuel_dispenser.json")
    case = copy.deepcopy(pack["test_cases"][0])
    case["expected"]["示值误差"] = "-0.017688401"
    case["expected"]["runs"][1]["V_B"] = "20.043"
    pack["test_cases"] = [case]
    [result] = run_test_cases(pack)
    assert not result.passed
    assert [m.path for m in result.mismatches] == ["runs[2].V_B", "示值误差"]


def test_results_render_numbers_as_plain_decimal_strings():
    p1 = next(e for e in GAUGE if e["name"] == "P1")
    result = compute(_load(PACKS / "jjg52_pressure_gauge.json"), p1["inputs"]).to_json()
    assert result["points"][0]["回程误差"] == "0.000"
    assert result["points"][4]["MPE"] == "0.04"
    assert json.loads(json.dumps(result, ensure_ascii=False)) == result
    floats = [v for v in _leaves(result) if isinstance(v, float)]
    assert floats == []


def _leaves(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value
