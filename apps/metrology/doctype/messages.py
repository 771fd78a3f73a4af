"""Engine and formula problems in the reader's language, with where they are."""

from __future__ import annotations

from typing import Any

from metrology.core.plain_gettext import gettext as _
from metrology.doctype.formula.errors import gettext_noop


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


# The parts of a rule or field a problem can be in, as `Problem.part` names them.
PART_NAMES = {"value": gettext_noop("value"), "limit": gettext_noop("limit"),
              "applies_if": gettext_noop("applies if"), "default": gettext_noop("default value")}


def _location(problem: Any) -> str:
    if hasattr(problem, "location") and not hasattr(problem, "part"):  # a workbook problem: sheet!cell
        return problem.location or ""
    where = getattr(problem, "where", None)
    if where == "procedure":  # its part names a top-level attribute, and the message already says which
        return _("the procedure")
    text = where or getattr(problem, "field", None) or ""
    if getattr(problem, "row", None) is not None:
        text += f"[{problem.row}]"
    if getattr(problem, "grid_column", None) is not None:
        text += f".{problem.grid_column}"
    part = getattr(problem, "part", None)
    if part is not None:
        text += f"（{_(PART_NAMES[part]) if part in PART_NAMES else part}）"
    return text


def problem_text(problem: Any) -> str:
    """One line for a Problem, FormulaError or WorkbookProblem: `where: message (line l, column c)`."""
    message = _translated(problem.template, problem.params or {}, problem.message)
    location = _location(problem)
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
