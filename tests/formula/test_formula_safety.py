"""Escape attempts and resource bounds: each must end in a FormulaError, quickly."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from metrology.doctype.formula import FormulaError, evaluate, parse


def _fails_fast(source: str, env: dict | None = None, seconds: float = 1.0) -> FormulaError:
    start = time.perf_counter()
    with pytest.raises(FormulaError) as info:
        evaluate(parse(source), env or {})
    assert time.perf_counter() - start < seconds
    return info.value


def test_python_import_is_not_even_syntax():
    error = _fails_fast("__import__('os')")
    assert error.code == "syntax"
    assert error.column == 12  # the single quote


def test_calling_import_with_a_text_argument_is_an_unknown_function():
    error = _fails_fast('__import__("os").system("id")')
    assert error.code in ("syntax", "unknown_function")
    assert error.line == 1


def test_attribute_chains_are_a_syntax_error():
    error = _fails_fast("a.__class__.__mro__")
    assert error.code == "syntax"
    assert error.column == 12


def test_one_attribute_is_at_most_an_unknown_grid_column():
    error = _fails_fast("a.__class__", {"a": Decimal(1)})
    assert error.code == "unknown_name"
    assert error.column == 1
    error = _fails_fast("x.__globals__", {"x": [{"__globals__": Decimal(1)}, "not a row"]})
    assert error.code == "unknown_name"


@pytest.mark.parametrize(
    "source",
    [
        "open(\"/etc/passwd\")",
        "eval(\"1\")",
        "getattr(a, \"b\")",
        "a[0]",
        "lambda: 1",
        "(1).__class__",
        "[].__class__",
        "{}",
        "a; b",
        "a if b else c",
        "`id`",
    ],
)
def test_python_constructs_are_refused(source):
    error = _fails_fast(source, {"a": Decimal(1)})
    assert error.code in ("syntax", "unknown_function")
    assert error.offset is not None


def test_environment_objects_are_not_reachable():
    class Secret:
        password = "x"

    error = _fails_fast("s & \"\"", {"s": Secret()})
    assert error.code == "type"


def test_a_power_tower_is_too_large_and_fails_fast():
    error = _fails_fast("9^9^9^9", seconds=0.2)
    assert error.code == "too_large"
    assert error.line == 1 and error.column is not None


@pytest.mark.parametrize("source", ["10^1000000000", "POWER(2, 1e30)", "1.0001 ^ 99999999999", "9^9^9^9^9^9^9^9"])
def test_huge_powers_are_refused_before_computing(source):
    assert _fails_fast(source, seconds=0.2).code == "too_large"


def test_tiny_powers_underflow_to_zero_quickly():
    assert evaluate("0.5 ^ 1e30", {}) == 0


def test_ten_thousand_nested_parentheses_give_a_clean_error_with_position():
    source = "(" * 10_000 + "1" + ")" * 10_000
    error = _fails_fast(source, seconds=0.2)
    assert error.code == "too_deep"
    assert (error.line, error.column) == (1, 65)


def test_deeply_nested_functions_are_refused():
    source = "ABS(" * 200 + "1" + ")" * 200
    assert _fails_fast(source).code == "too_deep"


def test_long_operator_chains_do_not_overflow_the_stack():
    assert _fails_fast("-" * 3000 + "1").code == "too_deep"
    assert _fails_fast("+".join(["a"] * 1500)).code == "too_deep"


def test_a_one_megabyte_formula_is_refused_quickly():
    error = _fails_fast("1+" * 500_000 + "1", seconds=0.2)
    assert error.code == "too_long"
    assert error.column == 4001


def test_numbers_with_too_many_digits_or_a_huge_exponent_are_refused():
    assert _fails_fast("1" * 100).code == "too_large"
    assert _fails_fast("1e999999999").code == "too_large"
    assert _fails_fast("2 * 1e99 * 10").code == "too_large"


def test_the_evaluation_step_budget_is_enforced():
    rows = [{"x": Decimal(1)} for _ in range(5000)]
    with pytest.raises(FormulaError) as info:
        evaluate("SUM(g.x, g.x, g.x, g.x, g.x)", {"g": rows}, max_steps=20_000)
    assert info.value.code == "steps"


def test_a_non_text_formula_is_refused():
    with pytest.raises(FormulaError):
        parse(None)  # type: ignore[arg-type]
