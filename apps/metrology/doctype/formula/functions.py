"""The whitelist of functions. Each takes the call context and the evaluated arguments.

Blank (None) arguments make scalar functions return blank; aggregates skip blanks inside lists.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import Context, Decimal
from typing import Any, Callable, Mapping, Protocol, Sequence

from .errors import FormulaError, gettext_noop
from .limits import EMAX, EMIN
from .rounding import round_gb, round_half_up, round_up
from .tables import LimitTable, resolve
from .values import Value, need_integer, need_number, truthy, type_error, wrong_value

_ESTIMATE = Context(prec=12)
ARGUMENT_NUMBER = gettext_noop("Argument {position} of {function} must be a number, got {value}")


class CallContext(Protocol):
    today: datetime.date
    tables: Mapping[str, LimitTable]

    def count_steps(self, n: int) -> None: ...


Impl = Callable[[CallContext, Sequence[Value]], Value]


class Spec:
    """One function of the language, for every evaluation path.

    ``impl(context, arguments)`` is the function as a formula calls it (None for IF, which each
    path runs lazily). ``plain`` is the same function on its arguments alone, for scalar
    functions, and ``on_list`` on the values of one list, for aggregates (steps not counted): the
    generated path calls them directly where every argument is a number, or the only argument a
    grid column. ``gives_number``: the result is always a number (a scalar function: given numbers).
    """

    __slots__ = ("min_args", "max_args", "impl", "plain", "on_list", "gives_number")

    def __init__(self, min_args: int, max_args: int | None, impl: Impl | None,
                 plain: Callable[..., Value] | None = None, gives_number: bool = False,
                 on_list: Callable[[list[Value]], Value] | None = None) -> None:
        self.min_args = min_args
        self.max_args = max_args
        self.impl = impl
        self.plain = plain
        self.on_list = on_list
        self.gives_number = gives_number


def arity_error(name: str, spec: Spec, count: int) -> FormulaError:
    if spec.max_args == spec.min_args:
        template = gettext_noop("{name} takes {expected} argument(s), got {count}")
        return FormulaError("arg_count", template, name=name, expected=str(spec.min_args), count=count)
    if spec.max_args is None:
        template = gettext_noop("{name} takes at least {minimum} argument(s), got {count}")
        return FormulaError("arg_count", template, name=name, minimum=spec.min_args, count=count)
    template = gettext_noop("{name} takes {minimum} to {maximum} arguments, got {count}")
    return FormulaError("arg_count", template, name=name, minimum=spec.min_args, maximum=spec.max_args, count=count)


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


def _scalar(name: str, fn: Callable[..., Value], min_args: int, max_args: int, gives_number: bool = False) -> Spec:
    """A function of single values: any blank argument gives blank; lists are refused."""

    def impl(ctx: CallContext, args: Sequence[Value]) -> Value:
        for arg in args:
            if isinstance(arg, list):
                raise type_error(gettext_noop("{function} takes single values, not a list (grid column)"),
                                 function=name)
        if any(a is None for a in args):
            return None
        return fn(*args)

    return Spec(min_args, max_args, impl, fn, gives_number)


def _flatten(ctx: CallContext, args: Sequence[Value]) -> list[Value]:
    out: list[Value] = []
    for arg in args:
        if isinstance(arg, list):
            ctx.count_steps(len(arg))
            out.extend(arg)
        else:
            out.append(arg)
    return out


def _aggregate(name: str, over_numbers: Callable[[list[Decimal]], Value], gives_number: bool = False) -> Spec:
    """A function of the numbers among its arguments (lists included); blanks are skipped."""
    template = gettext_noop("{function} takes numbers, got {value}")

    def on_list(values: list[Value]) -> Value:
        return over_numbers([v if v.__class__ is Decimal else need_number(v, template, function=name)
                             for v in values if v is not None])

    def impl(ctx: CallContext, args: Sequence[Value]) -> Value:
        if len(args) == 1 and args[0].__class__ is list:  # the usual call: one grid column
            ctx.count_steps(len(args[0]))
            return on_list(args[0])
        return on_list(_flatten(ctx, args))

    return Spec(1, None, impl, gives_number=gives_number, on_list=on_list)


def _sum(numbers: list[Decimal]) -> Value:
    return sum(numbers, Decimal(0))


def _average(numbers: list[Decimal]) -> Value:
    if not numbers:
        raise FormulaError("div_zero", gettext_noop("AVERAGE of no values"))
    return sum(numbers, Decimal(0)) / len(numbers)


def _min(numbers: list[Decimal]) -> Value:
    return min(numbers) if numbers else None


def _max(numbers: list[Decimal]) -> Value:
    return max(numbers) if numbers else None


def _range(numbers: list[Decimal]) -> Value:
    return max(numbers) - min(numbers) if numbers else None


def _maxabs(numbers: list[Decimal]) -> Value:
    if not numbers:
        return None
    best = numbers[0]
    for number in numbers[1:]:
        if abs(number) > abs(best):
            best = number
    return best


def _count(values: list[Value]) -> Value:
    return Decimal(sum(1 for v in values if isinstance(v, Decimal)))


def _stdev(numbers: list[Decimal]) -> Value:
    if len(numbers) < 2:
        raise FormulaError("div_zero", gettext_noop("STDEV needs at least two values"))
    mean = sum(numbers, Decimal(0)) / len(numbers)
    squares = sum(((n - mean) ** 2 for n in numbers), Decimal(0))
    return (squares / (len(numbers) - 1)).sqrt()


def _logical(name: str, combine: Callable[[list[bool]], bool]) -> Spec:
    """AND, OR: TRUE/FALSE (or numbers) among the arguments, lists included; blanks skipped."""
    template = gettext_noop("{function} takes TRUE or FALSE, got {value}")

    def impl(ctx: CallContext, args: Sequence[Value]) -> Value:
        values = [truthy(v, template, function=name) for v in _flatten(ctx, args) if v is not None]
        return combine(values) if values else None

    return Spec(1, None, impl)


def _not(value: Value) -> Value:
    return not truthy(value, gettext_noop("Argument {position} of {function} must be TRUE or FALSE, got {value}"),
                      function="NOT", position=1)


def _sqrt(value: Value) -> Value:
    number = need_number(value, ARGUMENT_NUMBER, function="SQRT", position=1)
    if number < 0:
        raise FormulaError("domain", gettext_noop("SQRT of a negative number"))
    return number.sqrt()


def _round(value: Value, digits: Value) -> Value:
    number = need_number(value, ARGUMENT_NUMBER, function="ROUND", position=1)
    return round_half_up(number, need_integer(digits, "ROUND", 2))


def _roundup(value: Value, digits: Value) -> Value:
    number = need_number(value, ARGUMENT_NUMBER, function="ROUNDUP", position=1)
    return round_up(number, need_integer(digits, "ROUNDUP", 2))


def _roundgb(value: Value, interval: Value) -> Value:
    number = need_number(value, ARGUMENT_NUMBER, function="ROUNDGB", position=1)
    return round_gb(number, need_number(interval, ARGUMENT_NUMBER, function="ROUNDGB", position=2))


def _power(base: Value, exponent: Value) -> Value:
    number = need_number(base, ARGUMENT_NUMBER, function="POWER", position=1)
    return power(number, need_number(exponent, ARGUMENT_NUMBER, function="POWER", position=2))


def _edate(start: Value, months: Value) -> Value:
    if not isinstance(start, datetime.date):
        raise wrong_value(start, gettext_noop("Argument {position} of {function} must be a date, got {value}"),
                          function="EDATE", position=1)
    number = need_number(months, ARGUMENT_NUMBER, function="EDATE", position=2)
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
    return abs(need_number(value, ARGUMENT_NUMBER, function="ABS", position=1))


FUNCTIONS: dict[str, Spec] = {
    "IF": Spec(2, 3, None),
    "AND": _logical("AND", all),
    "OR": _logical("OR", any),
    "NOT": _scalar("NOT", _not, 1, 1),
    "ABS": _scalar("ABS", _abs, 1, 1, gives_number=True),
    "SQRT": _scalar("SQRT", _sqrt, 1, 1, gives_number=True),
    "POWER": _scalar("POWER", _power, 2, 2, gives_number=True),
    "SUM": _aggregate("SUM", _sum, gives_number=True),
    "AVERAGE": _aggregate("AVERAGE", _average, gives_number=True),
    "MIN": _aggregate("MIN", _min),
    "MAX": _aggregate("MAX", _max),
    "COUNT": Spec(1, None, lambda ctx, args: _count(_flatten(ctx, args)), gives_number=True, on_list=_count),
    "STDEV": _aggregate("STDEV", _stdev, gives_number=True),
    "RANGE": _aggregate("RANGE", _range),
    "MAXABS": _aggregate("MAXABS", _maxabs),
    "ROUND": _scalar("ROUND", _round, 2, 2, gives_number=True),
    "ROUNDUP": _scalar("ROUNDUP", _roundup, 2, 2, gives_number=True),
    "ROUNDGB": _scalar("ROUNDGB", _roundgb, 2, 2, gives_number=True),
    "LOOKUP": Spec(1, None, _lookup),
    "EDATE": _scalar("EDATE", _edate, 2, 2),
    "TODAY": Spec(0, 0, _today),
}


def describe() -> dict[str, Any]:
    """Names and argument counts, e.g. for an editor's autocomplete."""
    return {name: {"min_args": s.min_args, "max_args": s.max_args} for name, s in FUNCTIONS.items()}
