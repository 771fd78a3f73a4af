"""The value types of the language and the helpers every operator and function shares.

A value is one of: Decimal, str, bool, datetime.date, None (blank) or list (a grid column).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Union

from .errors import FormulaError, gettext_noop
from .limits import EMAX, EMIN, MAX_DIGITS

Value = Union[Decimal, str, bool, datetime.date, None, list]

_DECIMAL_RE = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def parse_decimal(text: str) -> Decimal:
    """Parse a decimal literal within the language's bounds; ValueError (with a reason) otherwise."""
    text = text.strip()
    value = plain_decimal(text)
    if value is not None:
        return value
    if len(text) > 3 * MAX_DIGITS:
        raise ValueError("too many digits")
    if not _DECIMAL_RE.fullmatch(text):
        raise ValueError("not a number")
    exp_part = re.search(r"[eE]([+-]?\d+)$", text)
    if exp_part and len(exp_part.group(1).lstrip("+-0")) > 6:
        raise ValueError("out of range")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid literals
        raise ValueError("not a number") from exc
    check_decimal(value)
    return value


def maybe_decimal(text: str) -> Decimal | None:
    """``parse_decimal(text)``, or None where it raises ValueError."""
    stripped = text.strip()
    if not _DECIMAL_RE.fullmatch(stripped):
        return None
    try:
        return parse_decimal(stripped)
    except ValueError:
        return None


def plain_decimal(text: str) -> Decimal | None:
    """The common case of ``parse_decimal`` cheaply, or None for "not this case".

    For a stripped ASCII text of at most MAX_DIGITS characters without exponent or underscores,
    Decimal() accepts exactly what _DECIMAL_RE matches, plus infinities and NaNs (refused here);
    such a literal is within every bound. Anything else takes the full path.
    """
    if len(text) > MAX_DIGITS or not text.isascii() or "e" in text or "E" in text or "_" in text:
        return None
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError, TypeError):
        return None
    return value if value.is_finite() else None


def check_decimal(value: Decimal) -> None:
    """ValueError unless ``value`` is finite and within the digits and magnitude bounds."""
    if not value.is_finite():
        raise ValueError("not a number")
    if value.is_zero():
        return
    digits = len(value.as_tuple().digits)
    if digits > MAX_DIGITS:
        raise ValueError("too many digits")
    if value.adjusted() > EMAX or value.adjusted() < EMIN - MAX_DIGITS:
        raise ValueError("out of range")


def format_decimal(value: Decimal) -> str:
    """A decimal as plain text without exponent notation; keeps trailing zeros ("0.000")."""
    if value.is_zero():
        value = value.copy_abs()
    return format(value, "f")


def to_text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise type_error(gettext_noop("Expected a single value, got a list"))


def type_error(template: str, **params: Any) -> FormulaError:
    return FormulaError("type", template, **params)


def wrong_value(value: Value, template: str, **params: Any) -> FormulaError:
    """The error for ``value`` where another kind of value is needed: ``template`` shows the value
    as ``{value}``; a list or a blank, which cannot be shown, get sentences of their own."""
    if isinstance(value, list):
        return type_error(gettext_noop("A list (grid column) cannot be used here; aggregate it first, e.g. with "
                                       "SUM or AVERAGE"))
    if value is None:
        return type_error(gettext_noop("A value is needed here, but it is blank"))
    return type_error(template, value=show(value), **params)


def need_number(value: Value, template: str, **params: Any) -> Decimal:
    """``value`` if it is a number; otherwise the error of ``template`` (see ``wrong_value``)."""
    if isinstance(value, Decimal):
        return value
    raise wrong_value(value, template, **params)


def need_integer(value: Value, function: str, position: int) -> int:
    """Argument ``position`` of ``function`` as a whole number of at most a million."""
    template = gettext_noop("Argument {position} of {function} must be a whole number, got {value}")
    number = need_number(value, template, function=function, position=position)
    if number != number.to_integral_value() or abs(number) > 10**6:
        raise wrong_value(value, template, function=function, position=position)
    return int(number)


def show(value: Value) -> str:
    """A single value as written in a message: texts in quotes, numbers plain, TRUE/FALSE, dates ISO."""
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:40] + "…"
        return f"“{shown}”"
    return to_text(value)


def truthy(value: Value, template: str, **params: Any) -> bool | None:
    """A condition's value: TRUE/FALSE, a number (zero is FALSE) or blank (None); otherwise the
    error of ``template`` (see ``wrong_value``)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, Decimal):
        return not value.is_zero()
    raise wrong_value(value, template, **params)


def values_equal(left: Value, right: Value) -> bool:
    if left is None or right is None:
        return (left is None or left == "") and (right is None or right == "")
    if isinstance(left, list) or isinstance(right, list):
        raise type_error(gettext_noop("A list (grid column) cannot be compared; aggregate it first"))
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, str) and isinstance(right, str):
        return left.casefold() == right.casefold()
    if type(left) is type(right):
        return left == right
    if isinstance(left, datetime.date) and isinstance(right, datetime.date):
        return left == right
    return False


def order_key(left: Value, right: Value) -> tuple[Any, Any]:
    """The two values made comparable with < and >; a type error for mixed or unordered types."""
    for kind in (Decimal, str, datetime.date):
        if isinstance(left, kind) and isinstance(right, kind) and not isinstance(left, bool):
            if kind is str:
                return left.casefold(), right.casefold()
            return left, right
    if isinstance(left, list) or isinstance(right, list):
        raise wrong_value([], "")
    raise type_error(gettext_noop("{left} and {right} cannot be compared by size"), left=show(left), right=show(right))


def check_value(value: Any, name: str) -> Value:
    """Accept a value from the caller's environment, converting int and datetime; reject floats."""
    if value is None or isinstance(value, (Decimal, str, bool)):
        if isinstance(value, Decimal) and not value.is_finite():
            raise type_error(gettext_noop("The value of {name} is not a finite number"), name=name)
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, list):
        return value
    if isinstance(value, float):
        raise type_error(
            gettext_noop("The value of {name} is a binary float; give numbers as decimal strings"), name=name
        )
    raise type_error(gettext_noop("The value of {name} has an unsupported type"), name=name)
