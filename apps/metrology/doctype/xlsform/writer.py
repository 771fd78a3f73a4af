"""Procedure dict → .xlsx bytes. Every cell is text (number format "@"), so Excel keeps
"0.0012", "1.60" and "=ABS(x)" exactly as written."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError

from . import layout as L
from .cells import Codec

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MISSING = object()


@dataclass
class SheetData:
    name: str
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)


def procedure_to_xlsx(procedure: Mapping[str, Any]) -> bytes:
    """The workbook of a procedure (format_version 1). Raises ValueError when a cell would exceed
    Excel's 32,767 characters or hold control characters XML cannot carry."""
    return render(procedure_sheets(procedure))


def procedure_sheets(procedure: Mapping[str, Any]) -> list[SheetData]:
    top = dict(procedure)
    extra: dict[str, Any] = {}
    sections = {}
    for name in L.SECTIONS:
        value = top.pop(name, _MISSING)
        if value is _MISSING or _list_of_dicts(value):
            sections[name] = [] if value is _MISSING else value
        else:
            extra[name] = value
            sections[name] = []
    table_list, table_sheets = _tables(sections["tables"])
    cases = sections["test_cases"]
    return [
        SheetData(L.PROCEDURE, list(L.PROCEDURE_HEADER), _settings(top, extra)),
        SheetData(L.FIELDS, list(L.FIELD_COLUMNS), _fields(sections["fields"])),
        SheetData(L.RULES, list(L.RULE_COLUMNS), [_record(r, L.RULE_COLUMNS) for r in sections["rules"]]),
        SheetData(L.TABLES, list(L.TABLE_COLUMNS), table_list),
        *table_sheets,
        SheetData(L.TEST_CASES, list(L.TEST_CASE_COLUMNS),
                  [_record(_flat_context(c), L.TEST_CASE_COLUMNS) for c in cases]),
    ]


def _flat_context(case: Mapping[str, Any]) -> dict[str, Any]:
    """A test case with its ``context`` spread over the context.* columns when each value is a text
    (anything else stays whole, in ``extra``)."""
    context = case.get("context")
    if not isinstance(context, dict) or not context or not all(
        key in L.CONTEXT_KEYS and L.TEXT.faithful(value) is not None for key, value in context.items()
    ):
        return dict(case)
    flat = {key: value for key, value in case.items() if key != "context"}
    flat.update({L.CONTEXT_PREFIX + key: value for key, value in context.items()})
    return flat


def _list_of_dicts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _record(
    item: Mapping[str, Any],
    columns: Mapping[str, Codec],
    reserved: tuple[str, ...] = (),
    codecs: Mapping[str, Codec] | None = None,
) -> dict[str, str]:
    """One row: each attribute in its column when the cell reads back exactly, else in `extra`."""
    cells: dict[str, str] = {}
    extra: dict[str, Any] = {}
    for key, value in item.items():
        codec = (codecs or {}).get(key) or columns.get(key)
        text = None
        if codec is not None and key not in reserved and key != L.EXTRA:
            text = codec.faithful(value)
        if text is None:
            extra[key] = value
        else:
            cells[key] = text
    if extra or not cells:  # an empty object still needs a row
        cells[L.EXTRA] = L.JSON.encode(extra) or "{}"
    return cells


# -- procedure settings -----------------------------------------------------------------------


def _settings(top: dict[str, Any], extra: dict[str, Any]) -> list[dict[str, str]]:
    values: dict[str, str] = {}
    for group in L.SETTING_GROUPS:
        value = top.pop(group, _MISSING)
        if value is _MISSING:
            continue
        cells = _group_cells(group, value)
        if cells is None:
            extra[group] = value
        else:
            values.update(cells)
    for key, value in top.items():
        spec = L.SETTINGS.get(key)
        text = spec[0].faithful(value) if spec and key != L.EXTRA else None
        if text is None:
            extra[key] = value
        else:
            values[key] = text
    rows = []
    keys = [k for k in L.SETTINGS if k != L.EXTRA]
    for group in L.SETTING_GROUPS:  # sub-keys without a row of their own follow their group's rows
        last = max(i for i, k in enumerate(keys) if k.startswith(group + "."))
        keys[last + 1 : last + 1] = [k for k in values if k.startswith(group + ".") and k not in keys]
    for key in keys:
        rows.append(_setting_row(key, values.get(key)))
    rows.append(_setting_row(L.EXTRA, L.JSON.encode(extra) if extra else None))
    return rows


def _setting_row(key: str, value: str | None) -> dict[str, str]:
    row = {"key": key, "note": L.SETTINGS[key][1] if key in L.SETTINGS else ""}
    if value is not None:
        row["value"] = value
    return row


def _group_cells(group: str, value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict) or not value:
        return None
    cells = {}
    for sub, sub_value in value.items():
        if not isinstance(sub, str) or not sub or "." in sub or sub != sub.strip():
            return None
        if group == "document_kinds" and sub not in L.DOCUMENT_KINDS:
            return None
        key = f"{group}.{sub}"
        text = L.SETTINGS.get(key, (L.TEXT, ""))[0].faithful(sub_value)
        if text is None:
            return None
        cells[key] = text
    return cells


# -- fields -----------------------------------------------------------------------------------


def _fields(fields: list[dict[str, Any]]) -> list[dict[str, str]]:
    rows = []
    for spec in fields:
        attrs = dict(spec)
        columns = None
        if attrs.get("type") == "grid" and _list_of_dicts(attrs.get("columns")):
            columns = attrs.pop("columns") if L.TEXT.faithful(attrs.get("key")) else None
        rows.append(_field_row(attrs))
        for column in columns or []:
            rows.append({**_field_row(dict(column)), "grid": attrs["key"]})
    return rows


def _field_row(attrs: dict[str, Any]) -> dict[str, str]:
    counts = attrs.get("rows")
    layout = {}
    if isinstance(counts, dict) and counts and all(
        k in L.ROW_COUNTS.values() and L.INTEGER.faithful(v) for k, v in counts.items()
    ):
        del attrs["rows"]
        layout = {column: str(counts[k]) for column, k in L.ROW_COUNTS.items() if k in counts}
    default_codec = L.BOOLEAN if attrs.get("type") == "checkbox" else L.TEXT
    cells = _record(attrs, L.FIELD_COLUMNS, L.FIELD_LAYOUT_COLUMNS, {"default": default_codec})
    return {**cells, **layout}


# -- tables -----------------------------------------------------------------------------------


def _tables(tables: list[dict[str, Any]]) -> tuple[list[dict[str, str]], list[SheetData]]:
    rows, sheets = [], []
    used = {n.lower() for n in (L.PROCEDURE, L.FIELDS, L.RULES, L.TABLES, L.TEST_CASES)}
    for index, table in enumerate(tables, 1):
        attrs = dict(table)
        if attrs.get("keys") == []:  # an empty keys cell reads as no keys
            del attrs["keys"]
        sheet = _table_sheet(table, _sheet_name(table.get("name"), index, used))
        if sheet is None:
            row = _record(attrs, L.TABLE_COLUMNS, ("sheet",))
        else:
            attrs.pop("rows", None)
            row = {**_record(attrs, L.TABLE_COLUMNS, ("sheet",)), "sheet": sheet.name}
            used.add(sheet.name.lower())
            sheets.append(sheet)
        rows.append(row)
    return rows, sheets


def _sheet_name(name: Any, index: int, used: set[str]) -> str:
    candidate = f"{L.TABLE_PREFIX}{name}" if isinstance(name, str) else ""
    if len(candidate) > 31 or _BAD_SHEET_CHARS.search(candidate) or candidate.lower() in used | {""}:
        candidate = f"{L.TABLE_PREFIX}{index}"
        while candidate.lower() in used:
            candidate += "_"
    return candidate


def _table_sheet(table: Mapping[str, Any], name: str) -> SheetData | None:
    """The table's rows on a sheet of their own, or None when they cannot be written faithfully
    (then they stay in the tables row's `extra`)."""
    keys = table.get("keys", [])
    values = table.get("values")
    rows = table.get("rows", [])
    if not (keys == [] or L.KEY_COLUMNS.faithful(keys)) or not L.NAMES.faithful(values):
        return None
    if not _list_of_dicts(rows):
        return None
    codecs: dict[str, Codec] = {k["column"]: (L.RANGE if k["match"] == "range" else L.TEXT) for k in keys}
    codecs.update({v: L.TEXT for v in values})
    if len(codecs) != len(keys) + len(values):
        return None
    sheet = SheetData(name, list(codecs))
    for row in rows:
        cells = {}
        for column, value in row.items():
            text = codecs[column].faithful(value) if column in codecs else None
            if text is None:
                return None
            cells[column] = text
        sheet.rows.append(cells)
    return sheet


# -- rendering --------------------------------------------------------------------------------


def render(sheets: list[SheetData]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for data in sheets:
        sheet = book.create_sheet(data.name)
        for number, key in enumerate(data.header, 1):
            letter = get_column_letter(number)
            dimension = sheet.column_dimensions[letter]
            dimension.width = L.WIDTHS.get(key, L.DEFAULT_WIDTH)
            dimension.number_format = "@"  # cells typed later in this column stay text
            _put(sheet, 1, number, key).font = bold
        for row_number, row in enumerate(data.rows, 2):
            for number, key in enumerate(data.header, 1):
                if row.get(key):
                    _put(sheet, row_number, number, row[key])
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(sheet: Any, row: int, column: int, text: str) -> Any:
    if len(text) > L.MAX_CELL_CHARS:
        where = f"{sheet.title}!{get_column_letter(column)}{row}"
        raise ValueError(f"{where}: a cell cannot hold more than {L.MAX_CELL_CHARS} characters")
    cell = sheet.cell(row=row, column=column)
    try:
        cell.value = text
    except IllegalCharacterError:
        where = f"{sheet.title}!{get_column_letter(column)}{row}"
        raise ValueError(f"{where}: control characters cannot be stored in a workbook") from None
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as an Excel formula
    cell.number_format = "@"
    return cell
