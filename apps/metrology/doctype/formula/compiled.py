"""A parsed formula compiled once into a tree of Python closures, one per syntax node.

Each closure takes the evaluation state (``Run``) and returns a value. The closures call only the
whitelisted function implementations and operate only on values (no eval, no attribute access on
values), so this is the same sandbox as walking the tree, without dispatching on node types at
run time. An error is located at the innermost node that raised it.

Step budget: a formula always visits its nodes outside IF branches, so their count is charged
when the evaluation starts; an IF branch charges its own nodes when taken; list elements
(grid columns, aggregated lists, table rows) are charged as they are touched.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Mapping
from decimal import Decimal, DecimalException, DivisionByZero, Overflow
from typing import Any, Callable, Collection

from . import nodes
from .errors import FormulaError, gettext_noop
from .functions import FUNCTIONS, power
from .limits import MAX_STEPS
from .tables import LimitTable, resolve
from .values import Value, check_value, need_number, order_key, show, to_text, truthy, type_error, values_equal

IF_CONDITION = gettext_noop("The condition of IF must be TRUE or FALSE, got {value}")
SIGN_NUMBER = gettext_noop("The sign {op} needs a number, got {value}")
OPERATOR_NUMBERS = gettext_noop("The operator {op} needs numbers, got {value}")


class Run:
    """The state of one evaluation: names in scope, limit tables, the date and the step budget.

    ``env`` holds the top-level names; ``row`` the current grid row, for formulas compiled with
    ``row_names`` (a grid column's formula or a rule checked on every row).
    """

    __slots__ = ("env", "row", "tables", "_today", "steps", "max_steps")

    def __init__(
        self,
        env: Mapping[str, Any],
        tables: Mapping[str, LimitTable],
        today: datetime.date | None,
        max_steps: int = MAX_STEPS,
    ) -> None:
        self.env = env
        self.row: Mapping[str, Any] | None = None
        self.tables = tables
        self._today = today
        self.steps = 0
        self.max_steps = max_steps

    @property
    def today(self) -> datetime.date:
        return self._today or datetime.date.today()  # read only by TODAY()

    def count_steps(self, n: int) -> None:
        self.steps += n
        if self.steps > self.max_steps:
            raise FormulaError("steps", gettext_noop("The formula needs more than {limit} steps"), limit=self.max_steps)


Fn = Callable[[Run], Value]


class Program:
    """A compiled formula: ``root(run)`` gives its value; ``cost`` is the number of nodes visited
    whatever the values (IF branches charge their own when taken)."""

    __slots__ = ("source", "root", "cost")

    def __init__(self, source: str, root: Fn, cost: int) -> None:
        self.source = source
        self.root = root
        self.cost = cost


def compile_formula(
    ast: nodes.Node,
    source: str,
    row_names: Collection[str] = frozenset(),
    tables: Mapping[str, LimitTable] | None = None,
) -> Program:
    """Compile a syntax tree; names in ``row_names`` are read from ``Run.row``, others from ``Run.env``.

    With ``tables``, a LOOKUP of a literal table name is resolved now for runs on those very tables.
    """
    root, cost = _Builder(source, frozenset(row_names), tables).build(ast)
    return Program(source, root, cost)


def located(exc: Exception, pos: int, source: str) -> Exception:
    """The FormulaError for ``exc`` located at ``pos``; other exceptions are returned unchanged."""
    if isinstance(exc, FormulaError):
        return exc.locate(pos, source)
    if isinstance(exc, (ZeroDivisionError, DivisionByZero)):
        error = FormulaError("div_zero", gettext_noop("Division by zero"))
    elif isinstance(exc, Overflow):
        error = FormulaError("too_large", gettext_noop("The number is too large"))
    elif isinstance(exc, DecimalException):
        error = FormulaError("domain", gettext_noop("Invalid arithmetic"))
    else:
        return exc
    return error.locate(pos, source)


class _Builder:
    def __init__(self, source: str, row_names: frozenset[str], tables: Mapping[str, LimitTable] | None) -> None:
        self.source = source
        self.row_names = row_names
        self.tables = tables

    def build(self, node: nodes.Node) -> tuple[Fn, int]:
        """The node's closure and the number of nodes it always visits."""
        kind = type(node)
        if kind is nodes.Number or kind is nodes.Text or kind is nodes.Logical:
            return _constant(node.value), 1
        if kind is nodes.Name:
            return _name(node.name, node.name in self.row_names, node.pos, self.source), 1
        if kind is nodes.Column:
            return _column(node.grid, node.column, node.grid in self.row_names, node.pos, self.source), 1
        if kind is nodes.Unary:
            operand, cost = self.build(node.operand)
            return _unary(node.op, operand, node.pos, self.source), cost + 1
        if kind is nodes.Binary:
            left, left_cost = self.build(node.left)
            right, right_cost = self.build(node.right)
            return _BINARY[node.op](node.op, left, right, node.pos, self.source), left_cost + right_cost + 1
        if kind is nodes.Call and node.name == "IF":
            return self.build_if(node)
        if kind is nodes.Call:
            built = [self.build(arg) for arg in node.args]
            impl = FUNCTIONS[node.name].impl
            fn = _call(impl, tuple(f for f, _ in built), node.pos, self.source)
            if node.name == "LOOKUP":
                fn = self.bound_lookup(node, fn, tuple(f for f, _ in built[1:])) or fn
            return fn, sum(cost for _, cost in built) + 1
        raise TypeError(f"not a syntax node: {kind.__name__}")

    def build_if(self, node: nodes.Call) -> tuple[Fn, int]:
        condition, cost = self.build(node.args[0])
        then, then_cost = self.build(node.args[1])
        otherwise, otherwise_cost = self.build(node.args[2]) if len(node.args) > 2 else (None, 0)
        pos, source = node.pos, self.source

        def if_(run: Run) -> Value:
            value = condition(run)
            try:
                flag = value if value is True or value is False else truthy(value, IF_CONDITION)
                if flag is None or (not flag and otherwise is None):
                    return None
                run.count_steps(then_cost if flag else otherwise_cost)
            except Exception as exc:
                raise located(exc, pos, source) from None
            return then(run) if flag else otherwise(run)

        return if_, cost + 1


    def bound_lookup(self, node: nodes.Call, general: Fn, keys: tuple[Fn, ...]) -> Fn | None:
        """LOOKUP("table", keys…) resolved against ``self.tables``; runs on other tables take ``general``."""
        ref = node.args[0]
        if self.tables is None or not isinstance(ref, nodes.Text):
            return None
        try:
            table, column = resolve(self.tables, ref.value)
        except FormulaError:
            return None  # the general path reports it where it happens
        tables, rows, pos, source = self.tables, len(table.rows), node.pos, self.source

        def lookup(run: Run) -> Value:
            if run.tables is not tables:
                return general(run)
            values = [key(run) for key in keys]
            try:
                run.count_steps(rows)
                return table.lookup(column, values)
            except Exception as exc:
                raise located(exc, pos, source) from None

        return lookup


def _constant(value: Value) -> Fn:
    return lambda run: value


_PLAIN = frozenset({str, bool, type(None), datetime.date})


def _name(key: str, from_row: bool, pos: int, source: str) -> Fn:
    def name(run: Run) -> Value:
        try:
            value = (run.row if from_row else run.env)[key]
        except KeyError:
            raise FormulaError("unknown_name", gettext_noop("Unknown name {name}"), name=key).locate(pos, source) from None
        cls = value.__class__
        if (cls is Decimal and value.is_finite()) or cls in _PLAIN:
            return value
        try:
            return _other_value(value, key)
        except Exception as exc:
            raise located(exc, pos, source) from None

    return name


def _other_value(value: Any, key: str) -> Value:
    value = check_value(value, key)
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        raise type_error(gettext_noop("{name} is a grid; refer to one of its columns as {name}.column"), name=key)
    return value


def _column(grid: str, column: str, from_row: bool, pos: int, source: str) -> Fn:
    label = f"{grid}.{column}"

    def read(run: Run) -> Value:
        try:
            return column_values((run.row if from_row else run.env).get(grid), column, label, run)
        except Exception as exc:
            raise located(exc, pos, source) from None

    return read


def column_values(rows: Any, column: str, label: str, run: Run) -> list[Value]:
    """``grid.column``: the column's value on every row of ``rows`` (a grid), charged as steps."""
    if not isinstance(rows, list) or not all(r.__class__ is dict or isinstance(r, Mapping) for r in rows):
        raise FormulaError("unknown_name", gettext_noop("Unknown name {name}"), name=label)
    run.count_steps(len(rows))
    out = []
    for row in rows:
        value = row.get(column)
        out.append(value if value.__class__ is Decimal and value.is_finite() else check_value(value, label))
    return out


def _call(impl: Any, args: tuple[Fn, ...], pos: int, source: str) -> Fn:
    def call(run: Run) -> Value:
        values = [arg(run) for arg in args]
        try:
            return impl(run, values)
        except Exception as exc:
            raise located(exc, pos, source) from None

    return call


def _unary(op: str, operand: Fn, pos: int, source: str) -> Fn:
    negate = op == "-"

    def unary(run: Run) -> Value:
        value = operand(run)
        if value is None:
            return None
        try:
            number = value if value.__class__ is Decimal else need_number(value, SIGN_NUMBER, op=op)
            return -number if negate else +number
        except Exception as exc:
            raise located(exc, pos, source) from None

    return unary


def _arithmetic(op: str, left: Fn, right: Fn, pos: int, source: str) -> Fn:
    fast = _FAST[op]

    def arithmetic(run: Run) -> Value:
        a = left(run)
        b = right(run)
        try:
            if a.__class__ is Decimal and b.__class__ is Decimal:
                return fast(a, b)
            if a is None or b is None:
                return None
            return _mixed_arithmetic(op, a, b)
        except Exception as exc:
            error = exc
            if op == "/" and b.__class__ is Decimal and a.__class__ is Decimal and b.is_zero():
                error = FormulaError("div_zero", gettext_noop("Division by zero"))  # 0/0 is trapped as invalid
            raise located(error, pos, source) from None

    return arithmetic


def _order(op: str, left: Fn, right: Fn, pos: int, source: str) -> Fn:
    compare = _COMPARE[op]

    def order(run: Run) -> Value:
        a = left(run)
        b = right(run)
        if a is None or b is None:
            return None
        if a.__class__ is Decimal and b.__class__ is Decimal:
            return compare(a, b)
        try:
            return compare(*order_key(a, b))
        except Exception as exc:
            raise located(exc, pos, source) from None

    return order


def _equality(op: str, left: Fn, right: Fn, pos: int, source: str) -> Fn:
    equal = op == "="

    def equality(run: Run) -> Value:
        a = left(run)
        b = right(run)
        try:
            return values_equal(a, b) is equal
        except Exception as exc:
            raise located(exc, pos, source) from None

    return equality


def _join(op: str, left: Fn, right: Fn, pos: int, source: str) -> Fn:
    def join(run: Run) -> Value:
        a = left(run)
        b = right(run)
        try:
            return to_text(a) + to_text(b)
        except Exception as exc:
            raise located(exc, pos, source) from None

    return join


def _mixed_arithmetic(op: str, left: Value, right: Value) -> Value:
    """Arithmetic on anything but two plain decimals: dates, or a type error."""
    if isinstance(left, datetime.date) or isinstance(right, datetime.date):
        return _date_arithmetic(op, left, right)
    a = need_number(left, OPERATOR_NUMBERS, op=op)
    b = need_number(right, OPERATOR_NUMBERS, op=op)
    if op == "/" and b.is_zero():
        raise FormulaError("div_zero", gettext_noop("Division by zero"))
    return _FAST[op](a, b)


def _date_arithmetic(op: str, left: Value, right: Value) -> Value:
    if op == "-" and isinstance(left, datetime.date) and isinstance(right, datetime.date):
        return Decimal((left - right).days)
    if op in "+-" and isinstance(left, datetime.date) and isinstance(right, Decimal):
        days = int(right) if op == "+" else -int(right)
        try:
            return left + datetime.timedelta(days=days)
        except (OverflowError, ValueError):
            raise FormulaError("too_large", gettext_noop("The date is outside the calendar")) from None
    if op == "+" and isinstance(right, datetime.date) and isinstance(left, Decimal):
        return _date_arithmetic(op, right, left)
    raise type_error(gettext_noop("Cannot compute {left} {op} {right}"), op=op, left=show(left), right=show(right))


_FAST: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "^": power,
}
_COMPARE = {"<": operator.lt, ">": operator.gt, "<=": operator.le, ">=": operator.ge}
_BINARY = {
    **{op: _arithmetic for op in _FAST},
    **{op: _order for op in _COMPARE},
    "=": _equality,
    "<>": _equality,
    "&": _join,
}
