"""One base class for errors whose message is meant for the person at the screen."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A refused operation. `message` is user-facing (translated); `field` names the input at fault."""

    def __init__(self, message: str, *, field: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def __str__(self) -> str:
        return str(self.message)
