"""Engine and formula problems in the reader's language, with where they are."""

from __future__ import annotations

from typing import Any

from metrology.core.plain_gettext import gettext as _


def _translated(template: str, params: dict[str, Any], fallback: str) -> str:
    try:
        return _(template).format(**params) if params else _(template)
    except (KeyError, IndexError, ValueError):
        return fallback


def position_text(line: int | None, column: int | None) -> str:
    if line is None or column is None:
        return ""
    return _("line %(line)d, column %(column)d") % {"line": line, "column": column}


def _formula_position(problem: Any) -> tuple[int | None, int | None]:
    if hasattr(problem, "formula_line"):  # a workbook problem: `column` is the sheet's column letter
        return problem.formula_line, problem.formula_column
    return problem.line, problem.column


def problem_text(problem: Any) -> str:
    """One line for a Problem, FormulaError or WorkbookProblem: `where: message (line l, column c)`."""
    message = _translated(problem.template, problem.params or {}, problem.message)
    location = getattr(problem, "location", None) or getattr(problem, "field", None) or ""
    if getattr(problem, "row", None) is not None and not hasattr(problem, "location"):
        location += f"[{problem.row}]"
    position = position_text(*_formula_position(problem))
    text = f"{location}: {message}" if location else message
    return f"{text}（{position}）" if position else text


def problem_dict(problem: Any) -> dict[str, Any]:
    return {
        "where": getattr(problem, "where", None) or getattr(problem, "field", None),
        "row": getattr(problem, "row", None),
        "grid_column": getattr(problem, "grid_column", None),
        "part": getattr(problem, "part", None),
        "line": problem.line,
        "column": problem.column,
        "offset": problem.offset,
        "code": problem.code,
        "message": problem_text(problem),
    }
