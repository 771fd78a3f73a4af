"""From a computed record (engine JSON) to the values a layout prints."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from metrology.doctype.engine import effective_fields
from metrology.doctype.formula import format_decimal, round_gb
from metrology.print_formats.keys import DOCUMENT_KEYS

BOOLEAN_TEXT = {True: "是", False: "否"}


def display(value: Any, spec: dict[str, Any] | None) -> Any:
    """Numbers at their field's display rounding interval (GB/T 8170), blanks as empty text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return BOOLEAN_TEXT[value]
    interval = (spec or {}).get("display_interval")
    if interval and isinstance(value, str):
        try:
            return format_decimal(round_gb(Decimal(value), Decimal(interval)))
        except (InvalidOperation, ValueError, ArithmeticError):
            return value
    return value


def regulation_basis(procedure: dict[str, Any]) -> str:
    regulation = procedure.get("regulation") or {}
    code, title = regulation.get("code", ""), regulation.get("title", "")
    return f"{code}《{title}》" if code and title else code or title


def layout_context(procedure: dict[str, Any], result: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    specs = {f["key"]: f for f in effective_fields(procedure) if isinstance(f, dict) and "key" in f}
    context: dict[str, Any] = {}
    for key, value in result.items():
        spec = specs.get(key)
        if spec and spec.get("type") == "grid" and isinstance(value, list):
            columns = {c.get("key"): c for c in spec.get("columns") or []}
            context[key] = [{column: display(cell, columns.get(column)) for column, cell in row.items()}
                            for row in value]
        elif key != "rule_results":
            context[key] = value if isinstance(value, list) else display(value, spec)
    for key, value in document.items():  # the system's document fields fill what the record leaves blank
        if value is not None and context.get(key) in (None, ""):
            context[key] = value
    defaults = {"计量器具名称": (procedure.get("item") or {}).get("name", ""), "检定依据": regulation_basis(procedure)}
    for key in DOCUMENT_KEYS:
        if context.get(key) in (None, ""):
            context[key] = defaults.get(key, "")
    return context
