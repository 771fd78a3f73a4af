"""The engine's problems (located by field key, rules.<id>, tables.<name> …) placed on the
workbook's sheets, rows and columns."""

from __future__ import annotations

import re
from typing import Any

from ..engine import Problem, effective_fields
from . import layout as L
from .errors import WorkbookProblem
from .reader import Locator
from .sheets import Sheet

Place = tuple[str | Sheet, int | None, str | None]  # sheet, Excel row, column key

_INDEXED = re.compile(r"(\w+)\[(\d+)\]")
_FORMULA_CODES = frozenset(
    {"syntax", "unknown_name", "unknown_function", "arg_count", "div_zero", "type", "domain", "cycle",
     "too_deep", "too_long", "too_large", "no_match", "unknown_table", "bad_table", "steps"}
)
_FIELD_CODES = {"key": "key", "duplicate": "key", "options": "options", "pattern": "pattern",
                "rows": "rows_min"}
_RULE_CODES = {"operator": "operator", "method": "method", "interval": "interval",
               "each": "each", "duplicate": "id"}


def locate(problem: Problem, procedure: dict[str, Any], locator: Locator) -> WorkbookProblem:
    where = problem.where or "procedure"
    name = where.partition(".")[2]
    if where.startswith("rules"):
        place = _rule(problem, name, procedure, locator)
    elif where.startswith("tables"):
        place = _table(problem, name, procedure, locator)
    elif where.startswith("test_cases"):
        row = _item_row(problem, name, procedure, locator, L.TEST_CASES, locator.test_cases)
        place = (L.TEST_CASES, row, _test_case_column(problem))
    elif where in ("procedure", "document_kinds"):
        place = _setting(problem, where, locator)
    else:
        place = _field(problem, where, procedure, locator)
    sheet, row, column = place
    found = locator.sheets.get(sheet) if isinstance(sheet, str) else sheet
    letter = found.letters.get(column) if found is not None and column else None
    return WorkbookProblem(
        problem.code,
        problem.template,
        dict(problem.params),
        found.name if found is not None else str(sheet),
        row,
        letter,
        column if letter else None,
        problem.line,
        problem.column,
    )


def _test_case_column(problem: Problem) -> str | None:
    if problem.code == "confirmed":
        return "confirmed"
    key = problem.params.get("key")
    return L.CONTEXT_PREFIX + key if problem.code == "context" and key in L.CONTEXT_KEYS else None


def _pick(rows: list[int], problem: Problem) -> int | None:
    """The row of a key; for "used twice", the second occurrence."""
    if not rows:
        return None
    return rows[1] if problem.code == "duplicate" and len(rows) > 1 else rows[0]


def _item_row(
    problem: Problem,
    name: str,
    procedure: dict[str, Any],
    locator: Locator,
    section: str,
    rows: dict[str, list[int]],
) -> int | None:
    """The row of ``section[i]`` (1-based index into the procedure's list) or ``section.<name>``."""
    match = _INDEXED.fullmatch(problem.where or "")
    if match:
        items = procedure.get(section, [])
        index = int(match.group(2)) - 1
        return locator.by_id.get(id(items[index])) if 0 <= index < len(items) else None
    return _pick(rows.get(name, []), problem)


def _field(problem: Problem, where: str, procedure: dict[str, Any], locator: Locator) -> Place:
    column = _field_column(problem)
    grid, column_key = where, problem.grid_column
    if column_key is None and where.split(".")[0] in _grid_keys(procedure):
        grid, _, column_key = where.partition(".")  # a cycle names a grid column as grid.column
        column_key = column_key or None
    match = _INDEXED.fullmatch(where)
    if match:  # fields[i] counts the effective fields: common fields first
        effective = effective_fields(procedure)
        index = int(match.group(2)) - 1
        row = locator.by_id.get(id(effective[index])) if 0 <= index < len(effective) else None
        return L.FIELDS, row, column
    if column_key is None:
        return L.FIELDS, _pick(locator.fields.get(where, []), problem), column
    match = _INDEXED.fullmatch(column_key)
    if match:
        return L.FIELDS, _nth_column_row(procedure, grid, int(match.group(2)), locator), column
    return L.FIELDS, _pick(locator.grid_columns.get((grid, column_key), []), problem), column


def _grid_keys(procedure: dict[str, Any]) -> set[str]:
    fields = procedure.get("fields", [])
    return {f.get("key") for f in fields if isinstance(f, dict) and f.get("type") == "grid"}


def _nth_column_row(procedure: dict[str, Any], grid: str, number: int, locator: Locator) -> int | None:
    for spec in procedure.get("fields", []):
        if isinstance(spec, dict) and spec.get("key") == grid and isinstance(spec.get("columns"), list):
            if 0 < number <= len(spec["columns"]):
                return locator.by_id.get(id(spec["columns"][number - 1]))
    return None


def _field_column(problem: Problem) -> str | None:
    params = problem.params
    if problem.part == "default":
        return "default"
    if problem.code == "type" and "type" in params:
        return "type"
    if isinstance(params.get("name"), str) and params["name"] in L.FIELD_COLUMNS:
        return params["name"]  # decimal attributes: min, max, resolution, display_interval
    if problem.template.startswith("step "):
        return "step"
    if problem.code in _FIELD_CODES:
        return _FIELD_CODES[problem.code]
    if problem.code in _FORMULA_CODES or problem.code == "required":
        return "expression"
    return None


def _rule(problem: Problem, name: str, procedure: dict[str, Any], locator: Locator) -> Place:
    row = _item_row(problem, name, procedure, locator, "rules", locator.rules)
    params = problem.params
    if problem.part:
        column = problem.part
    elif problem.code == "required":
        column = "id" if "needs an id" in problem.template else "label"
    elif isinstance(params.get("name"), str) and params["name"] in L.RULE_COLUMNS:
        column = params["name"]
    else:
        column = _RULE_CODES.get(problem.code)
    return L.RULES, row, column


def _table(problem: Problem, name: str, procedure: dict[str, Any], locator: Locator) -> Place:
    number = problem.params.get("row_number")
    if isinstance(number, int) and name in locator.table_sheets:
        sheet, rows = locator.table_sheets[name]
        return sheet, rows[number - 1] if 0 < number <= len(rows) else None, None
    row = _item_row(problem, name, procedure, locator, "tables", locator.tables)
    return L.TABLES, row, "name" if problem.code == "duplicate" else None


def _setting(problem: Problem, where: str, locator: Locator) -> Place:
    if where == "document_kinds":
        key = next((k for k in locator.settings if k.startswith("document_kinds.")), None)
    elif problem.code == "format":
        key = "format_version"
    elif isinstance(problem.params.get("name"), str):
        key = problem.params["name"]
    else:
        key = "sub_types" if "sub_types" in problem.template else None
    row = locator.settings.get(key) if key else None
    return L.PROCEDURE, row, "value" if row else None
