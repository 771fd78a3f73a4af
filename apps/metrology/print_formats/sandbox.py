"""The only Jinja environment layouts are rendered with: sandboxed, escaping, strict.

docxtpl's default renders an uploaded layout with a plain Jinja Template, which runs code from the
file (TECH-NOTES §2); every render here passes this environment instead.
"""

from __future__ import annotations

from jinja2 import StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

ALLOWED_FILTERS = ("default", "join", "length", "upper", "lower", "trim", "replace", "first", "last", "e",
                   "escape", "string", "round", "abs")


def layout_environment(*, xml: bool = True) -> ImmutableSandboxedEnvironment:
    """`xml`: values land inside Word's XML and must be escaped; Excel cells are escaped by openpyxl."""
    env = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=xml, keep_trailing_newline=True)
    env.filters = {name: env.filters[name] for name in ALLOWED_FILTERS if name in env.filters}
    env.globals = {}
    env.tests = {name: env.tests[name] for name in ("defined", "none", "number", "string") if name in env.tests}
    return env
