from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from metrology.doctype.formula import FormulaError, evaluate, round_gb

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = DATA / "examples" / "gbt8170_rounding.json"


def _cases() -> list[dict]:
    if not EXAMPLES.is_file():
        raise FileNotFoundError(f"GB/T 8170 examples missing: {EXAMPLES}")
    return json.loads(EXAMPLES.read_text(encoding="utf-8"))["cases"]


CASES = _cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{c['value']}@{c['interval']}" for c in CASES])
def test_gbt8170_case_rounds_exactly_with_round_gb(case):
    result = round_gb(case["value"], case["interval"])
    assert result == Decimal(case["expected"])
    assert isinstance(result, Decimal)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['value']}@{c['interval']}" for c in CASES])
def test_gbt8170_case_rounds_exactly_with_the_roundgb_function(case):
    result = evaluate(f"ROUNDGB(v, {case['interval']})", {"v": Decimal(case["value"])})
    assert result == Decimal(case["expected"])


def test_there_are_gbt8170_cases():
    assert len(CASES) >= 20


def test_rounding_keeps_the_interval_digits():
    assert str(round_gb("1.050", "0.1")) == "1.0"
    assert str(round_gb("0.304012160", "0.01")) == "0.30"


def test_negative_values_round_symmetrically():
    assert round_gb("-0.0365", "0.001") == Decimal("-0.036")
    assert round_gb("-2.5", "1") == Decimal("-2")


def test_rounding_happens_once_from_the_exact_value():
    assert round_gb("15.4546", "1") == 15  # not 15.4546 → 15.455 → 15.46 → 15.5 → 16


def test_a_non_positive_interval_is_refused():
    with pytest.raises(FormulaError) as info:
        round_gb("1.5", "0")
    assert info.value.code == "domain"
    with pytest.raises(FormulaError):
        evaluate("ROUNDGB(1.5, -1)", {})


def test_round_gb_refuses_floats_and_garbage():
    with pytest.raises(FormulaError):
        round_gb(1.05, "0.1")  # type: ignore[arg-type]
    with pytest.raises(FormulaError):
        round_gb("abc", "0.1")
