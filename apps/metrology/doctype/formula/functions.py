"""The whitelist of functions. Each takes the call context and the evaluated arguments.

Blank (None) arguments make scalar functions return blank; aggregates skip blanks inside lists.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Context, Decimal
from typing import Any, Callable, Mapping, Optional, Protocol, Sequence

from .errors import FormulaError, gettext_noop
from .limits import EMAX, EMIN
from .rounding import round_gb, round_half_up, round_up
from .tables import LimitTable, resolve
from .values import Value, need_integer, need_number, truthy, type_error, type_name

_ESTIMATE = Context(prec=12)


class CallContext(Protocol):
    today: datetime.date
    tables: Mapping[str, LimitTable]

    def count_steps(self, n: int) -> None: ...


Impl = Callable[[CallContext, Sequence[Value]], Value]


@dataclass(frozen=True)
class Spec:
    min_args: int
    max_args: Optional[int]
    impl: Optional[Impl]  # None for IF, which the evaluator runs lazily


def arity_text(spec: Spec) -> str:
    if spec.max_args == spec.min_args:
        return str(spec.min_args)
    if spec.max_args is None:
        return f"at least {spec.min_args}"
    return f"{spec.min_args} to {spec.max_args}"


def power(base: Decimal, exponent: Decimal) -> Decimal:
    """base ^ exponent, refusing results beyond the magnitude bounds before computing them."""
    if base.is_zero():
        if exponent.is_zero():
            raise FormulaError("domain", gettext_noop("0^0 is undefined"))
        if exponent < 0:
            raise FormulaError("div_zero", gettext_noop("Division by zero (0 raised to a negative power)"))
        return Decimal(0)
    integral = exponent == exponent.to_integral_value()
    if base < 0 and not integral:
        raise FormulaError("domain", gettext_noop("A negative number cannot be raised to a fractional power"))
    if abs(base) == 1:
        return Decimal(-1) if base < 0 and int(exponent) % 2 else Decimal(1)
    magnitude = _ESTIMATE.multiply(exponent, _ESTIMATE.log10(abs(base)))
    if magnitude > EMAX + 1:
        raise FormulaError("too_large", gettext_noop("The number is too large"))
    if magnitude < EMIN - 2:
        return Decimal(0)
    return base**exponent


def _blank_in(args: Sequence[Value]) -> bool:
    return any(a is None for a in args)


def _scalar(fn: Callable[..., Value]) -> Impl:
    """Wrap a function of plain values: any blank argument gives blank; lists are refused."""

    def impl(ctx: CallContext, args: Sequence[Value]) -> Value:
        for arg in args:
            if isinstance(arg, list):
                raise type_error(gettext_noop("This function takes single values, not a list (grid column)"))
        if _blank_in(args):
            return None
        return fn(*args)

    return impl


def _flatten(ctx: CallContext, args: Sequence[Value]) -> list[Value]:
    out: list[Value] = []
    for arg in args:
        if isinstance(arg, list):
            ctx.count_steps(len(arg))
            out.extend(arg)
        else:
            out.append(arg)
    return out


def _numbers(ctx: CallContext, args: Sequence[Value]) -> list[Decimal]:
    return [need_number(v) for v in _flatten(ctx, args) if v is not None]


def _sum(ctx: CallContext, args: Sequence[Value]) -> Value:
    return sum(_numbers(ctx, args), Decimal(0))


def _average(ctx: CallContext, args: Sequence[Value]) -> Value:
    numbers = _numbers(ctx, args)
    if not numbers:
        raise FormulaError("div_zero", gettext_noop("AVERAGE of no values"))
    return sum(numbers, Decimal(0)) / len(numbers)


def _min(ctx: CallContext, args: Sequence[Value]) -> Value:
    numbers = _numbers(ctx, args)
    return min(numbers) if numbers else None


def _max(ctx: CallContext, args: Sequence[Value]) -> Value:
    numbers = _numbers(ctx, args)
    return max(numbers) if numbers else None


def _range(ctx: CallContext, args: Sequence[Value]) -> Value:
    numbers = _numbers(ctx, args)
    return max(numbers) - min(numbers) if numbers else None


def _maxabs(ctx: CallContext, args: Sequence[Value]) -> Value:
    numbers = _numbers(ctx, args)
    if not numbers:
        return None
    best = numbers[0]
    for number in numbers[1:]:
        if abs(number) > abs(best):
            best = number
    return best


def _count(ctx: CallContext, args: Sequence[Value]) -> Value:
    return Decimal(sum(1 for v in _flatten(ctx, args) if isinstance(v, Decimal)))


def _stdev(ctx: CallContext, args: Sequence[Value]) -> Value:
    numbers = _numbers(ctx, args)
    if len(numbers) < 2:
        raise FormulaError("div_zero", gettext_noop("STDEV needs at least two values"))
    mean = sum(numbers, Decimal(0)) / len(numbers)
    squares = sum(((n - mean) ** 2 for n in numbers), Decimal(0))
    return (squares / (len(numbers) - 1)).sqrt()


def _logicals(ctx: CallContext, args: Sequence[Value]) -> list[bool]:
    return [truthy(v, "a logical argument") for v in _flatten(ctx, args) if v is not None]


def _and(ctx: CallContext, args: Sequence[Value]) -> Value:
    values = _logicals(ctx, args)
    return all(values) if values else None


def _or(ctx: CallContext, args: Sequence[Value]) -> Value:
    values = _logicals(ctx, args)
    return any(values) if values else None


def _not(value: Value) -> Value:
    return not truthy(value, "NOT")


def _sqrt(value: Value) -> Value:
    number = need_number(value, "SQRT")
    if number < 0:
        raise FormulaError("domain", gettext_noop("SQRT of a negative number"))
    return number.sqrt()


def _round(value: Value, digits: Value) -> Value:
    return round_half_up(need_number(value, "ROUND"), need_integer(digits, "the digits of ROUND"))


def _roundup(value: Value, digits: Value) -> Value:
    return round_up(need_number(value, "ROUNDUP"), need_integer(digits, "the digits of ROUNDUP"))


def _roundgb(value: Value, interval: Value) -> Value:
    return round_gb(need_number(value, "ROUNDGB"), need_number(interval, "the interval of ROUNDGB"))


def _power(base: Value, exponent: Value) -> Value:
    return power(need_number(base, "POWER"), need_number(exponent, "the exponent of POWER"))


def _edate(start: Value, months: Value) -> Value:
    if not isinstance(start, datetime.date):
        raise type_error(gettext_noop("EDATE needs a date, got {type}"), type=type_name(start))
    number = need_number(months, "the months of EDATE")
    total = start.year * 12 + (start.month - 1) + int(number)  # Excel truncates fractional months
    year, month = divmod(total, 12)
    if not 1 <= year <= 9999:
        raise FormulaError("too_large", gettext_noop("EDATE gives a date outside the calendar"))
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return datetime.date(year, month + 1, day)


def _today(ctx: CallContext, args: Sequence[Value]) -> Value:
    return ctx.today


def _lookup(ctx: CallContext, args: Sequence[Value]) -> Value:
    ref = args[0]
    if not isinstance(ref, str):
        raise type_error(gettext_noop('LOOKUP needs the table name as text first, e.g. LOOKUP("表名", key)'))
    table, column = resolve(ctx.tables, ref)
    ctx.count_steps(len(table.rows))
    return table.lookup(column, list(args[1:]))


def _abs(value: Value) -> Value:
    return abs(need_number(value, "ABS"))


FUNCTIONS: dict[str, Spec] = {
    "IF": Spec(2, 3, None),
    "AND": Spec(1, None, _and),
    "OR": Spec(1, None, _or),
    "NOT": Spec(1, 1, _scalar(_not)),
    "ABS": Spec(1, 1, _scalar(_abs)),
    "SQRT": Spec(1, 1, _scalar(_sqrt)),
    "POWER": Spec(2, 2, _scalar(_power)),
    "SUM": Spec(1, None, _sum),
    "AVERAGE": Spec(1, None, _average),
    "MIN": Spec(1, None, _min),
    "MAX": Spec(1, None, _max),
    "COUNT": Spec(1, None, _count),
    "STDEV": Spec(1, None, _stdev),
    "RANGE": Spec(1, None, _range),
    "MAXABS": Spec(1, None, _maxabs),
    "ROUND": Spec(2, 2, _scalar(_round)),
    "ROUNDUP": Spec(2, 2, _scalar(_roundup)),
    "ROUNDGB": Spec(2, 2, _scalar(_roundgb)),
    "LOOKUP": Spec(1, None, _lookup),
    "EDATE": Spec(2, 2, _scalar(_edate)),
    "TODAY": Spec(0, 0, _today),
}


def describe() -> dict[str, Any]:
    """Names and argument counts, e.g. for an editor's autocomplete."""
    return {name: {"min_args": s.min_args, "max_args": s.max_args} for name, s in FUNCTIONS.items()}
