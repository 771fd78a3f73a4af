from __future__ import annotations

from metrology.core.errors import ApplicationError


class WorkflowRefused(ApplicationError):
    """A step on a record refused: not allowed for this person now, or its signature missing or wrong."""
