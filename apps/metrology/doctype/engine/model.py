"""A procedure definition compiled once: parsed formulas, limit tables and evaluation order."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..formula import Formula, LimitTable
from ..formula.compiled import Program
from ..formula.records import Frozen

if TYPE_CHECKING:
    from .inputs import InputPlan


class Field(Frozen):
    __slots__ = ("key", "type", "label", "required", "default", "formula", "options", "minimum", "maximum",
                 "pattern", "max_length", "columns", "min_rows", "max_rows")
    defaults = {"label": "", "required": False, "default": None, "formula": None, "options": (), "minimum": None,
                "maximum": None, "pattern": None, "max_length": None, "columns": (), "min_rows": 0, "max_rows": None}
    key: str
    type: str
    label: str
    required: bool
    default: Any
    formula: Formula | None
    options: tuple[str, ...]
    minimum: Decimal | None
    maximum: Decimal | None
    pattern: re.Pattern[str] | None
    max_length: int | None
    columns: tuple[Field, ...]
    min_rows: int
    max_rows: int | None

    @property
    def computed(self) -> bool:
        return self.type == "formula"

    def column(self, key: str) -> Field | None:
        return next((c for c in self.columns if c.key == key), None)


class Rule(Frozen):
    __slots__ = ("id", "label", "value", "operator", "limit", "method", "interval", "applies_if", "each", "programs")
    defaults = {"method": "full", "interval": None, "applies_if": None, "each": None, "programs": ()}
    uncompared = ("programs",)
    id: str
    label: str
    value: Formula
    operator: str
    limit: Formula
    method: str
    interval: Decimal | None
    applies_if: Formula | None
    each: str | None  # a grid key: the rule is checked on every row
    # value, limit and applies_if compiled once (a grid rule reads the row's columns from the row)
    programs: tuple[Program | None, ...]

    @property
    def where(self) -> str:
        return f"rules.{self.id}"


class Step(Frozen):
    """One formula to evaluate: a top-level field (grid None) or a grid column on every row."""

    __slots__ = ("key", "formula", "grid", "program")
    defaults = {"grid": None, "program": None}
    uncompared = ("program",)
    key: str
    formula: Formula
    grid: str | None
    program: Program | None

    @property
    def node(self) -> str:
        return self.key if self.grid is None else f"{self.grid}.{self.key}"


class CompiledProcedure(Frozen):
    __slots__ = ("definition", "fields", "tables", "steps", "rules", "document_kinds", "fingerprint", "by_key",
                 "inputs", "fast", "context", "context_names")
    defaults = {"fingerprint": "", "by_key": dict, "inputs": None, "fast": None, "context": dict,
                "context_names": dict}
    uncompared = ("fast",)
    definition: dict[str, Any]
    fields: tuple[Field, ...]  # fields that hold a value, grids included, sections left out
    tables: dict[str, LimitTable]
    steps: tuple[Step, ...]
    rules: tuple[Rule, ...]
    document_kinds: dict[str, str]
    fingerprint: str
    by_key: dict[str, Field]
    inputs: InputPlan | None  # how a record's inputs are read, worked out once
    fast: Any  # engine.fast.FastPlan, or None
    context: dict[str, str | None]  # the record's context as far as the definition fixes it
    context_names: dict[str, str | None]  # those of 检测类型 … that some formula reads, with that context

    @property
    def code(self) -> str:
        return str(self.definition.get("code", ""))
