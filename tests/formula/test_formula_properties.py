"""Property tests: parse and evaluate never raise anything but FormulaError."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrology.doctype.formula import Formula, FormulaError, evaluate, parse

TOKENS = [
    "1", "0", "2.5", ".5", "1e3", "9", "1e99", "0.1", '"a"', '""""', "TRUE", "FALSE", "x", "y", "示值误差",
    "runs.E", "g.__class__", "(", ")", ",", "+", "-", "*", "/", "^", "&", "=", "<>", "<", ">", "<=", ">=",
    "SUM(", "IF(", "AVERAGE(", "ROUNDGB(", "LOOKUP(", "EDATE(", "TODAY(", "MAXABS(", "POWER(", "SQRT(",
    "STDEV(", "ROUND(", "NOT(", "AND(", " ", "\n", ".", "'", "[", "]", "__import__", "=",
]
ENV = {
    "x": Decimal("1.5"),
    "y": Decimal("-2"),
    "示值误差": Decimal("0.3"),
    "runs": [{"E": Decimal("0.1")}, {"E": None}, {"E": Decimal("-0.2")}],
    "g": [{"__class__": "nope"}],
}
SETTINGS = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _parse_or_error(source: str) -> Formula | None:
    try:
        return parse(source)
    except FormulaError:
        return None


def _evaluate_or_error(formula: Formula) -> None:
    try:
        evaluate(formula, ENV)
    except FormulaError:
        pass


@SETTINGS
@given(st.text(max_size=200))
def test_random_text_parses_or_gives_a_formula_error(source):
    _parse_or_error(source)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_random_token_soup_parses_and_evaluates_or_gives_a_formula_error(source):
    formula = _parse_or_error(source)
    if formula is not None:
        _evaluate_or_error(formula)


NUMBERS = st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**6, max_value=10**6, places=4).map(
    lambda d: format(d, "f")
)


def _arithmetic(depth: int):
    leaf = st.one_of(NUMBERS, st.sampled_from(["x", "y", "示值误差"]))
    if depth == 0:
        return leaf
    sub = _arithmetic(depth - 1)
    return st.one_of(
        leaf,
        st.tuples(sub, st.sampled_from(["+", "-", "*", "/", "^", "<", "=", "&"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        sub.map(lambda s: f"-{s}"),
        st.tuples(st.sampled_from(["ABS", "SQRT", "SUM", "MAXABS", "ROUNDGB", "ROUND", "POWER"]), sub, sub).map(
            lambda t: f"{t[0]}({t[1]}{', ' + t[2] if t[0] in ('ROUNDGB', 'ROUND', 'POWER', 'SUM', 'MAXABS') else ''})"
        ),
    )


@SETTINGS
@given(_arithmetic(4))
def test_well_formed_arithmetic_evaluates_to_a_value_or_a_formula_error(source):
    formula = parse(source)
    try:
        result = evaluate(formula, ENV)
    except FormulaError:
        return
    assert result is None or isinstance(result, (Decimal, bool, str))
