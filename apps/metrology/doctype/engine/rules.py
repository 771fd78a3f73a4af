"""Verdict rules: value OPERATOR limit, compared in full (全数值比较法) or after rounding the value
at an interval (修约值比较法, GB/T 8170 §4.3)."""

from __future__ import annotations

from decimal import Decimal

from ..formula import FormulaError, gettext_noop, round_gb
from ..formula.compiled import Run
from ..formula.evaluator import execute
from ..formula.records import Record
from ..formula.values import Value, order_key, truthy, values_equal
from .model import Rule

APPLIES_IF_CONDITION = gettext_noop("The condition applies_if must be TRUE or FALSE, got {value}")
_COMPARE = {
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
}


class Outcome(Record):
    """One comparison: the value, the limit, the value actually compared and whether it passed."""

    __slots__ = ("value", "limit", "compared", "passed", "row")
    value: Value
    limit: Value
    compared: Value
    passed: bool | None
    row: int | None

    def __init__(self, value: Value = None, limit: Value = None, compared: Value = None,
                 passed: bool | None = None, row: int | None = None) -> None:  # made per record: kept direct
        self.value = value
        self.limit = limit
        self.compared = compared
        self.passed = passed
        self.row = row


class RuleResult(Record):
    """A rule judged on one record; ``passed`` is None when the rule does not apply, ``rows`` the
    outcome on every grid row for a rule checked on every row."""

    __slots__ = ("id", "label", "operator", "method", "interval", "applicable", "passed", "value", "limit",
                 "compared", "rows")

    def __init__(self, id: str, label: str, operator: str, method: str, interval: Decimal | None,  # noqa: A002
                 applicable: bool, passed: bool | None, value: Value = None, limit: Value = None,
                 compared: Value = None, rows: list[Outcome] | None = None) -> None:
        self.id = id
        self.label = label
        self.operator = operator
        self.method = method
        self.interval = interval
        self.applicable = applicable
        self.passed = passed
        self.value = value
        self.limit = limit
        self.compared = compared
        self.rows = rows


def evaluate_rule(rule: Rule, run: Run) -> RuleResult:
    """Judge a rule on ``run.env`` (the computed values), on every row of ``rule.each`` if given.
    The caller enters the decimal CONTEXT."""
    if rule.each is None:
        run.row = None
        found = _check(rule, run)
        return rule_result(rule, found is not None, found, None)
    outcomes = []
    for number, row in enumerate(run.env.get(rule.each) or [], 1):
        run.row = row
        found = _check(rule, run, number)
        if found is not None:
            outcomes.append(found)
    failed = next((o for o in outcomes if not o.passed), None)
    return rule_result(rule, bool(outcomes), failed, outcomes)


def rule_result(rule: Rule, applicable: bool, shown: Outcome | None, rows: list[Outcome] | None) -> RuleResult:
    if rows is not None:
        passed = all(o.passed for o in rows) if applicable else None
    else:
        passed = shown.passed if shown is not None else None
    shown = shown or Outcome()
    return RuleResult(
        rule.id, rule.label, rule.operator, rule.method, rule.interval, applicable, passed,
        shown.value, shown.limit, shown.compared, rows,
    )


def _check(rule: Rule, run: Run, row: int | None = None) -> Outcome | None:
    """The outcome on the current values (and row), or None when ``applies_if`` says the rule
    does not apply."""
    value_program, limit_program, applies_if = rule.programs
    try:
        if applies_if is not None:
            if truthy(execute(applies_if, run), APPLIES_IF_CONDITION) is not True:
                return None
        return outcome(rule, execute(value_program, run), execute(limit_program, run), row)
    except FormulaError as error:
        raise error.in_field(rule.where, row) from None


def outcome(rule: Rule, value: Value, limit: Value, row: int | None = None) -> Outcome:
    """The comparison of a value with its limit under the rule's operator and method."""
    compared = rounded(rule, value)
    return Outcome(value, limit, compared, passes(rule.operator, compared, limit), row)


def rounded(rule: Rule, value: Value) -> Value:
    if rule.method != "rounded" or value is None:
        return value
    if not isinstance(value, Decimal):
        raise FormulaError("type", gettext_noop("Only a number can be rounded for comparison"))
    return round_gb(value, rule.interval)


def passes(operator: str, value: Value, limit: Value) -> bool:
    """A blank value or limit never passes: conformity cannot be shown without a value."""
    if value is None or limit is None:
        return False
    if operator == "=":
        return values_equal(value, limit)
    if operator == "<>":
        return not values_equal(value, limit)
    if type(value) is Decimal and type(limit) is Decimal:  # the usual case, without order_key's checks
        return _COMPARE[operator](value, limit)
    a, b = order_key(value, limit)
    return _COMPARE[operator](a, b)
