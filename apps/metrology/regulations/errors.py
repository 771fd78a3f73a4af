from __future__ import annotations

from metrology.core.errors import ApplicationError


class RegulationRefused(ApplicationError):
    """An upload or edit of the regulation library was refused; `code` says why, for callers and tests."""

    def __init__(self, code: str, message: str, *, field: str | None = None):
        super().__init__(message, field=field, extra={"code": code})
        self.code = code
