"""Problems found while reading a workbook, each located by sheet, row and column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class WorkbookProblem:
    """One problem. ``row`` is Excel's 1-based row number, ``column`` the column letter and
    ``header`` the column's key in the header row; any of them is None when the problem concerns
    a whole sheet, row or the file. ``formula_line``/``formula_column`` point inside a formula."""

    code: str
    template: str
    params: dict[str, Any] = field(default_factory=dict)
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    header: str | None = None
    formula_line: int | None = None
    formula_column: int | None = None

    @property
    def message(self) -> str:
        return self.template.format(**self.params) if self.params else self.template

    @property
    def location(self) -> str:
        if self.sheet is None:
            return ""
        text = self.sheet
        if self.row is not None or self.column is not None:
            text += f"!{self.column or ''}{self.row or ''}"
        if self.header:
            text += f" ({self.header})"
        return text

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.formula_line is not None:
            text += f" (formula line {self.formula_line}, column {self.formula_column})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "template": self.template,
            "params": {k: str(v) for k, v in self.params.items()},
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "formula_line": self.formula_line,
            "formula_column": self.formula_column,
        }


class WorkbookError(Exception):
    """The workbook cannot be read as a procedure; ``problems`` lists every problem found."""

    def __init__(self, problems: list[WorkbookProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class CellError(Exception):
    """A cell's text does not fit its column; becomes a WorkbookProblem once located."""

    def __init__(self, code: str, template: str, **params: Any) -> None:
        super().__init__(template)
        self.code = code
        self.template = template
        self.params = params
