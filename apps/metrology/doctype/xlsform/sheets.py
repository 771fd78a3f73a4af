"""Reading sheets: bounded rows of raw values → records of cell texts keyed by column."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import get_column_letter

from ..formula import gettext_noop
from . import layout as L
from .cells import Codec, cell_text
from .errors import CellError, WorkbookProblem


@dataclass
class Record:
    row: int
    cells: dict[str, str]


@dataclass
class Sheet:
    """A sheet read as header keys (key → column letter) and its non-blank rows."""

    name: str
    letters: dict[str, str] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)


class Problems(list[WorkbookProblem]):
    """Collected problems; positional-only locations leave every name free for template params."""

    def add(
        self,
        code: str,
        template: str,
        sheet: str | None = None,
        row: int | None = None,
        letter: str | None = None,
        column_key: str | None = None,
        /,
        **params: Any,
    ) -> None:
        self.append(WorkbookProblem(code, template, params, sheet, row, letter, column_key))

    def at(
        self,
        sheet: Sheet,
        row: int | None,
        column_key: str | None,
        code: str,
        template: str,
        /,
        **params: Any,
    ) -> None:
        letter = sheet.letters.get(column_key) if column_key else None
        self.add(code, template, sheet.name, row, letter, column_key, **params)


def raw_rows(worksheet: Any, problems: Problems) -> list[tuple[int, list[Any]]]:
    """The rows with at least one value, as (Excel row number, values); at most MAX_ROWS rows and
    MAX_COLUMNS columns are read."""
    name = worksheet.title
    if (worksheet.max_column or 0) > L.MAX_COLUMNS:
        template = gettext_noop("The sheet has more than {limit} columns")
        problems.add("too_many_columns", template, name, limit=L.MAX_COLUMNS)
    rows = []
    wide = False
    for number, values in enumerate(worksheet.iter_rows(max_col=L.MAX_COLUMNS + 1, values_only=True), 1):
        if not any(v is not None and v != "" for v in values):
            continue
        if number > L.MAX_ROWS:
            template = gettext_noop("The sheet has more than {limit} rows")
            problems.add("too_many_rows", template, name, limit=L.MAX_ROWS)
            break
        if len(values) > L.MAX_COLUMNS and values[L.MAX_COLUMNS] is not None and not wide:
            wide = True
            template = gettext_noop("The sheet has more than {limit} columns")
            problems.add("too_many_columns", template, name, limit=L.MAX_COLUMNS)
        rows.append((number, list(values[: L.MAX_COLUMNS])))
    return rows


def keyed_sheet(
    name: str,
    rows: list[tuple[int, list[Any]]],
    problems: Problems,
    known: Mapping[str, Any] | None,
    required: tuple[str, ...] = (),
) -> Sheet:
    """Row 1 is the header: column keys (lower-cased when ``known`` lists them; taken as written
    otherwise). Headers starting with "#" mark comment columns, which are ignored."""
    sheet = Sheet(name)
    if not rows or rows[0][0] != 1:
        problems.add("no_header", gettext_noop("Row 1 must hold the column keys"), name, 1)
        return sheet
    index: dict[int, str] = {}
    for position, value in enumerate(rows[0][1]):
        text = cell_text(value)
        letter = get_column_letter(position + 1)
        if text is None or text.startswith("#"):
            continue
        key = text.lower() if known is not None else text
        if known is not None and key not in known:
            template = gettext_noop("Unknown column {header}")
            problems.add("unknown_column", template, name, 1, letter, text, header=text)
        elif key in sheet.letters:
            template = gettext_noop("The column {header} appears twice")
            problems.add("duplicate_column", template, name, 1, letter, text, header=text)
        else:
            sheet.letters[key] = letter
            index[position] = key
    for key in required:
        if key not in sheet.letters:
            template = gettext_noop("The column {header} is missing")
            problems.add("missing_column", template, name, 1, None, key, header=key)
    for number, values in rows[1:]:
        cells = {}
        for position, value in enumerate(values):
            text = cell_text(value)
            if text is None:
                continue
            if position in index:
                cells[index[position]] = text
            elif not cell_text(rows[0][1][position] if position < len(rows[0][1]) else None):
                letter = get_column_letter(position + 1)
                template = gettext_noop("This cell has no column key in row 1")
                problems.add("no_header", template, name, number, letter)
        if cells:
            sheet.records.append(Record(number, cells))
    return sheet


def decode(
    sheet: Sheet, record: Record, codecs: Mapping[str, Codec], problems: Problems
) -> dict[str, Any]:
    """The record's cells decoded by their columns' codecs; a cell that does not fit is reported
    and left out."""
    values: dict[str, Any] = {}
    for key, text in record.cells.items():
        codec = codecs.get(key)
        if codec is None:
            continue
        try:
            values[key] = codec.decode(text)
        except CellError as error:
            problems.at(sheet, record.row, key, error.code, error.template, **error.params)
    return values
