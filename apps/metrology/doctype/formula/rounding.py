"""Rounding: GB/T 8170-2008 (round half to even at any interval, once, from the exact value),
Excel ROUND (half away from zero) and ROUNDUP (away from zero)."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Context, Decimal, DecimalException

from .errors import FormulaError, gettext_noop
from .limits import EMAX, EMIN
from .values import parse_decimal

# Wide enough that value / interval is exact for every interval of the form k·10ⁿ (k = 1, 2, 5)
# and for every in-range value; a wider quotient would only lose digits far below the interval.
_WIDE = Context(prec=120, Emax=EMAX * 3, Emin=EMIN * 3, rounding=ROUND_HALF_EVEN)
_ONE = Decimal(1)


def round_gb(value: Decimal | str, interval: Decimal | str) -> Decimal:
    """Round ``value`` to a multiple of ``interval`` per GB/T 8170-2008 §3 (四舍六入五成双).

    ``round_gb("1.050", "0.1") == Decimal("1.0")``; ``round_gb("832", "20") == Decimal("840")``.
    """
    value = _decimal(value, gettext_noop("The value to round must be a number, got {value}"))
    interval = _decimal(interval, gettext_noop("The rounding interval must be a number, got {value}"))
    if not interval.is_finite() or interval <= 0:
        raise FormulaError(
            "domain", gettext_noop("The rounding interval must be a positive number, got {interval}"), interval=interval
        )
    try:
        steps = _WIDE.divide(value, interval).quantize(_ONE, rounding=ROUND_HALF_EVEN, context=_WIDE)
        result = _WIDE.multiply(steps, interval)
    except DecimalException:
        raise _too_large() from None
    return _normal_zero(result)


def _decimal(value: Decimal | str, template: str) -> Decimal:
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if isinstance(value, str):
        try:
            return parse_decimal(value)
        except ValueError:
            pass
    raise FormulaError("type", template, value=str(value)[:40])


def round_half_up(value: Decimal, digits: int) -> Decimal:
    """Excel ROUND: ``digits`` decimal places (negative: to tens, hundreds …), halves away from zero."""
    return _quantize(value, digits, ROUND_HALF_UP)


def round_up(value: Decimal, digits: int) -> Decimal:
    """Excel ROUNDUP: away from zero at ``digits`` decimal places."""
    return _quantize(value, digits, ROUND_UP)


def _quantize(value: Decimal, digits: int, rounding: str) -> Decimal:
    if abs(digits) > EMAX:
        raise FormulaError("domain", gettext_noop("Cannot round to {digits} digits"), digits=digits)
    try:
        result = value.quantize(Decimal((0, (1,), -digits)), rounding=rounding, context=_WIDE)
    except DecimalException:
        raise _too_large() from None
    return _normal_zero(result)


def _normal_zero(value: Decimal) -> Decimal:
    return value.copy_abs() if value.is_zero() else value


def _too_large() -> FormulaError:
    return FormulaError("too_large", gettext_noop("The number is too large to round"))
