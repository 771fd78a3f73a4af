"""Workbook → procedure dict, collecting every located problem of the sheets' structure."""

from __future__ import annotations

import io
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

import openpyxl

from ..formula import gettext_noop
from . import layout as L
from .errors import WorkbookError, WorkbookProblem
from .safety import check_upload
from .sheets import Problems, Record, Sheet, decode, keyed_sheet, raw_rows


@dataclass
class Locator:
    """Where each part of the procedure was read, to place the engine's problems."""

    sheets: dict[str, Sheet] = field(default_factory=dict)
    settings: dict[str, int] = field(default_factory=dict)
    fields: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    grid_columns: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    rules: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    tables: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    table_sheets: dict[str, tuple[Sheet, list[int]]] = field(default_factory=dict)
    test_cases: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_id: dict[int, int] = field(default_factory=dict)  # id(field/rule/table/case dict) → row


@dataclass
class Reading:
    procedure: dict[str, Any]
    problems: list[WorkbookProblem]
    locator: Locator
    complete: bool  # every required sheet was there
    sheet_order: list[str] = field(default_factory=list)


def read_workbook(data: bytes) -> Reading:
    check_upload(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except Exception:  # openpyxl raises many types on malformed parts
        template = gettext_noop("The workbook could not be read: it is damaged or not an Excel workbook")
        raise WorkbookError([WorkbookProblem("unreadable", template, {})]) from None
    try:
        return _Reader(book).run()
    finally:
        book.close()


def _known_setting(key: str) -> bool:
    if key in L.SETTINGS:
        return True
    group, dot, sub = key.partition(".")
    if not (dot and sub and group in L.SETTING_GROUPS):
        return False
    return group != "document_kinds" or sub in L.DOCUMENT_KINDS


class _Reader:
    def __init__(self, book: Any) -> None:
        self.book = book
        self.by_lower = {name.lower(): name for name in book.sheetnames}
        self.problems = Problems()
        self.locator = Locator()
        self.claimed: set[str] = set()

    def rows(self, name: str) -> list[tuple[int, list[Any]]] | None:
        actual = self.by_lower.get(name.lower())
        if actual is None:
            return None
        self.claimed.add(actual.lower())
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return raw_rows(self.book[actual], self.problems)
        except Exception:  # noqa: BLE001 - openpyxl raises many types on malformed parts
            template = gettext_noop("The sheet could not be read: it is damaged")
            self.problems.add("unreadable", template, actual)
            return []

    def sheet(self, name: str, columns: dict[str, Any], required: tuple[str, ...] = ()) -> Sheet | None:
        rows = self.rows(name)
        if rows is None:
            return None
        sheet = keyed_sheet(self.by_lower[name.lower()], rows, self.problems, columns, required)
        self.locator.sheets[name] = sheet
        return sheet

    def run(self) -> Reading:
        missing = [name for name in L.REQUIRED_SHEETS if name.lower() not in self.by_lower]
        for name in missing:
            self.problems.add("missing_sheet", gettext_noop("The sheet {sheet} is missing"), name, sheet=name)
        procedure, extra = self.settings()
        procedure["fields"] = self.fields()
        for name, read in ((L.TABLES, self.tables), (L.RULES, self.rules), (L.TEST_CASES, self.test_cases)):
            section = read()
            if section is not None:
                procedure[name] = section
        procedure.update(extra)
        self.unclaimed_table_sheets()
        return Reading(procedure, list(self.problems), self.locator, not missing, list(self.book.sheetnames))

    # -- procedure ------------------------------------------------------------------------

    def settings(self) -> tuple[dict[str, Any], dict[str, Any]]:
        sheet = self.sheet(L.PROCEDURE, dict.fromkeys(L.PROCEDURE_HEADER), ("key", "value"))
        procedure: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        for record in sheet.records if sheet else []:
            key, text = record.cells.get("key"), record.cells.get("value")
            if key is None:
                if text is not None:
                    template = gettext_noop("A setting needs a key")
                    self.problems.at(sheet, record.row, "key", "required", template)
                continue
            group, dot, sub = key.partition(".")
            if not _known_setting(key):
                template = gettext_noop("Unknown setting {key}")
                self.problems.at(sheet, record.row, "key", "unknown_setting", template, key=key)
                continue
            if key in self.locator.settings:
                template = gettext_noop("The setting {key} appears twice")
                self.problems.at(sheet, record.row, "key", "duplicate_setting", template, key=key)
                continue
            self.locator.settings[key] = record.row
            if text is None:
                continue
            codec = L.SETTINGS.get(key, (L.TEXT, ""))[0]
            value = decode(sheet, Record(record.row, {"value": text}), {"value": codec}, self.problems)
            if "value" not in value:
                continue
            if key == L.EXTRA:
                extra = value["value"]
            elif dot:
                procedure.setdefault(group, {})[sub] = value["value"]
            else:
                procedure[key] = value["value"]
        return procedure, extra

    # -- fields ---------------------------------------------------------------------------

    def fields(self) -> list[dict[str, Any]]:
        sheet = self.sheet(L.FIELDS, L.FIELD_COLUMNS, ("key", "type"))
        fields: list[dict[str, Any]] = []
        grids: dict[str, dict[str, Any]] = {}
        for record in sheet.records if sheet else []:
            codecs = dict(L.FIELD_COLUMNS)
            if record.cells.get("type") == "checkbox":
                codecs["default"] = L.BOOLEAN
            attrs = decode(sheet, record, codecs, self.problems)
            grid = attrs.pop("grid", None)
            counts = {k: attrs.pop(column) for column, k in L.ROW_COUNTS.items() if column in attrs}
            if counts:
                attrs["rows"] = counts
            if attrs.get("type") == "grid" and grid is None:
                attrs["columns"] = []
            attrs.update(attrs.pop(L.EXTRA, {}))
            key = attrs.get("key")
            if key is None:
                self.problems.at(sheet, record.row, "key", "required", gettext_noop("A field needs a key"))
                continue
            self.locator.by_id[id(attrs)] = record.row
            if grid is None:
                fields.append(attrs)
                self.locator.fields[str(key)].append(record.row)
                if attrs.get("type") == "grid":
                    grids[str(key)] = attrs
                continue
            parent = grids.get(grid)
            if parent is None or not isinstance(parent.get("columns"), list):
                template = gettext_noop(
                    "No grid {grid} above this row: a grid's columns follow the grid's row"
                )
                self.problems.at(sheet, record.row, "grid", "unknown_grid", template, grid=grid)
                continue
            parent["columns"].append(attrs)
            self.locator.grid_columns[(grid, str(key))].append(record.row)
        return fields

    # -- rules and test cases -------------------------------------------------------------

    def rules(self) -> list[dict[str, Any]] | None:
        return self.items(L.RULES, L.RULE_COLUMNS, "id", self.locator.rules)

    def test_cases(self) -> list[dict[str, Any]] | None:
        return self.items(L.TEST_CASES, L.TEST_CASE_COLUMNS, "name", self.locator.test_cases, _case_context)

    def items(
        self, name: str, columns: dict[str, Any], id_key: str, rows: dict[str, list[int]],
        regroup: Callable[[dict[str, Any]], None] | None = None,
    ) -> list[dict[str, Any]] | None:
        sheet = self.sheet(name, columns, (id_key,))
        if sheet is None:
            return None
        items = []
        for record in sheet.records:
            attrs = decode(sheet, record, columns, self.problems)
            if regroup is not None:
                regroup(attrs)
            attrs.update(attrs.pop(L.EXTRA, {}))
            items.append(attrs)
            self.locator.by_id[id(attrs)] = record.row
            rows[str(attrs.get(id_key))].append(record.row)
        return items

    # -- tables ---------------------------------------------------------------------------

    def tables(self) -> list[dict[str, Any]] | None:
        sheet = self.sheet(L.TABLES, L.TABLE_COLUMNS, ("name", "values"))
        if sheet is None:
            return None
        tables = []
        for record in sheet.records:
            attrs = decode(sheet, record, L.TABLE_COLUMNS, self.problems)
            sheet_name = attrs.pop("sheet", None)
            attrs.setdefault("keys", [])
            attrs.update(attrs.pop(L.EXTRA, {}))
            name = attrs.get("name")
            if not isinstance(name, str):
                self.problems.at(sheet, record.row, "name", "required", gettext_noop("A table needs a name"))
                continue
            self.locator.by_id[id(attrs)] = record.row
            self.locator.tables[name].append(record.row)
            if "rows" not in attrs:
                attrs["rows"] = self.table_rows(attrs, sheet_name or L.TABLE_PREFIX + name, sheet, record)
            tables.append(attrs)
        return tables

    def table_rows(
        self, table: dict[str, Any], sheet_name: str, tables: Sheet, record: Record
    ) -> list[dict[str, Any]]:
        keys = [k if isinstance(k, dict) else {"column": k} for k in table.get("keys") or []]
        codecs = {k.get("column"): (L.RANGE if k.get("match") == "range" else L.TEXT) for k in keys}
        values = table.get("values")
        codecs.update({v: L.TEXT for v in values or [] if isinstance(v, str)})
        rows = self.rows(sheet_name)
        if rows is None:
            template = gettext_noop("The sheet {sheet} with the rows of table {table} is missing")
            column = "sheet" if "sheet" in tables.letters else "name"
            params = {"sheet": sheet_name, "table": table["name"]}
            self.problems.at(tables, record.row, column, "missing_sheet", template, **params)
            return []
        sheet = keyed_sheet(self.by_lower[sheet_name.lower()], rows, self.problems, None)
        for column, letter in sheet.letters.items():
            if column not in codecs and column != L.EXTRA:
                template = gettext_noop("The column {header} is not a key or value column of table {table}")
                params = {"header": column, "table": table["name"]}
                self.problems.add("unknown_column", template, sheet.name, 1, letter, column, **params)
        for column in codecs:
            if column not in sheet.letters:
                template = gettext_noop("The column {header} is missing")
                self.problems.add("missing_column", template, sheet.name, 1, None, column, header=column)
        codecs = {c: codecs[c] for c in sheet.letters if c in codecs}  # in the sheet's column order
        out = [decode(sheet, row, codecs, self.problems) for row in sheet.records]
        self.locator.table_sheets[table["name"]] = (sheet, [r.row for r in sheet.records])
        return out

    def unclaimed_table_sheets(self) -> None:
        for lower, name in self.by_lower.items():
            if lower.startswith(L.TABLE_PREFIX) and lower not in self.claimed:
                template = gettext_noop("The sheet {sheet} is not listed on the tables sheet")
                self.problems.add("unlisted_table", template, name, sheet=name)


def _case_context(attrs: dict[str, Any]) -> None:
    """The context.* columns of a test case → its ``context`` object."""
    context = {key: attrs.pop(L.CONTEXT_PREFIX + key) for key in L.CONTEXT_KEYS if L.CONTEXT_PREFIX + key in attrs}
    if context:
        attrs["context"] = context
