"""Evaluation of a parsed formula with exact decimals (its compiled closures, see ``compiled``)."""

from __future__ import annotations

import datetime
from decimal import Decimal, localcontext
from typing import Any, Mapping

from .compiled import Program, Run
from .errors import FormulaError, gettext_noop
from .limits import CONTEXT, MAX_STEPS
from .parser import Formula, parse_cached
from .tables import LimitTable, compile_tables
from .values import Value

INTERNAL = gettext_noop("The formula could not be computed because of an error in the platform")


def evaluate(
    formula: Formula | str,
    env: Mapping[str, Any],
    *,
    tables: Mapping[str, LimitTable] | list[dict[str, Any]] | None = None,
    today: datetime.date | None = None,
    max_steps: int = MAX_STEPS,
) -> Value:
    """Evaluate ``formula`` with names bound by ``env``.

    A grid is bound as a list of row objects (``env["runs"] = [{"E": Decimal(...)}, ...]``) and read
    as ``runs.E``. Raises FormulaError (with the position in the formula) and nothing else.
    """
    if isinstance(formula, str):
        formula = parse_cached(formula)
    try:
        run = Run(env, compile_tables(tables), today or datetime.date.today(), max_steps)
    except FormulaError:
        raise
    except Exception:  # noqa: BLE001 - only FormulaError may escape
        raise FormulaError("internal", INTERNAL) from None
    with localcontext(CONTEXT):
        return execute(formula.program, run)


def execute(program: Program, run: Run) -> Value:
    """Run a compiled formula with a fresh step budget; the caller enters the decimal CONTEXT."""
    try:
        run.steps = 0
        if program.cost > run.max_steps:
            run.count_steps(program.cost)  # raises
        run.steps = program.cost
        result = program.root(run)
    except FormulaError:
        raise
    except RecursionError:
        raise FormulaError("too_deep", gettext_noop("The formula is nested too deeply")) from None
    except MemoryError:
        raise FormulaError("too_large", gettext_noop("The computation needs too much memory")) from None
    except Exception:  # noqa: BLE001 - only FormulaError may escape
        raise FormulaError("internal", INTERNAL) from None
    if result.__class__ is Decimal or isinstance(result, Decimal):
        return result.copy_abs() if result.is_zero() else result
    return result
