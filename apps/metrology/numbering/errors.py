from __future__ import annotations

from metrology.core.errors import ApplicationError


class NumberingRefused(ApplicationError):
    """A numbering change or allocation that would break uniqueness or the never-reuse rule."""
