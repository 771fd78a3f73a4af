"""Inputs of a record → typed values (Decimal, str, bool, date, lists of row dicts)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from collections.abc import Mapping
from typing import Any, Callable, Sequence

from ..formula import gettext_noop, parse_decimal
from ..formula.records import Frozen
from ..formula.values import plain_decimal
from .definition import MAX_TEXT_LENGTH
from .model import CompiledProcedure, Field
from .patterns import PatternTimeout, pattern_fullmatch
from .problems import InputError, Problem

_TRUE = ("true", "1", "yes", "on")
_FALSE = ("false", "0", "no", "off")


class Invalid(Exception):
    def __init__(self, code: str, template: str, **params: Any) -> None:
        super().__init__(template)
        self.code = code
        self.template = template
        self.params = params


Reader = Callable[[Any], Any]  # raw input → typed value, or Invalid


class GridPlan(Frozen):
    __slots__ = ("spec", "blank_row", "readers", "accepted")
    spec: Field
    blank_row: dict[str, None]  # every column, in order (computed columns start blank)
    readers: tuple[tuple[str, Reader], ...]  # the input columns
    accepted: frozenset[str]  # the keys a row may give


class InputPlan(Frozen):
    __slots__ = ("blank", "readers", "accepted")
    blank: dict[str, Any]  # every value field, in order (computed fields start blank)
    readers: tuple[tuple[str, Reader | GridPlan], ...]  # the input fields
    accepted: frozenset[str]  # the keys the inputs may give


def input_plan(fields: Sequence[Field]) -> InputPlan:
    """How a record's inputs are read, worked out once per procedure."""
    readers = tuple((f.key, _grid_plan(f) if f.type == "grid" else reader(f)) for f in fields if not f.computed)
    return InputPlan(dict.fromkeys(f.key for f in fields), readers, frozenset(key for key, _ in readers))


def _grid_plan(spec: Field) -> GridPlan:
    readers = tuple((c.key, reader(c)) for c in spec.columns if not c.computed)
    accepted = frozenset(key for key, _ in readers)
    return GridPlan(spec, dict.fromkeys(c.key for c in spec.columns), readers, accepted)


def validate_inputs(procedure: CompiledProcedure, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Every value field of the procedure with its typed input value (None when not given;
    formula fields and computed grid columns start as None). Raises InputError listing every
    problem."""
    if not isinstance(inputs, Mapping):
        raise InputError([Problem("type", gettext_noop("The inputs must be an object of field values"))])
    plan = procedure.inputs
    problems: list[Problem] = []
    for key in inputs:
        if key.__class__ is not str or key not in plan.accepted:
            spec = procedure.by_key.get(key)
            if spec is None:
                problems.append(Problem("unknown_field", gettext_noop("Unknown field"), where=str(key)))
            elif spec.computed:
                template = gettext_noop("This field is computed and cannot be entered")
                problems.append(Problem("computed", template, where=key))
    values = plan.blank.copy()
    for key, read in plan.readers:
        raw = inputs.get(key)
        if read.__class__ is GridPlan:
            values[key] = _grid(read, raw, problems)
            continue
        try:
            values[key] = read(raw)
        except Invalid as exc:
            problems.append(Problem(exc.code, exc.template, exc.params, where=key))
    if problems:
        raise InputError(problems)
    return values


def _grid(plan: GridPlan, raw: Any, problems: list[Problem]) -> list[dict[str, Any]]:
    spec = plan.spec
    if raw is None:
        raw = []
    if not isinstance(raw, list) or not all(r.__class__ is dict or isinstance(r, Mapping) for r in raw):
        problems.append(Problem("type", gettext_noop("Expected a list of rows (objects)"), where=spec.key))
        return []
    if len(raw) < spec.min_rows or (spec.max_rows is not None and len(raw) > spec.max_rows):
        problems.append(_row_count_problem(spec, len(raw)))
    rows = []
    for number, given in enumerate(raw, 1):
        for key in given:
            if key.__class__ is not str or key not in plan.accepted:
                _refuse_column(spec, key, number, problems)
        row = plan.blank_row.copy()
        for key, read in plan.readers:
            try:
                row[key] = read(given.get(key))
            except Invalid as exc:
                place = {"where": spec.key, "row": number, "grid_column": key}
                problems.append(Problem(exc.code, exc.template, exc.params, **place))
        rows.append(row)
    return rows


def _refuse_column(spec: Field, key: Any, number: int, problems: list[Problem]) -> None:
    column = spec.column(key)
    place = {"where": spec.key, "row": number, "grid_column": str(key)}
    if column is None:
        problems.append(Problem("unknown_field", gettext_noop("Unknown column"), **place))
    elif column.computed:
        template = gettext_noop("This column is computed and cannot be entered")
        problems.append(Problem("computed", template, **place))


def _row_count_problem(spec: Field, count: int) -> Problem:
    if spec.max_rows == spec.min_rows:
        template, params = gettext_noop("Expected {expected} rows, got {count}"), {"expected": spec.min_rows}
    elif spec.max_rows is None:
        template, params = gettext_noop("Expected at least {minimum} rows, got {count}"), {"minimum": spec.min_rows}
    else:
        template = gettext_noop("Expected {minimum} to {maximum} rows, got {count}")
        params = {"minimum": spec.min_rows, "maximum": spec.max_rows}
    return Problem("rows", template, {**params, "count": count}, where=spec.key)


def reader(spec: Field) -> Reader:
    """``field_value`` for one field, with what does not depend on the input worked out once."""
    convert = _CONVERTERS[spec.type]
    low, high = spec.minimum, spec.maximum
    try:
        empty, empty_error = field_value(spec, None), None
    except Invalid as exc:
        empty, empty_error = None, exc

    def read(raw: Any) -> Any:
        if raw is None or raw == "":
            if empty_error is not None:
                raise Invalid(empty_error.code, empty_error.template, **empty_error.params)
            return empty
        value = convert(spec, raw)
        if (low is not None or high is not None) and isinstance(value, Decimal):
            _check_bounds(spec, value)
        return value

    def read_number(raw: Any) -> Any:
        value = plain_decimal(raw.strip()) if raw.__class__ is str else None
        if value is None:
            return read(raw)
        if (low is not None and value < low) or (high is not None and value > high):
            _check_bounds(spec, value)
        return value

    return read_number if spec.type == "number" else read


def field_value(spec: Field, raw: Any) -> Any:
    """One input converted to its field's type and checked against the field's constraints."""
    if raw is None or raw == "":
        raw = spec.default
    if raw is None or raw == "":
        if spec.type == "checkbox":
            return False
        if spec.required:
            raise Invalid("required", gettext_noop("A value is required"))
        return None
    value = _CONVERTERS[spec.type](spec, raw)
    _check_bounds(spec, value)
    return value


def _text(spec: Field, raw: Any) -> str:
    if not isinstance(raw, str):
        raise Invalid("type", gettext_noop("Expected text"))
    limit = spec.max_length or MAX_TEXT_LENGTH
    if len(raw) > limit:
        raise Invalid("too_long", gettext_noop("The text is longer than {limit} characters"), limit=limit)
    if spec.pattern is not None and not _matches(spec.pattern, raw):
        raise Invalid("pattern", gettext_noop("The text does not have the required form"))
    return raw


def _matches(pattern, raw: str) -> bool:
    """The author's pattern, bounded in time (#8): a match that backtracks too long refuses the text."""
    try:
        return pattern_fullmatch(pattern, raw)
    except PatternTimeout:
        raise Invalid("pattern_timeout", gettext_noop(
            "The text could not be checked against the required form in time; the field's pattern is too "
            "complex")) from None


def _number(spec: Field, raw: Any) -> Decimal:
    if raw.__class__ is str:
        try:
            return parse_decimal(raw)
        except ValueError:
            raise Invalid("type", gettext_noop("Expected a number, got {value}"), value=repr(raw)[:40]) from None
    if isinstance(raw, bool) or isinstance(raw, float):
        raise Invalid("type", gettext_noop("Expected a number written as text, e.g. \"20.05\""))
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal):
        text = str(raw)
    elif isinstance(raw, str):
        text = raw
    else:
        raise Invalid("type", gettext_noop("Expected a number"))
    try:
        return parse_decimal(text)
    except ValueError:
        raise Invalid("type", gettext_noop("Expected a number, got {value}"), value=repr(text)[:40]) from None


def _integer(spec: Field, raw: Any) -> Decimal:
    value = _number(spec, raw)
    if value != value.to_integral_value():
        raise Invalid("type", gettext_noop("Expected a whole number"))
    return value.quantize(Decimal(1))


def _date(spec: Field, raw: Any) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    if isinstance(raw, str):
        try:
            return datetime.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise Invalid("type", gettext_noop("Expected a date as YYYY-MM-DD"))


def _select(spec: Field, raw: Any) -> str:
    if not isinstance(raw, str) or raw not in spec.options:
        raise Invalid(
            "choice",
            gettext_noop("Expected one of {options}, got {value}"),
            options="、".join(spec.options),
            value=repr(raw)[:40],
        )
    return raw


def _checkbox(spec: Field, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE + _FALSE:
        return raw.strip().lower() in _TRUE
    raise Invalid("type", gettext_noop("Expected true or false"))


def _reference(spec: Field, raw: Any) -> str:
    if not isinstance(raw, str):
        raise Invalid("type", gettext_noop("Expected a file or signature reference as text"))
    return raw


def _check_bounds(spec: Field, value: Any) -> None:
    if not isinstance(value, Decimal):
        return
    if spec.minimum is not None and value < spec.minimum:
        raise Invalid("min", gettext_noop("Must be at least {min}"), min=spec.minimum)
    if spec.maximum is not None and value > spec.maximum:
        raise Invalid("max", gettext_noop("Must be at most {max}"), max=spec.maximum)


_CONVERTERS = {
    "text": _text,
    "number": _number,
    "integer": _integer,
    "date": _date,
    "select": _select,
    "checkbox": _checkbox,
    "signature": _reference,
    "attachment": _reference,
}
