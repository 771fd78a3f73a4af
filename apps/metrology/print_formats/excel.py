"""Excel (.xlsx) layouts: `{{ key }}` in cells, row loops marked like docxtpl's
(`{%tr for p in points %}` alone in a row, the repeated rows, `{%tr endfor %}` alone in a row), and
defined names (Excel's bookmarks) named after a field, whose cell receives the value.

Values go in as what they are: numbers as numbers, text always as text, so a value such as
`=HYPERLINK(…)` or `=cmd|' /C calc'!A0` never becomes a live formula (#8).
"""

from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from metrology.core.office_files import check_office_file, unreadable
from metrology.print_formats.sandbox import layout_environment

LOOP_START = re.compile(r"^\s*\{%-?\s*tr\s+for\s+(\w+)\s+in\s+(\w+)\s*-?%\}\s*$")
LOOP_END = re.compile(r"^\s*\{%-?\s*tr\s+endfor\s*-?%\}\s*$")
BUILT_IN_NAME = "_xlnm."
SINGLE_VALUE = re.compile(r"^\s*\{\{\s*(\w+)(?:\.(\w+))?\s*\}\}\s*$")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


@dataclass
class Loop:
    start: int
    end: int
    variable: str
    grid: str


@dataclass
class ExcelLayout:
    workbook: Workbook
    sources: list[str] = field(default_factory=list)  # one Jinja source per sheet, for lint
    names: list[str] = field(default_factory=list)    # defined names that may be fields


def open_excel_layout(data: bytes) -> ExcelLayout:
    check_office_file(data, "xlsx")
    try:
        workbook = load_workbook(io.BytesIO(data))
    except Exception as error:  # noqa: BLE001 — openpyxl and lxml raise many types on a malformed part
        raise unreadable("xlsx", error) from None
    layout = ExcelLayout(workbook=workbook)
    layout.names = [name for name in workbook.defined_names if not name.startswith(BUILT_IN_NAME)]
    for sheet in workbook.worksheets:
        layout.sources.append(_sheet_source(sheet))
    return layout


def _marker(value: Any, pattern: re.Pattern) -> re.Match | None:
    return pattern.match(value) if isinstance(value, str) else None


def _sheet_source(sheet: Worksheet) -> str:
    """The sheet's cells as one Jinja text, loops as real for-blocks, so lint sees loop scopes."""
    lines = []
    for row in sheet.iter_rows():
        for cell in row:
            if (start := _marker(cell.value, LOOP_START)) is not None:
                lines.append("{%% for %s in %s %%}" % start.groups())
            elif _marker(cell.value, LOOP_END):
                lines.append("{% endfor %}")
            elif isinstance(cell.value, str) and ("{{" in cell.value or "{%" in cell.value):
                lines.append(cell.value)
    return "\n".join(lines)


def _loops(sheet: Worksheet) -> list[Loop]:
    loops, open_loop = [], None
    for row in sheet.iter_rows():
        for cell in row:
            if (start := _marker(cell.value, LOOP_START)) is not None:
                open_loop = (cell.row, *start.groups())
            elif _marker(cell.value, LOOP_END) and open_loop is not None:
                loops.append(Loop(start=open_loop[0], end=cell.row, variable=open_loop[1], grid=open_loop[2]))
                open_loop = None
    return loops


def render_excel(layout: ExcelLayout, context: dict[str, Any]) -> bytes:
    env = layout_environment(xml=False)
    for sheet in layout.workbook.worksheets:
        for loop in reversed(_loops(sheet)):  # from the bottom, so earlier rows keep their numbers
            _expand(sheet, loop, context, env)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and ("{{" in cell.value or "{%" in cell.value):
                    _fill(cell, cell.value, context, env)
    _fill_defined_names(layout, context)
    out = io.BytesIO()
    layout.workbook.save(out)
    return out.getvalue()


def _expand(sheet: Worksheet, loop: Loop, context: dict[str, Any], env) -> None:
    body = [[(cell.column, cell.value, copy.copy(cell._style)) for cell in row]
            for row in sheet.iter_rows(min_row=loop.start + 1, max_row=loop.end - 1)]
    heights = [sheet.row_dimensions[r].height for r in range(loop.start + 1, loop.end)]
    items = list(context.get(loop.grid) or [])
    removed, added = loop.end - loop.start + 1, len(items) * len(body)
    _shift_merged_cells(sheet, below=loop.end, by=added - removed)
    sheet.delete_rows(loop.start, removed)
    if added:
        sheet.insert_rows(loop.start, added)
    for index, item in enumerate(items):
        scope = {**context, loop.variable: item,
                 "loop": {"index": index + 1, "index0": index, "first": index == 0, "last": index == len(items) - 1,
                          "length": len(items)}}
        for offset, cells in enumerate(body):
            row = loop.start + index * len(body) + offset
            sheet.row_dimensions[row].height = heights[offset]
            for column, value, style in cells:
                target = sheet.cell(row=row, column=column)
                target._style = copy.copy(style)
                if isinstance(value, str) and ("{{" in value or "{%" in value):
                    _fill(target, value, scope, env)
                else:
                    target.value = value


def _shift_merged_cells(sheet: Worksheet, *, below: int, by: int) -> None:
    for merged in list(sheet.merged_cells.ranges):
        if merged.min_row > below:
            merged.shift(row_shift=by)


def _fill_defined_names(layout: ExcelLayout, context: dict[str, Any]) -> None:
    for name in layout.names:
        if name not in context:
            continue
        for sheet_title, reference in layout.workbook.defined_names[name].destinations:
            target = layout.workbook[sheet_title][reference.replace("$", "").split(":")[0]]
            _put(target, context[name])


def _fill(cell, source: str, scope: dict[str, Any], env) -> None:
    """A cell that is one placeholder gets the value itself; any other cell its rendered text."""
    single = SINGLE_VALUE.match(source)
    if single is not None:
        value = scope.get(single.group(1))
        if single.group(2) is not None:
            value = value.get(single.group(2)) if isinstance(value, dict) else None
        if _is_number(value):
            _put(cell, value)
            return
    _put(cell, env.from_string(source).render(scope))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _put(cell, value: Any) -> None:
    """Numbers as numbers; everything else as text that Excel shows as typed, never as a formula."""
    if _is_number(value):
        cell.value = value
        return
    text = "" if value is None else str(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
