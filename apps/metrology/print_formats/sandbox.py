"""The only Jinja environment layouts are rendered with: sandboxed, escaping, strict, bounded.

docxtpl's default renders an uploaded layout with a plain Jinja Template, which runs code from the
file (TECH-NOTES §2); every render here passes this environment instead. `*`, `**` and `%` are
intercepted (which also stops Jinja folding `9**(9**9)` while compiling), so no single operation
makes a huge number, text or list (#8); the render worker's CPU and memory limits bound the rest.
"""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

ALLOWED_FILTERS = ("default", "join", "length", "upper", "lower", "trim", "replace", "first", "last", "e",
                   "escape", "string", "round", "abs")
MAX_RESULT_LENGTH = 100_000  # characters or items one operation may produce
MAX_INTEGER_BITS = 4_096     # about 1,200 decimal digits
SIZED = (str, bytes, list, tuple)


class RenderLimitExceeded(SecurityError):
    """One operation of the layout would make a result too large; `expression` shows which."""

    def __init__(self, expression: str):
        super().__init__(expression)
        self.expression = expression


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context, op: str, left: Any, right: Any) -> Any:
        if op == "**":
            _check_power(left, right)
        elif op == "*":
            _check_product(left, right)
        elif op == "%" and isinstance(left, str):
            raise RenderLimitExceeded(f"{_short(left)} % …")  # printf formatting pads to any width
        result = self.binop_table[op](left, right)
        if isinstance(result, int) and not isinstance(result, bool) and result.bit_length() > MAX_INTEGER_BITS:
            raise RenderLimitExceeded(f"{_short(left)} {op} {_short(right)}")
        return result


def _check_power(base: Any, exponent: Any) -> None:
    if not isinstance(base, (int, float)) or not isinstance(exponent, (int, float)):
        return
    if abs(exponent) > 64 and abs(base) not in (0, 1):
        raise RenderLimitExceeded(f"{_short(base)} ** {_short(exponent)}")
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 \
            and abs(base).bit_length() * exponent > MAX_INTEGER_BITS:
        raise RenderLimitExceeded(f"{_short(base)} ** {_short(exponent)}")


def _check_product(left: Any, right: Any) -> None:
    for sized, count in ((left, right), (right, left)):
        if isinstance(sized, SIZED) and isinstance(count, int) and len(sized) * count > MAX_RESULT_LENGTH:
            raise RenderLimitExceeded(f"{_short(left)} * {_short(right)}")
    if isinstance(left, int) and isinstance(right, int) \
            and abs(left).bit_length() + abs(right).bit_length() > MAX_INTEGER_BITS:
        raise RenderLimitExceeded(f"{_short(left)} * {_short(right)}")


def _short(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value) if not isinstance(value, SIZED) else \
        f"[…{len(value)}]"
    return text if len(text) <= 20 else text[:17] + "…"


def layout_environment(*, xml: bool = True) -> BoundedEnvironment:
    """`xml`: values land inside Word's XML and must be escaped; Excel cells are escaped by openpyxl."""
    env = BoundedEnvironment(undefined=StrictUndefined, autoescape=xml, keep_trailing_newline=True)
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS if name in env.filters}
    env.globals = {}
    env.tests = {name: env.tests[name] for name in ("defined", "none", "number", "string") if name in env.tests}
    return env
