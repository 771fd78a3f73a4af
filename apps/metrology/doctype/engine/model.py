"""A procedure definition compiled once: parsed formulas, limit tables and evaluation order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..formula import Formula, LimitTable
from ..formula.compiled import Program

if TYPE_CHECKING:
    from .inputs import InputPlan


@dataclass(frozen=True)
class Field:
    key: str
    type: str
    label: str = ""
    required: bool = False
    default: Any = None
    formula: Formula | None = None
    options: tuple[str, ...] = ()
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    pattern: re.Pattern[str] | None = None
    max_length: int | None = None
    columns: tuple[Field, ...] = ()
    min_rows: int = 0
    max_rows: int | None = None

    @property
    def computed(self) -> bool:
        return self.type == "formula"

    def column(self, key: str) -> Field | None:
        return next((c for c in self.columns if c.key == key), None)


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    value: Formula
    operator: str
    limit: Formula
    method: str = "full"
    interval: Decimal | None = None
    applies_if: Formula | None = None
    each: str | None = None  # a grid key: the rule is checked on every row
    # value, limit and applies_if compiled once (a grid rule reads the row's columns from the row)
    programs: tuple[Program | None, ...] = field(default=(), compare=False, repr=False)

    @property
    def where(self) -> str:
        return f"rules.{self.id}"


@dataclass(frozen=True)
class Step:
    """One formula to evaluate: a top-level field (grid None) or a grid column on every row."""

    key: str
    formula: Formula
    grid: str | None = None
    program: Program | None = field(default=None, compare=False, repr=False)

    @property
    def node(self) -> str:
        return self.key if self.grid is None else f"{self.grid}.{self.key}"


@dataclass(frozen=True)
class CompiledProcedure:
    definition: dict[str, Any]
    fields: tuple[Field, ...]  # fields that hold a value, grids included, sections left out
    tables: dict[str, LimitTable]
    steps: tuple[Step, ...]
    rules: tuple[Rule, ...]
    document_kinds: dict[str, str]
    fingerprint: str = ""
    by_key: dict[str, Field] = field(default_factory=dict)
    inputs: InputPlan | None = None  # how a record's inputs are read, worked out once
    fast: Any = field(default=None, compare=False, repr=False)  # engine.fast.FastPlan, or None

    @property
    def code(self) -> str:
        return str(self.definition.get("code", ""))
