"""Cell text ↔ procedure values: one codec per kind of column.

Every codec turns a value into the text written in a cell (``encode``; None when the value has no
faithful cell form, and then the writer keeps it in the row's ``extra`` JSON) and the text read
from a cell back into the value (``decode``; CellError when the text does not fit).
"""

from __future__ import annotations

import datetime
import json
import math
import re
from abc import ABC, abstractmethod
from decimal import Decimal
from typing import Any

from ..formula import gettext_noop, parse_decimal
from .errors import CellError

_TRUE = ("true", "yes", "1", "是", "y")
_FALSE = ("false", "no", "0", "否", "n")
_INTEGER = re.compile(r"[+-]?\d+")


def cell_text(value: Any) -> str | None:
    """The text of a cell as read by openpyxl; None for an empty cell. Numbers a person typed
    into Excel come back as the decimal they typed (float 0.1 → "0.1", 20.0 → "20")."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def float_text(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    # repr is the shortest text that reads back as the same float: what the person typed.
    return format(Decimal(repr(value)), "f")


def same(a: Any, b: Any) -> bool:
    """Equal as JSON (so True ≠ 1 and "1" ≠ 1)."""
    return _canonical(a) == _canonical(b)


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr)


class Codec(ABC):
    @abstractmethod
    def encode(self, value: Any) -> str | None:
        ...

    @abstractmethod
    def decode(self, text: str) -> Any:
        ...

    def faithful(self, value: Any) -> str | None:
        """The cell text for ``value`` if reading it back gives exactly ``value``, else None."""
        text = self.encode(value)
        if text is None:
            return None
        try:
            return text if same(self.decode(text), value) else None
        except CellError:
            return None


class Text(Codec):
    def encode(self, value: Any) -> str | None:
        return value if isinstance(value, str) and value and value == value.strip() else None

    def decode(self, text: str) -> str:
        return text


class Boolean(Codec):
    def encode(self, value: Any) -> str | None:
        return ("true" if value else "false") if isinstance(value, bool) else None

    def decode(self, text: str) -> bool:
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise CellError("boolean", gettext_noop("Write true or false, not {text}"), text=text)


class Integer(Codec):
    def encode(self, value: Any) -> str | None:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else None

    def decode(self, text: str) -> int:
        if _INTEGER.fullmatch(text) and len(text) <= 20:
            return int(text)
        raise CellError("integer", gettext_noop("Write a whole number, not {text}"), text=text)


class TextList(Codec):
    """``a;b;c`` (the separators given; ``;`` is written), or a JSON array when an item holds a
    separator, surrounding spaces or is not plain text (e.g. select options with labels)."""

    def __init__(self, separators: str) -> None:
        self.separators = separators
        self.pattern = re.compile("[" + re.escape(separators) + "]")

    def encode(self, value: Any) -> str | None:
        if not isinstance(value, list) or not value:
            return None
        plain = all(
            isinstance(v, str) and v and v == v.strip() and not self.pattern.search(v) for v in value
        ) and not value[0].startswith("[")
        return self.separators[0].join(value) if plain else json.dumps(value, ensure_ascii=False)

    def decode(self, text: str) -> list[Any]:
        if text.startswith("["):
            try:
                value = json.loads(text)
            except json.JSONDecodeError as error:
                template = gettext_noop("Not a valid JSON list (character {column} of the cell)")
                raise CellError("json", template, column=error.pos + 1) from None
            if not isinstance(value, list):
                raise CellError("json", gettext_noop("Write a list as a;b;c or as a JSON list"))
            return value
        return [part.strip() for part in self.pattern.split(text) if part.strip()]


class JsonObject(Codec):
    """A JSON object in one cell. ``decimal_strings`` refuses JSON numbers with a fraction or an
    exponent, since the procedure format writes those as strings."""

    def __init__(self, decimal_strings: bool = False) -> None:
        self.decimal_strings = decimal_strings

    def encode(self, value: Any) -> str | None:
        if not isinstance(value, dict):
            return None
        return json.dumps(value, ensure_ascii=False)

    def decode(self, text: str) -> dict[str, Any]:
        floats: list[str] = []

        def parse_float(literal: str) -> float:
            floats.append(literal)
            return float(literal)

        try:
            value = json.loads(text, parse_float=parse_float if self.decimal_strings else None)
        except json.JSONDecodeError as error:
            template = gettext_noop("Not valid JSON (line {line}, column {column} of the cell)")
            params = {"line": error.lineno, "column": error.colno}
            raise CellError("json", template, **params) from None
        except RecursionError:
            raise CellError("json", gettext_noop("The JSON is nested too deeply")) from None
        if not isinstance(value, dict):
            raise CellError("json", gettext_noop('Write a JSON object here, e.g. {{"key": "value"}}'))
        if floats:
            template = gettext_noop('Write numbers in JSON as text, e.g. "{number}" instead of {number}')
            raise CellError("json_number", template, number=floats[0])
        return value


_BOUND_RE = re.compile(r"\s*(>=|<=|=>|=<|≥|≤|>|<|＞=|＜=|＞|＜)\s*([^\s,，;；]+)\s*")
_OPS = {">=": "ge", "=>": "ge", "≥": "ge", "＞=": "ge", ">": "gt", "＞": "gt",
        "<=": "le", "=<": "le", "≤": "le", "＜=": "le", "<": "lt", "＜": "lt"}
_SYMBOLS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}


class Range(Codec):
    """A range cell of a limit table: ``>=0.9``, ``<0.9``, ``>0,<=10`` ↔ {"gt": …, "le": …}."""

    def encode(self, value: Any) -> str | None:
        if not isinstance(value, dict) or not value or set(value) - set(_SYMBOLS):
            return None
        if {"gt", "ge"} <= set(value) or {"lt", "le"} <= set(value):
            return None
        parts = [f"{_SYMBOLS[op]}{value[op]}" for op in ("gt", "ge", "lt", "le") if op in value]
        return ",".join(parts)

    def decode(self, text: str) -> dict[str, str]:
        bounds: dict[str, str] = {}
        for piece in re.split(r"[,，;；]", text):
            match = _BOUND_RE.fullmatch(piece)
            if match is None:
                raise self._bad(text)
            op, bound = _OPS[match.group(1)], match.group(2)
            try:
                parse_decimal(bound)
            except ValueError:
                raise self._bad(text) from None
            lower = op in ("gt", "ge")
            if any((o in ("gt", "ge")) == lower for o in bounds):
                raise self._bad(text)
            bounds[op] = bound
        return {op: bounds[op] for op in ("gt", "ge", "lt", "le") if op in bounds}

    @staticmethod
    def _bad(text: str) -> CellError:
        template = gettext_noop(
            "Write a range as >=0.9, <0.9 or >0,<=10 (at most one lower and one upper bound, "
            "numbers only), not {text}"
        )
        return CellError("range", template, text=text)


class KeyColumns(Codec):
    """The key columns of a table: ``准确度等级;相对上限:range`` ↔ [{"column", "match"}, …]."""

    def encode(self, value: Any) -> str | None:
        if not isinstance(value, list) or not value:
            return None
        parts = []
        for key in value:
            if not isinstance(key, dict) or set(key) != {"column", "match"}:
                return None
            column = key["column"]
            if key["match"] not in ("exact", "range") or not isinstance(column, str):
                return None
            if not column or column != column.strip() or re.search("[;；:：]", column):
                return None
            parts.append(column if key["match"] == "exact" else f"{column}:range")
        return ";".join(parts)

    def decode(self, text: str) -> list[dict[str, str]]:
        keys = []
        for part in re.split("[;；]", text):
            column, _, match = part.replace("：", ":").partition(":")
            column, match = column.strip(), (match.strip().lower() or "exact")
            if match not in ("exact", "range"):
                template = gettext_noop('Write key columns as a;b:range (match "exact" or "range"), '
                                        "not {text}")
                raise CellError("keys", template, text=part.strip())
            if column:
                keys.append({"column": column, "match": match})
        return keys
