from __future__ import annotations

from metrology.core.errors import ApplicationError
from metrology.doctype.engine import Problem


class ProcedureRefused(ApplicationError):
    """A procedure version cannot be saved or published; `problems` says where and why."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []
