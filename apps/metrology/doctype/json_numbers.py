"""The platform's one rule for numbers in JSON (docs/procedure-format.md, "Numbers").

Decimal numbers are written as strings ("20.05"), so that no binary float ever holds a measured
value. A JSON number with a fraction or an exponent (`5.0`, `1e3`) is refused, naming the number
and where it is; whole JSON numbers are accepted (counts, whole-number fields). Django-free.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .engine.problems import Problem, ProblemsError
from .formula import gettext_noop

FLOAT_TEMPLATE = gettext_noop('Write numbers in JSON as text, e.g. "{number}" instead of {number}')
_STRING_OR_NUMBER = re.compile(r'"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?')


class FloatInJson(ProblemsError):
    """The JSON text holds a number with a fraction or an exponent; `problems` has its position."""


def loads_without_floats(text: str, *, where: str | None = None) -> Any:
    """`json.loads(text)` that refuses the first float with FloatInJson (line and column of the number).
    JSONDecodeError and RecursionError pass through as from `json.loads`."""
    floats: list[str] = []

    def refuse(literal: str) -> None:
        floats.append(literal)

    value = json.loads(text, parse_float=refuse)
    if floats:
        line, column = _position_of_first_float(text)
        problem = Problem("json_number", FLOAT_TEMPLATE, {"number": floats[0]}, where=where, line=line,
                          column=column)
        raise FloatInJson([problem])
    return value


def _position_of_first_float(text: str) -> tuple[int | None, int | None]:
    for token in _STRING_OR_NUMBER.finditer(text):
        literal = token.group()
        if not literal.startswith('"') and any(mark in literal for mark in ".eE"):
            offset = token.start()
            return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
    return None, None
