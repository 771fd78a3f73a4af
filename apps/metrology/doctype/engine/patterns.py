"""An author's `pattern` for a text field, bounded (#8).

Python's `re` backtracks without limit: `(a+)+$` on 10,000 characters never ends. At save time a
pattern that repeats a repeated part or refers back to a group is refused (the usual shapes of
catastrophic backtracking); at entry time the match runs with the `regex` package's timeout, so a
shape the save-time check misses still gives up after PATTERN_TIMEOUT seconds.
"""

from __future__ import annotations

import re
from re import _parser as sre_parse  # the standard library's own parser of patterns
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import regex

PATTERN_TIMEOUT = 0.25  # seconds a single match may run
REPEATS = {sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, getattr(sre_parse, "POSSESSIVE_REPEAT", None)} - {None}
BACKREFERENCES = {sre_parse.GROUPREF, sre_parse.GROUPREF_EXISTS}


class PatternRefused(ValueError):
    """`code`: "invalid", "nested" (an unbounded repetition inside a repeated part) or "backreference"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


class PatternTimeout(Exception):
    """The match did not finish in PATTERN_TIMEOUT seconds."""


def compile_pattern(raw: Any) -> regex.Pattern:
    import regex  # only procedures with a pattern pay for it (a command-line compute does not, #7)

    if not isinstance(raw, str):
        raise PatternRefused("invalid")
    try:
        parsed = sre_parse.parse(raw)
        compiled = regex.compile(raw, flags=regex.VERSION0)
    except (re.error, regex.error, TypeError, ValueError, OverflowError, RecursionError):
        raise PatternRefused("invalid") from None
    _check(parsed, inside_repeat=False)
    return compiled


def pattern_fullmatch(pattern: regex.Pattern, text: str) -> bool:
    """Whether the whole text matches; PatternTimeout when the match takes too long."""
    try:
        return pattern.fullmatch(text, timeout=PATTERN_TIMEOUT) is not None
    except TimeoutError:
        raise PatternTimeout from None


def _check(items, *, inside_repeat: bool) -> None:
    for op, argument in items:
        if op in BACKREFERENCES:
            raise PatternRefused("backreference")
        if op in REPEATS:
            _low, high, body = argument
            if inside_repeat and high is sre_parse.MAXREPEAT:
                raise PatternRefused("nested")
            _check(body, inside_repeat=inside_repeat or high is sre_parse.MAXREPEAT or high > 1)
        else:
            for child in _children(op, argument):
                _check(child, inside_repeat=inside_repeat)


def _children(op, argument) -> list:
    if op is sre_parse.SUBPATTERN:
        return [argument[-1]]
    if op is sre_parse.BRANCH:
        return list(argument[1])
    if op in (sre_parse.ASSERT, sre_parse.ASSERT_NOT):
        return [argument[1]]
    if op is getattr(sre_parse, "ATOMIC_GROUP", None):
        return [argument]
    return []
