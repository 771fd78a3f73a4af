"""compute(procedure, inputs): validate, evaluate every formula in order, judge the rules."""

from __future__ import annotations

import datetime
import sys
import threading
from decimal import Context, getcontext, localcontext, setcontext
from typing import Any, Mapping

from ..formula import FormulaError, gettext_noop
from ..formula.compiled import Run
from ..formula.evaluator import execute
from ..formula.limits import CONTEXT
from ..formula.values import Value
from .compiler import compile_procedure
from .context import context_values
from .definition import FAIL, PASS
from .fast import FastPlan
from .inputs import validate_inputs
from .model import CompiledProcedure, Rule, Step
from .result import ComputeResult
from .rules import RuleResult, evaluate_rule, outcome, passes, rounded, rule_result

_UNCOUNTED = sys.maxsize  # the generated plan's steps are bounded before it runs, not counted


def compute(
    procedure: Mapping[str, Any] | CompiledProcedure,
    inputs: Mapping[str, Any],
    *,
    today: datetime.date | None = None,
    context: Mapping[str, Any] | None = None,
) -> ComputeResult:
    """Compute a record. ``context`` gives the record's test_type, sub_type and item, which formulas
    read as 检测类型, 检测子类型 and 检测项目 (engine.context). Raises ProcedureError (bad
    definition), InputError (bad inputs or context, every problem listed) or FormulaError (a
    formula failed on these values, with ``field``/``row``)."""
    compiled = procedure if isinstance(procedure, CompiledProcedure) else compile_procedure(procedure)
    names = compiled.context_names  # only the names some formula reads
    if context is not None:
        given = context_values(compiled.context, context)
        names = {name: given[name] for name in names}
    fast = compiled.fast
    results = None
    if fast is not None:
        values, results = _fast(compiled, fast, inputs, names, today)
    if results is None:  # the exact path: also the one that reports every error
        values = validate_inputs(compiled, inputs)
        if names:
            values.update(names)
        run = Run(values, compiled.tables, today)
        with localcontext(CONTEXT):
            for step in compiled.steps:
                _run_step(step, run)
            results = [evaluate_rule(rule, run) for rule in compiled.rules]
    for name in names:  # read by formulas, not values of the record
        values.pop(name)
    failed: list[str] = []
    for result in results:
        if result.applicable and result.passed is False and result.label not in failed:
            failed.append(result.label)
    conclusion = FAIL if failed else PASS
    kinds = compiled.document_kinds
    kind = kinds.get("always") or kinds["fail" if failed else "pass"]
    return ComputeResult(values, conclusion, failed, results, kind)


def _fast(
    compiled: CompiledProcedure, fast: FastPlan, inputs: Mapping[str, Any], names: dict[str, Any],
    today: datetime.date | None,
) -> tuple[dict[str, Any] | None, list[RuleResult] | None]:
    """The values and rule results from the generated plan, or (None, None) where it gives up
    (then compute() starts again on the exact path, so every error is reported as there)."""
    values = None
    if fast.read is not None:
        try:
            values = fast.read(inputs)
        except Exception:  # noqa: BLE001 - not the plain case; validate_inputs decides
            values = None
    if values is None:
        values = validate_inputs(compiled, inputs)  # raises InputError on bad inputs
    if not fast.within_budget(values):
        return None, None
    if names:
        values.update(names)
    previous = getcontext()
    setcontext(_thread_context())
    try:
        raw = fast.run(values, Run(values, compiled.tables, today, _UNCOUNTED))
        return values, [_rule_result(rule, found) for rule, found in zip(compiled.rules, raw)]
    except Exception:  # noqa: BLE001 - not the plain case; the exact path decides
        return None, None
    finally:
        setcontext(previous)


_local = threading.local()


def _thread_context() -> Context:
    """CONTEXT, copied once per thread (localcontext() would copy it on every record)."""
    context = getattr(_local, "context", None)
    if context is None:
        context = _local.context = CONTEXT.copy()
    context.clear_flags()
    return context


def _rule_result(rule: Rule, found: Any) -> RuleResult:
    """evaluate_rule's result from the (value, limit[, row]) the generated plan found."""
    if rule.each is None:
        if found is None:
            return rule_result(rule, False, None, None)
        value, limit = found
        compared = rounded(rule, value)
        return RuleResult(rule.id, rule.label, rule.operator, rule.method, rule.interval, True,
                          passes(rule.operator, compared, limit), value, limit, compared, None)
    outcomes = [outcome(rule, value, limit, row) for value, limit, row in found]
    failed = next((o for o in outcomes if not o.passed), None)
    return rule_result(rule, bool(outcomes), failed, outcomes)


def _run_step(step: Step, run: Run) -> None:
    program = step.program
    try:
        if step.grid is None:
            run.row = None
            run.env[step.key] = _one_value(execute(program, run))
            return
        for number, row in enumerate(run.env[step.grid], 1):
            run.row = row
            row[step.key] = _one_value(execute(program, run))
    except FormulaError as error:
        raise error.in_field(step.node, None if step.grid is None else number) from None


def _one_value(result: Value) -> Value:
    if isinstance(result, list):
        raise FormulaError(
            "type", gettext_noop("A formula field must give one value, not a list; aggregate it (SUM, AVERAGE, …)")
        )
    return result
