"""Bounds that keep parsing and evaluation small and fast, and the decimal context."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Context, DivisionByZero, InvalidOperation, Overflow

MAX_LENGTH = 4000  # characters in one formula
MAX_PAREN_DEPTH = 64  # nested parentheses (Excel allows 64 nested functions)
MAX_DEPTH = 120  # depth of the syntax tree (operator chains count too)
MAX_NODES = 2000  # nodes of the syntax tree
MAX_STEPS = 200_000  # evaluation steps (nodes visited + list elements touched) per evaluation
MAX_DIGITS = 40  # significant digits of a number literal or decimal input
PRECISION = 34  # significant digits of every arithmetic result
EMAX = 99  # |x| < 1e100 ...
EMIN = -99  # ... and results below 1e-99 underflow towards zero

CONTEXT = Context(
    prec=PRECISION,
    rounding=ROUND_HALF_EVEN,
    Emax=EMAX,
    Emin=EMIN,
    traps=[DivisionByZero, InvalidOperation, Overflow],
)
