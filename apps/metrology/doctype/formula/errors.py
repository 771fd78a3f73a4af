"""The one error type of the formula language."""

from __future__ import annotations

from typing import Any


def gettext_noop(message: str) -> str:
    """Mark a message template for translation without translating it (for makemessages)."""
    return message


class FormulaError(Exception):
    """Any problem with a formula: syntax, static check or evaluation.

    ``code`` is stable ("syntax", "unknown_name", ...); ``template`` is the untranslated English
    message with ``{name}`` placeholders filled from ``params``; ``message`` is the formatted text.
    Positions are 1-based ``line``/``column`` and 0-based ``offset`` into the source, when known.
    """

    def __init__(
        self,
        code: str,
        template: str,
        *,
        offset: int | None = None,
        source: str | None = None,
        field: str | None = None,
        row: int | None = None,
        **params: Any,
    ) -> None:
        self.code = code
        self.template = template
        self.params = params
        self.message = template.format(**params) if params else template
        self.offset: int | None = None
        self.line: int | None = None
        self.column: int | None = None
        self.field = field
        self.row = row
        if offset is not None:
            self.locate(offset, source or "")
        super().__init__(self.message)

    def locate(self, offset: int, source: str) -> FormulaError:
        """Set the position from an offset into ``source`` unless a position is already known."""
        if self.offset is None:
            offset = max(0, min(offset, len(source)))
            self.offset = offset
            self.line = source.count("\n", 0, offset) + 1
            self.column = offset - (source.rfind("\n", 0, offset) + 1) + 1
        return self

    def in_field(self, field: str, row: int | None = None) -> FormulaError:
        if self.field is None:
            self.field = field
            self.row = row
        return self

    def __str__(self) -> str:
        text = self.message
        if self.line is not None:
            text = f"{text} (line {self.line}, column {self.column})"
        if self.field is not None:
            where = self.field if self.row is None else f"{self.field}, row {self.row}"
            text = f"{where}: {text}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "template": self.template,
            "params": {k: str(v) for k, v in self.params.items()},
            "line": self.line,
            "column": self.column,
            "offset": self.offset,
            "field": self.field,
            "row": self.row,
        }
