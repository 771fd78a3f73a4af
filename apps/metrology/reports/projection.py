"""A record's values as RecordField rows: written with its results, in the same transaction."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from metrology.reports.models import TEXT_LENGTH, RecordField

NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LARGEST = Decimal(10) ** 17  # what DecimalField(max_digits=28, decimal_places=10) holds, with margin
PLACES = Decimal("1e-10")
# Kept as the record's own columns (COMMON_FIELD_COLUMNS, conclusion), not repeated here.
NOT_PROJECTED = frozenset({"检定结论", "不合格项目", "document_kind", "rule_results"})


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)[:TEXT_LENGTH]


def as_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        return None
    text = str(value).strip()
    if not NUMBER.match(text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if not number.is_finite() or abs(number) >= LARGEST:
        return None
    return number.quantize(PLACES)


def as_date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not DATE.match(value.strip()):
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None


def _cells(values: Mapping[str, Any]) -> Iterator[tuple[str, int | None, Any]]:
    for key, value in values.items():
        if key in NOT_PROJECTED or value is None or value == "":
            continue
        if isinstance(value, list):  # a grid: every cell, with its row from 1
            for index, row in enumerate(value, start=1):
                if isinstance(row, Mapping):
                    for column, cell in row.items():
                        if cell is not None and cell != "" and not isinstance(cell, (list, Mapping)):
                            yield f"{key}.{column}", index, cell
        elif not isinstance(value, Mapping):
            yield key, None, value


def field_values(inputs: Mapping[str, Any], computed: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Entered values, then what they compute to (a computed value wins where both name one key)."""
    for key, row, value in _cells({**inputs, **computed}):
        yield {"key": key[:100], "row": row, "text": as_text(value), "number": as_number(value),
               "date": as_date(value)}


def field_rows(record_id: int, inputs: Mapping[str, Any], computed: Mapping[str, Any],
               model: type = RecordField) -> list:
    return [model(record_id=record_id, **values) for values in field_values(inputs, computed)]


def record_fields_refresh(record) -> None:
    """Rewrite the record's rows from its current inputs and results (the caller's transaction)."""
    RecordField.objects.filter(record_id=record.pk).delete()
    computed = (record.results or {}).get("values") or {}
    RecordField.objects.bulk_create(field_rows(record.pk, record.inputs or {}, computed))
