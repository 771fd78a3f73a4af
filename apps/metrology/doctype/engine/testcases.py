"""Test cases of a procedure: inputs → expected outputs, compared at the expected precision.

A number expected as ``"-0.029499612"`` matches when the computed value, rounded half-even to
the expected number's last digit, equals it; other values must be equal. Keys absent from
``expected`` are not checked.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, DecimalException
from typing import Any, Mapping

from ..formula import FormulaError, parse_decimal
from ..formula.records import Frozen, Record
from .compiler import compile_procedure
from .compute import compute
from .problems import ProblemsError

_WIDE = Context(prec=200)


class Mismatch(Frozen):
    __slots__ = ("path", "expected", "actual")
    path: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"{self.path}: expected {self.expected!r}, got {self.actual!r}"


class TestCaseResult(Record):
    __test__ = False  # not a pytest class
    __slots__ = ("name", "passed", "mismatches", "error", "problems")
    defaults = {"mismatches": list, "error": None, "problems": list}
    name: str
    passed: bool
    mismatches: list[Mismatch]
    error: str | None  # the failure in English; ``problems`` hold it for translation
    problems: list[Any]  # Problem or FormulaError objects


def run_test_cases(
    procedure: Mapping[str, Any], *, today: datetime.date | None = None, context: Mapping[str, Any] | None = None
) -> list[TestCaseResult]:
    """Compute every test case and compare it with its expected values. A case's own ``context``
    (e.g. ``{"sub_type": "后续检定"}``) overrides ``context`` key by key; ``confirmed`` is not read here."""
    compiled = compile_procedure(procedure)
    results = []
    for index, case in enumerate(procedure.get("test_cases", []), 1):
        name = str(case.get("name", f"#{index}"))
        try:
            case_context = _case_context(context, case.get("context"))
            actual = compute(compiled, case.get("inputs", {}), today=today, context=case_context).to_json()
        except (ProblemsError, FormulaError) as error:
            problems = list(error.problems) if isinstance(error, ProblemsError) else [error]
            results.append(TestCaseResult(name, False, error=str(error), problems=problems))
            continue
        mismatches = compare_expected(actual, case.get("expected", {}))
        results.append(TestCaseResult(name, not mismatches, mismatches))
    return results


def _case_context(default: Mapping[str, Any] | None, own: Any) -> Any:
    if own is None:
        return default
    if default is None or not isinstance(own, Mapping):
        return own  # compute() refuses a context that is not an object
    return {**default, **own}


def compare_expected(actual: Mapping[str, Any], expected: Mapping[str, Any], path: str = "") -> list[Mismatch]:
    """Mismatches between a result's JSON (``ComputeResult.to_json()``) and expected values."""
    out: list[Mismatch] = []
    for key, want in expected.items():
        where = f"{path}.{key}" if path else str(key)
        if key not in actual:
            out.append(Mismatch(where, want, "(missing)"))
            continue
        out.extend(_compare(actual[key], want, where))
    return out


def _compare(got: Any, want: Any, where: str) -> list[Mismatch]:
    if isinstance(want, Mapping) and isinstance(got, Mapping):
        return compare_expected(got, want, where)
    if isinstance(want, list) and isinstance(got, list) and any(isinstance(w, Mapping) for w in want):
        if len(got) != len(want):
            return [Mismatch(f"{where} (rows)", len(want), len(got))]
        out: list[Mismatch] = []
        for number, (g, w) in enumerate(zip(got, want), 1):
            out.extend(_compare(g, w, f"{where}[{number}]"))
        return out
    return [] if values_match(got, want) else [Mismatch(where, want, got)]


def values_match(got: Any, want: Any) -> bool:
    expected_number, got_number = _number(want), _number(got)
    if expected_number is not None and got_number is not None:
        try:
            quantum = Decimal((0, (1,), expected_number.as_tuple().exponent))
            return got_number.quantize(quantum, rounding=ROUND_HALF_EVEN, context=_WIDE) == expected_number
        except DecimalException:
            return False
    return got == want


def _number(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str):
        try:
            return parse_decimal(value)
        except ValueError:
            return None
    return None
