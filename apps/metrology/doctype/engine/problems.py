"""Problems found in a procedure definition or in the inputs of a record, and their errors."""

from __future__ import annotations

from typing import Any

from ..formula import FormulaError
from ..formula.records import Frozen


class Problem(Frozen):
    """One problem, located by ``where`` (a field key, ``rules.<id>``, ``tables.<name>``,
    ``test_cases.<name>`` or ``procedure``), the 1-based grid ``row`` and ``grid_column`` for a
    grid cell, and ``line``/``column``/``offset`` inside a formula."""

    __slots__ = ("code", "template", "params", "where", "row", "grid_column", "part", "line", "column", "offset")
    defaults = {"params": dict, "where": None, "row": None, "grid_column": None, "part": None, "line": None,
                "column": None, "offset": None}
    code: str
    template: str
    params: dict[str, Any]
    where: str | None
    row: int | None
    grid_column: str | None
    part: str | None  # which formula of a rule (value, limit, applies_if), or a field's default
    line: int | None
    column: int | None
    offset: int | None

    @property
    def message(self) -> str:
        return self.template.format(**self.params) if self.params else self.template

    @property
    def location(self) -> str:
        text = self.where or ""
        if self.row is not None:
            text += f"[{self.row}]"
        if self.grid_column is not None:
            text += f".{self.grid_column}"
        if self.part is not None:
            text += f" ({self.part})"
        return text

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.line is not None:
            text += f" (line {self.line}, column {self.column})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "template": self.template,
            "params": {k: str(v) for k, v in self.params.items()},
            "where": self.where,
            "row": self.row,
            "grid_column": self.grid_column,
            "part": self.part,
            "line": self.line,
            "column": self.column,
            "offset": self.offset,
        }

    @classmethod
    def from_formula_error(
        cls,
        error: FormulaError,
        where: str | None,
        *,
        grid_column: str | None = None,
        part: str | None = None,
        row: int | None = None,
    ) -> Problem:
        return cls(
            code=error.code,
            template=error.template,
            params=dict(error.params),
            where=where,
            row=row if row is not None else error.row,
            grid_column=grid_column,
            part=part,
            line=error.line,
            column=error.column,
            offset=error.offset,
        )


class ProblemsError(Exception):
    """Carries a list of problems; ``str()`` gives one line per problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class InputError(ProblemsError):
    """The inputs of a record do not fit the procedure's field definitions."""


class ProcedureError(ProblemsError):
    """The procedure definition itself is invalid (see ``validate_procedure``)."""
