from __future__ import annotations

from typing import Any

from metrology.core.errors import ApplicationError
from metrology.doctype.engine import Problem


class ProcedureRefused(ApplicationError):
    """A procedure version cannot be saved or published; `problems` says where and why, and
    `case_results` (from `services.definition_check`) how each test case fared."""

    def __init__(self, message: str, problems: list[Problem] | None = None, case_results: list[Any] | None = None):
        super().__init__(message)
        self.problems = problems or []
        self.case_results = case_results or []
