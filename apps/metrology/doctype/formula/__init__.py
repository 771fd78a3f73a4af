"""The formula language: Excel-like expressions over exact decimals, in a true sandbox.

No Django, no ``eval``: a small hand-written parser turns the text into an immutable syntax tree
(``nodes``), compiled once into closures (``compiled``; the exact path) and, inside a procedure,
into generated Python for plain records (``transpile``; the fast path). Both call the same
function definitions (``functions.FUNCTIONS``). Nothing but the whitelisted functions can be
called and no Python object is reachable.

Public API::

    parse(source: str) -> Formula
        Leading "=" optional. Formula has .source, .ast, .names (bare names read),
        .columns ((grid, column) pairs read as grid.column), .functions, .tables (literal
        LOOKUP table references), .to_json() and Formula.from_json(data).
        Unknown functions and wrong argument counts are refused here.
    check(formula, known_names, *, grid_columns=None, tables=None) -> list[FormulaError]
        Save-time problems (unknown names, bare grid references, unknown tables, LOOKUP key counts).
    evaluate(formula | source, env, *, tables=None, today=None) -> Value
        env maps names to values; a grid is a list of row dicts read as grid.column.
    order(formulas: dict[key, Formula]) -> list[key]
        Evaluation order; FormulaError("cycle") names the fields in the cycle.
    topological_order(deps: dict[key, set[key]]) -> list[key]
    round_gb(value, interval) -> Decimal      GB/T 8170 round-half-even at any interval
    compile_tables(list_of_table_dicts) -> dict[name, LimitTable]

Values: Decimal, str, bool, datetime.date, None (blank), list (a grid column). Blank propagates
through arithmetic and scalar functions; aggregates skip blanks. Every failure is a
``FormulaError`` with ``code``, ``message``, ``template``/``params`` (for translation),
``line``/``column``/``offset`` and, inside a procedure, ``field``/``row``.

Operators, lowest precedence first: ``= <> < > <= >=``, ``&``, ``+ -``, ``* /``, ``^`` (left-
associative, as in Excel), unary ``- +`` (binds tighter than ``^``: ``-2^2`` is 4, as in Excel).
Functions: IF (lazy; without a third argument a false condition gives blank), AND, OR, NOT, ABS,
SQRT, POWER, SUM, AVERAGE, MIN, MAX, COUNT, STDEV, RANGE, MAXABS, ROUND, ROUNDUP, ROUNDGB,
LOOKUP("table"|"table.column", keys...), EDATE, TODAY.
"""

from __future__ import annotations

from .dependencies import check, order, topological_order
from .errors import FormulaError, gettext_noop
from .evaluator import evaluate
from .functions import FUNCTIONS
from .parser import Formula, parse, parse_cached
from .rounding import round_gb, round_half_up, round_up
from .tables import LimitTable, compile_table, compile_tables
from .values import Value, format_decimal, parse_decimal

__all__ = [
    "FUNCTIONS",
    "Formula",
    "FormulaError",
    "LimitTable",
    "Value",
    "check",
    "compile_table",
    "compile_tables",
    "evaluate",
    "format_decimal",
    "gettext_noop",
    "order",
    "parse",
    "parse_cached",
    "parse_decimal",
    "round_gb",
    "round_half_up",
    "round_up",
    "topological_order",
]
