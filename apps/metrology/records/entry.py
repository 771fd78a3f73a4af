"""Entry in the fixed order and live results, from a pinned version's definition (no database).

A record's ``inputs`` are the engine's inputs (docs/procedure-format.md): field key → value, a grid
a list of row objects. Fields have a ``step`` (common fields 0, default 1): step n may be entered only
when every required field of the steps before it is complete (R-4.3.5.7, R-4.3.9.4).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Mapping

from django.utils.translation import gettext as _

from metrology.doctype.engine import CompiledProcedure, InputError, compile_procedure, compute, effective_fields
from metrology.doctype.engine.definition import MAX_TEXT_LENGTH
from metrology.doctype.engine.model import Field
from metrology.doctype.formula import FormulaError
from metrology.doctype.messages import problem_text

MAX_GRID_ROWS = 500  # a grid without a declared maximum still has one for entry
INCOMPLETE_CODES = frozenset({"required", "rows"})  # what is missing, not wrong


@dataclass(frozen=True)
class EntryField:
    key: str
    label: str
    step: int
    spec: Field  # the compiled field: required, default, columns, row counts

    @property
    def is_grid(self) -> bool:
        return self.spec.type == "grid"

    def input_column(self, key: str) -> Field | None:
        column = self.spec.column(key)
        return column if column is not None and not column.computed else None


@dataclass(frozen=True)
class Missing:
    step: int
    field: str
    label: str
    row: int | None = None
    column: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "field": self.field, "label": self.label, "row": self.row, "column": self.column}


@dataclass(frozen=True)
class EntryPlan:
    compiled: CompiledProcedure
    fields: dict[str, EntryField]  # the fields a person enters, in order
    steps: tuple[int, ...]


_plans: OrderedDict[str, EntryPlan] = OrderedDict()
_plans_lock = threading.Lock()
_PLAN_CACHE_SIZE = 64


def entry_plan(definition: Mapping[str, Any]) -> EntryPlan:
    """The plan of a definition; published versions never change, so it is cached by fingerprint."""
    compiled = compile_procedure(definition)
    with _plans_lock:
        plan = _plans.get(compiled.fingerprint)
        if plan is not None:
            _plans.move_to_end(compiled.fingerprint)
            return plan
    steps = {f["key"]: f.get("step", 1) for f in effective_fields(dict(definition)) if isinstance(f, dict)}
    fields = {
        spec.key: EntryField(spec.key, spec.label, steps.get(spec.key, 1), spec)
        for spec in compiled.fields if not spec.computed
    }
    plan = EntryPlan(compiled, fields, tuple(sorted({f.step for f in fields.values()})))
    with _plans_lock:
        _plans[compiled.fingerprint] = plan
        while len(_plans) > _PLAN_CACHE_SIZE:
            _plans.popitem(last=False)
    return plan


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _row_is_blank(field: EntryField, row: Mapping[str, Any]) -> bool:
    return all(is_blank(row.get(c.key)) for c in field.spec.columns if not c.computed)


def _rows(field: EntryField, inputs: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The grid's rows without trailing blank ones (a row emptied again is as if never started)."""
    rows = list(inputs.get(field.key) or [])
    while rows and _row_is_blank(field, rows[-1]):
        rows.pop()
    return rows


def _missing_in_row(field: EntryField, row: Mapping[str, Any], number: int) -> list[Missing]:
    return [Missing(field.step, field.key, column.label, number, column.key)
            for column in field.spec.columns
            if not column.computed and column.required and column.default is None and is_blank(row.get(column.key))]


def missing_of(field: EntryField, inputs: Mapping[str, Any]) -> list[Missing]:
    """What the field still needs before it is complete."""
    spec = field.spec
    if not field.is_grid:
        needed = spec.required and spec.default is None and spec.type != "checkbox"
        return [Missing(field.step, field.key, field.label)] if needed and is_blank(inputs.get(field.key)) else []
    rows = _rows(field, inputs)
    missing = [m for number, row in enumerate(rows, 1) for m in _missing_in_row(field, row, number)]
    missing += [Missing(field.step, field.key, field.label, number)
                for number in range(len(rows) + 1, spec.min_rows + 1)]
    return missing


def missing_before(plan: EntryPlan, step: int, inputs: Mapping[str, Any]) -> list[Missing]:
    """The required values of the steps before ``step`` still missing, in entry order."""
    return [m for f in plan.fields.values() if f.step < step for m in missing_of(f, inputs)]


def missing_all(plan: EntryPlan, inputs: Mapping[str, Any]) -> list[Missing]:
    return [m for f in plan.fields.values() for m in missing_of(f, inputs)]


def open_step(plan: EntryPlan, inputs: Mapping[str, Any]) -> int:
    """The last step that may be entered now: every step before it is complete."""
    for step in plan.steps:
        if any(missing_of(f, inputs) for f in plan.fields.values() if f.step == step):
            return step
    return plan.steps[-1] if plan.steps else 0


def engine_inputs(plan: EntryPlan, inputs: Mapping[str, Any], *, complete_rows_only: bool = False) -> dict[str, Any]:
    """The inputs as the engine reads them: trailing blank rows left out and, for a provisional
    result, each grid cut before its first incomplete row."""
    out: dict[str, Any] = {}
    for key, value in inputs.items():
        field = plan.fields.get(key)
        if field is None or not field.is_grid:
            out[key] = value
            continue
        rows = _rows(field, inputs)
        if complete_rows_only:
            cut = next((n for n, row in enumerate(rows) if _missing_in_row(field, row, n + 1)), len(rows))
            rows = rows[:cut]
        out[key] = [{k: v for k, v in row.items() if not is_blank(v)} for row in rows]
    return {k: v for k, v in out.items() if not (isinstance(v, str) and not v.strip())}


def _error_json(problem: Any) -> dict[str, Any]:
    return {
        "field": getattr(problem, "where", None) or getattr(problem, "field", None),
        "row": getattr(problem, "row", None),
        "column": getattr(problem, "grid_column", None) or "",
        "code": problem.code,
        "message": problem_text(problem),
    }


def live_results(plan: EntryPlan, inputs: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """Computed values, rule results (per row for grids) and the verdict as far as the values go.

    With every required value there, the result is final (``complete``). Otherwise the values that
    are wrong are reported on their fields, and, when nothing is wrong, the record is computed on what
    is complete so far (each grid up to its first incomplete row) as a provisional result.
    """
    missing = missing_all(plan, inputs)
    errors: list[dict[str, Any]] = []
    result = None
    try:
        result = compute(plan.compiled, engine_inputs(plan, inputs), context=context)
    except InputError as error:
        errors = [_error_json(p) for p in error.problems if p.code not in INCOMPLETE_CODES]
        if not errors:
            try:
                result = compute(plan.compiled, engine_inputs(plan, inputs, complete_rows_only=True),
                                 context=context)
            except (InputError, FormulaError):
                result = None  # not enough yet to compute anything
    except FormulaError as error:
        errors = [_error_json(error)]
    complete = result is not None and not missing and not errors
    computed = result.to_json() if result is not None else {}
    return {
        "complete": complete,
        "open_step": open_step(plan, inputs),
        "values": {k: v for k, v in computed.items() if k not in ("检定结论", "不合格项目", "document_kind",
                                                                   "rule_results")},
        "rule_results": computed.get("rule_results", []),
        "检定结论": computed.get("检定结论") if complete else None,
        "不合格项目": computed.get("不合格项目", []) if complete else [],
        "document_kind": computed.get("document_kind") if complete else None,
        "errors": errors,
        "missing": [m.to_json() for m in missing],
    }


def value_problem(plan: EntryPlan, field: str, row: int | None, column: str, value: Any) -> str | None:
    """Why this value cannot be stored at this place at all, or None. Whether the
    value fits its field (a number in range …) is not asked here: a draft keeps wrong values and
    shows their errors."""
    entry = plan.fields.get(field)
    if entry is None:
        return _("This procedure has no field to enter by that name.")
    if entry.is_grid:
        if row is None or row < 1 or row > (entry.spec.max_rows or MAX_GRID_ROWS):
            return _("Give the row of the grid, from 1 to its number of rows.")
        if entry.input_column(column) is None:
            return _("This grid has no column to enter by that name.")
    elif row is not None or column:
        return _("This field is not a grid; give no row or column.")
    if value is not None and not isinstance(value, (str, bool, int)):
        return _("A value is text (numbers as text, e.g. “20.05”), true or false, or empty.")
    if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
        return _("The value is too long.")
    return None


def current_value(inputs: Mapping[str, Any], field: str, row: int | None, column: str) -> Any:
    if row is None:
        return inputs.get(field)
    rows = inputs.get(field) or []
    return rows[row - 1].get(column) if row <= len(rows) else None


def with_value(inputs: Mapping[str, Any], field: str, row: int | None, column: str, value: Any) -> dict[str, Any]:
    """A copy of the inputs with one value set (grids grow to the row)."""
    updated = dict(inputs)
    if row is None:
        updated[field] = value
        return updated
    rows = [dict(r) for r in (inputs.get(field) or [])]
    while len(rows) < row:
        rows.append({})
    rows[row - 1][column] = value
    updated[field] = rows
    return updated
