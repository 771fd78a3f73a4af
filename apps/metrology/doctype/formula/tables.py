"""Limit tables: data attached to a procedure and read by LOOKUP.

A table is ``{"name": "膨胀系数", "keys": [{"column": "油品", "match": "exact"}], "values": ["beta_Y"],
"rows": [{"油品": "汽油", "beta_Y": "0.0012"}, ...]}``. A ``range`` key cell is an object of bounds
among ``gt``, ``ge``, ``lt``, ``le`` (e.g. ``{"ge": "0.9"}``). The first matching row wins; a table
without keys has exactly one row.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Mapping, Sequence

from .errors import FormulaError, gettext_noop
from .records import Frozen
from .values import Value, maybe_decimal, need_number, parse_decimal, show

_BOUNDS = {
    "gt": lambda x, b: x > b,
    "ge": lambda x, b: x >= b,
    "lt": lambda x, b: x < b,
    "le": lambda x, b: x <= b,
}


class KeySpec(Frozen):
    __slots__ = ("column", "match")
    column: str
    match: str  # "exact" | "range"


class LimitTable(Frozen):
    """``rows``: (key cells, values) per row. ``index``: with exact keys only, the values of the
    first row having each tuple of key cells (worked out here unless given)."""

    __slots__ = ("name", "keys", "values", "rows", "index")
    defaults = {"index": None}
    uncompared = ("index",)
    name: str
    keys: tuple[KeySpec, ...]
    values: tuple[str, ...]
    rows: tuple[tuple[tuple[Any, ...], Mapping[str, Value]], ...]
    index: Mapping[tuple[Any, ...], Mapping[str, Value]] | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        exact = all(k.match == "exact" for k in self.keys)
        if self.index is None and exact and all(_hashable(cell) for cells, _ in self.rows for cell in cells):
            index: dict[tuple[Any, ...], Mapping[str, Value]] = {}
            for cells, values in self.rows:
                index.setdefault(cells, values)
            object.__setattr__(self, "index", index)

    def lookup(self, column: str | None, args: Sequence[Value]) -> Value:
        column = self.value_column(column)
        if len(args) != len(self.keys):
            raise key_count_error(self, len(args))
        if self.index is not None:
            values = self.index.get(tuple(_key_of(a) for a in args))
            if values is not None:
                return values[column]
        else:
            wanted = [_key_of(a) if k.match == "exact" else _range_arg(self, k, a) for k, a in zip(self.keys, args)]
            for cells, values in self.rows:
                if all(_matches(k, cell, w) for k, cell, w in zip(self.keys, cells, wanted)):
                    return values[column]
        shown = "、".join(f"{k.column}={show(a)}" for k, a in zip(self.keys, args))
        raise FormulaError(
            "no_match", gettext_noop("No row of table {table} matches {keys}"), table=self.name, keys=shown
        )

    def value_column(self, column: str | None) -> str:
        if column is None:
            if len(self.values) != 1:
                raise FormulaError(
                    "unknown_table",
                    gettext_noop('Table {table} has several value columns; write "{table}.column"'),
                    table=self.name,
                )
            return self.values[0]
        if column not in self.values:
            raise FormulaError(
                "unknown_table",
                gettext_noop("Table {table} has no value column {column}"),
                table=self.name,
                column=column,
            )
        return column


def key_count_error(table: LimitTable, count: int) -> FormulaError:
    if not table.keys:
        template = gettext_noop("Table {table} has no keys, so LOOKUP takes only its name, got {count} key value(s)")
        return FormulaError("arg_count", template, table=table.name, count=count)
    return FormulaError(
        "arg_count",
        gettext_noop("Table {table} needs {expected} key value(s) ({keys}), got {count}"),
        table=table.name,
        expected=len(table.keys),
        keys="、".join(k.column for k in table.keys),
        count=count,
    )


def split_ref(ref: str) -> tuple[str, str | None]:
    """``"表名.列名"`` → ("表名", "列名"); ``"表名"`` → ("表名", None)."""
    name, dot, column = ref.partition(".")
    return name, (column if dot else None)


def resolve(tables: Mapping[str, LimitTable], ref: str) -> tuple[LimitTable, str]:
    name, column = split_ref(ref)
    table = tables.get(name)
    if table is None:
        raise FormulaError("unknown_table", gettext_noop("Unknown table {table}"), table=name)
    return table, table.value_column(column)


def compile_tables(raw: Sequence[Mapping[str, Any]] | Mapping[str, LimitTable] | None) -> dict[str, LimitTable]:
    if raw is None:
        return {}
    if isinstance(raw, Mapping):
        return dict(raw)
    out: dict[str, LimitTable] = {}
    for spec in raw:
        table = compile_table(spec)
        if table.name in out:
            raise _bad(table.name, gettext_noop("Table {table} is defined twice"))
        out[table.name] = table
    return out


def compile_table(spec: Any) -> LimitTable:
    """Validate one table definition; FormulaError (code "bad_table") on the first problem."""
    if not isinstance(spec, Mapping):
        raise _bad("?", gettext_noop("A table must be an object"))
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip() or "." in name:
        raise _bad(str(name), gettext_noop("Table {table} needs a name without dots"))
    keys = tuple(_key_spec(name, k) for k in _list(spec, "keys", name))
    values = tuple(_list(spec, "values", name))
    if not values or not all(isinstance(v, str) and v and "." not in v for v in values):
        raise _bad(name, gettext_noop("Table {table} needs value column names (without dots)"))
    rows = _list(spec, "rows", name)
    if not keys and len(rows) != 1:
        raise _bad(name, gettext_noop("Table {table} has no keys, so it must have exactly one row"))
    if not rows:
        raise _bad(name, gettext_noop("Table {table} has no rows"))
    return LimitTable(name, keys, values, tuple(_row(name, keys, values, r, i) for i, r in enumerate(rows, 1)))


def _list(spec: Mapping[str, Any], key: str, name: str) -> list[Any]:
    value = spec.get(key, [] if key == "keys" else None)
    if not isinstance(value, list):
        raise _bad(name, gettext_noop("Table {table} needs a list of {part}"), part=key)
    return value


def _key_spec(name: str, raw: Any) -> KeySpec:
    if isinstance(raw, str):
        raw = {"column": raw}
    if not isinstance(raw, Mapping) or not isinstance(raw.get("column"), str):
        raise _bad(name, gettext_noop("Each key of table {table} needs a column name"))
    match = raw.get("match", "exact")
    if match not in ("exact", "range"):
        template = gettext_noop('A key of table {table} has match "{match}"; use "exact" or "range"')
        raise _bad(name, template, match=match)
    return KeySpec(raw["column"], match)


def _row(name: str, keys: tuple[KeySpec, ...], values: tuple[str, ...], raw: Any, number: int) -> tuple:
    if not isinstance(raw, Mapping):
        raise _bad(name, gettext_noop("Row {row_number} of table {table} must be an object"), row_number=number)
    missing = [c for c in [k.column for k in keys] + list(values) if c not in raw]
    if missing:
        template = gettext_noop("Row {row_number} of table {table} lacks {columns}")
        raise _bad(name, template, row_number=number, columns=", ".join(missing))
    cells = tuple(_key_cell(name, k, raw[k.column], number) for k in keys)
    row_values = {v: _value_cell(name, raw[v], number) for v in values}
    return cells, row_values


def _key_cell(name: str, key: KeySpec, raw: Any, number: int) -> Any:
    if key.match == "exact":
        return _key_of(_value_cell(name, raw, number))
    bounds_given = set(raw) if isinstance(raw, Mapping) else set()
    if not bounds_given or bounds_given - set(_BOUNDS) or {"gt", "ge"} <= bounds_given or {"lt", "le"} <= bounds_given:
        raise _bad(
            name,
            gettext_noop(
                "Row {row_number} of table {table}: a range needs bounds among gt, ge, lt, le "
                '(e.g. {{"ge": "0.9"}})'
            ),
            row_number=number,
        )
    bounds = []
    for op, bound in raw.items():
        value = _value_cell(name, bound, number)
        if not isinstance(value, Decimal):
            template = gettext_noop("Row {row_number} of table {table}: range bounds must be numbers")
            raise _bad(name, template, row_number=number)
        bounds.append((_BOUNDS[op], value))
    return tuple(bounds)


def _value_cell(name: str, raw: Any, number: int) -> Value:
    if raw is None or isinstance(raw, bool) or isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, str):
        try:
            return parse_decimal(raw)
        except ValueError:
            return raw
    template = gettext_noop('Row {row_number} of table {table}: write numbers as text, e.g. "0.0012"')
    raise _bad(name, template, row_number=number)


def _key_of(value: Value) -> tuple[str, Any]:
    if value is None:
        return ("blank", None)
    if isinstance(value, bool):
        return ("logical", value)
    if isinstance(value, Decimal):
        return ("number", value)
    if isinstance(value, str):
        number = maybe_decimal(value)
        return ("text", value.casefold()) if number is None else ("number", number)
    if isinstance(value, datetime.date):
        return ("text", value.isoformat())
    raise FormulaError("type", gettext_noop("A list (grid column) cannot be a LOOKUP key"))


def _hashable(cell: tuple[str, Any]) -> bool:
    """Whether a key cell can be looked up in a dict like it compares with == (not a NaN)."""
    value = cell[1]
    return not isinstance(value, Decimal) or value.is_finite()


def _range_arg(table: LimitTable, key: KeySpec, value: Value) -> Decimal:
    if isinstance(value, str):
        try:
            return parse_decimal(value)
        except ValueError:
            pass
    template = gettext_noop("Table {table} finds {key} by range, so the key must be a number, got {value}")
    return need_number(value, template, table=table.name, key=key.column)


def _matches(key: KeySpec, cell: Any, wanted: Any) -> bool:
    if key.match == "exact":
        return cell == wanted
    return all(test(wanted, bound) for test, bound in cell)


def _bad(table: str, template: str, **params: Any) -> FormulaError:
    return FormulaError("bad_table", template, table=table, **params)
