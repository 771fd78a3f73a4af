from __future__ import annotations

from metrology.core.errors import ApplicationError


class RecordRefused(ApplicationError):
    """A record operation refused; ``extra`` may carry ``missing`` (what is still to be entered)."""
