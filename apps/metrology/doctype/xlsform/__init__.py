"""Procedure definitions ↔ Excel workbooks (.xlsx), in the XLSForm manner: sheets with a header row
of stable column keys and one row per thing. No Django. See docs/procedure-xlsx.md.

Public API::

    procedure_to_xlsx(procedure) -> bytes          every cell written as text
    procedure_from_xlsx(data) -> dict              raises WorkbookError(.problems) listing every
                                                   located problem, the engine's included
    normalize(procedure) -> dict                   fills the empty defaults the reader may add
    WorkbookError, WorkbookProblem (.sheet, .row, .column letter, .header key, .message, ...)
"""

from __future__ import annotations

import copy
from typing import Any

from openpyxl.utils import column_index_from_string

from ..engine import Problem, validate_procedure
from .errors import WorkbookError, WorkbookProblem
from .locate import locate
from .reader import Locator, read_workbook
from .writer import procedure_to_xlsx

_HEADER_CODES = ("missing_column", "no_header")

__all__ = ["WorkbookError", "WorkbookProblem", "normalize", "procedure_from_xlsx", "procedure_to_xlsx"]


def procedure_from_xlsx(data: bytes) -> dict[str, Any]:
    """The procedure a workbook defines. Raises WorkbookError with every problem found: the file
    itself (not an .xlsx, too large, macros, DOCTYPE), the sheets' structure and cells, and, once
    the required sheets are there, every problem ``validate_procedure`` finds, placed on the row
    and column it came from."""
    reading = read_workbook(data)
    problems = list(reading.problems)
    headless = {p.sheet for p in problems if p.code in _HEADER_CODES and p.row in (1, None)}
    if reading.complete:
        seen = {(p.sheet, p.row): p.column for p in problems if p.row is not None}
        taken = {(p.sheet, p.row, p.column) for p in problems}
        engine_problems = validate_procedure(reading.procedure)
        broken = _broken_tables(problems, engine_problems, reading.locator)
        for problem in engine_problems:
            if problem.code == "unknown_table" and problem.params.get("table") in broken:
                continue  # the table is defined but has problems of its own, reported already
            located = locate(problem, reading.procedure, reading.locator)
            if located.sheet in headless:
                continue  # a required column is missing: the engine would complain on every row
            place = (located.sheet, located.row)
            # A cell already reported (and left out) often makes the engine complain about its row.
            if place in seen and (located.column is None or (*place, located.column) in taken):
                continue
            problems.append(located)
    if problems:
        raise WorkbookError(sorted(problems, key=lambda p: _position(p, reading.sheet_order)))
    return reading.procedure


def _position(problem: WorkbookProblem, order: list[str]) -> tuple[int, int, int]:
    sheet = order.index(problem.sheet) + 1 if problem.sheet in order else 0
    column = column_index_from_string(problem.column) if problem.column else 0
    return sheet, problem.row or 0, column


def _broken_tables(found: list[WorkbookProblem], engine: list[Problem], locator: Locator) -> set[str]:
    sheets = {sheet.name: name for name, (sheet, _) in locator.table_sheets.items()}
    broken = {sheets[p.sheet] for p in found if p.sheet in sheets}
    broken |= {p.where.partition(".")[2] for p in engine if p.where and p.where.startswith("tables.")}
    return broken


def normalize(procedure: dict[str, Any]) -> dict[str, Any]:
    """A copy with the empty defaults that reading a workbook makes explicit: ``tables``, ``rules``
    and ``test_cases`` (absent → []), a table's ``keys`` (absent → []) and a grid's ``columns``
    (absent → []). Nothing else differs after a round trip."""
    out = copy.deepcopy(procedure)
    for name in ("tables", "rules", "test_cases"):
        out.setdefault(name, [])
    for table in out["tables"] if isinstance(out["tables"], list) else []:
        if isinstance(table, dict):
            table.setdefault("keys", [])
    for spec in out.get("fields", []) if isinstance(out.get("fields"), list) else []:
        if isinstance(spec, dict) and spec.get("type") == "grid":
            spec.setdefault("columns", [])
    return out
