"""What a layout's Jinja source refers to, and the constructs it is refused for.

Layouts may only read values: names, a grid row's columns inside a loop over the grid, `loop.*`,
and a few filters. Attribute access elsewhere, calls, imports and macros are how template
injection reaches Python objects (`{{ ''.__class__.__mro__ }}`), so they are refused at upload.
So are expressions that make the server work without bound (#8): powers, repetition of text or lists,
big multipliers, long literal lists, loops over anything but a grid, loops nested deeper than two, `set`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from metrology.print_formats.sandbox import ALLOWED_FILTERS

TAG = re.compile(r"<[^>]+>")
LOOP_ATTRIBUTES = {"index", "index0", "first", "last", "length", "revindex", "revindex0"}
REFUSED_KINDS = {nodes.Call: "call", nodes.Getitem: "item", nodes.Import: "import", nodes.FromImport: "import",
                 nodes.Include: "include", nodes.Extends: "extends", nodes.Macro: "macro", nodes.CallBlock: "macro"}
REFUSED_NODES = tuple(REFUSED_KINDS)
MAX_LITERAL_ITEMS = 20
MAX_MULTIPLIER = 1_000
MAX_LOOP_DEPTH = 2
UNKNOWN_TAG = re.compile(r"unknown tag '([^']+)'")


@dataclass(frozen=True, order=True)
class Refusal:
    """A construct refused for safety: its kind (call, item, import, include, extends, macro,
    attribute, filter, private_name), what the author wrote, and the attribute or filter named."""

    kind: str
    written: str
    named: str = ""


@dataclass(frozen=True)
class SyntaxProblem:
    """Why a placeholder or tag cannot be read (unclosed, unknown_tag, unreadable) and the text near it."""

    kind: str
    near: str
    tag: str = ""


@dataclass
class LayoutReferences:
    names: set[str] = field(default_factory=set)
    columns: dict[str, set[str]] = field(default_factory=dict)  # grid → columns read in its loops
    refused: list[Refusal] = field(default_factory=list)
    costly: list[str] = field(default_factory=list)  # expressions that could work without bound


def analyse(env: ImmutableSandboxedEnvironment, source: str, references: LayoutReferences) -> None:
    """Add what `source` reads to `references`; a syntax error propagates as TemplateSyntaxError."""
    _walk(env.parse(source), {}, references)


def _walk(node: nodes.Node, loops: dict[str, str], refs: LayoutReferences) -> None:
    if isinstance(node, REFUSED_NODES):
        refs.refused.append(Refusal(REFUSED_KINDS[type(node)], _expression(node)))
        return
    if _costly(node, loops):
        refs.costly.append(_expression(node))
        return
    if isinstance(node, nodes.For):
        _walk(node.iter, loops, refs)
        inner = dict(loops)
        if isinstance(node.target, nodes.Name) and isinstance(node.iter, nodes.Name):
            inner[node.target.name] = node.iter.name
        for child in [*node.body, *node.else_, *([node.test] if node.test else [])]:
            _walk(child, inner, refs)
        return
    if isinstance(node, nodes.Getattr):
        _attribute(node, loops, refs)
        return
    if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS:
        refs.refused.append(Refusal("filter", _expression(node), node.name))
    if isinstance(node, nodes.Name) and node.ctx == "load":
        _name(node.name, loops, refs)
    for child in node.iter_child_nodes():
        _walk(child, loops, refs)


def _costly(node: nodes.Node, loops: dict[str, str]) -> bool:
    if isinstance(node, (nodes.Pow, nodes.Assign, nodes.AssignBlock)):
        return True
    if isinstance(node, nodes.Mul):
        return any(_repeats(operand) for operand in (node.left, node.right))
    if isinstance(node, nodes.Mod):
        return isinstance(node.left, nodes.Const) and isinstance(node.left.value, str)
    if isinstance(node, (nodes.List, nodes.Tuple, nodes.Dict)):
        return len(node.items) > MAX_LITERAL_ITEMS
    if isinstance(node, nodes.For):
        return not isinstance(node.iter, nodes.Name) or len(loops) >= MAX_LOOP_DEPTH
    return False


def _repeats(operand: nodes.Node) -> bool:
    """A multiplication that repeats text or a list, or multiplies by a big literal."""
    if isinstance(operand, (nodes.List, nodes.Tuple, nodes.Dict, nodes.Concat)):
        return True
    if isinstance(operand, nodes.Const):
        value = operand.value
        return isinstance(value, str) or (isinstance(value, (int, float)) and abs(value) > MAX_MULTIPLIER)
    return False


def _expression(node: nodes.Node) -> str:
    """The expression as the author wrote it, near enough to find it in the document."""
    if isinstance(node, nodes.For):
        return f"{{% for {_expression(node.target)} in {_expression(node.iter)} %}}"
    if isinstance(node, (nodes.Assign, nodes.AssignBlock)):
        return f"{{% set {_expression(node.target)} … %}}"
    if isinstance(node, nodes.BinExpr):
        return f"{_operand(node.left)} {node.operator} {_operand(node.right)}"
    if isinstance(node, nodes.Const):
        text = repr(node.value) if isinstance(node.value, str) else str(node.value)
        return text if len(text) <= 30 else text[:27] + "…"
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_expression(node.node)}.{node.attr}"
    if isinstance(node, (nodes.List, nodes.Tuple)):
        shown = ", ".join(_expression(item) for item in node.items[:3])
        return f"[{shown}, …]" if len(node.items) > 3 else f"[{shown}]"
    if isinstance(node, nodes.Dict):
        return "{…}"
    return _refused_expression(node)


def _refused_expression(node: nodes.Node) -> str:
    """A refused construct as written, its arguments left out."""
    if isinstance(node, nodes.Call):
        return f"{_expression(node.node)}(…)"
    if isinstance(node, nodes.Getitem):
        return f"{_expression(node.node)}[{_expression(node.arg)}]"
    if isinstance(node, nodes.Filter):
        return f"{_expression(node.node)} | {node.name}" if node.node is not None else f"| {node.name}"
    if isinstance(node, nodes.Import):
        return f"{{% import {_expression(node.template)} as {node.target} %}}"
    if isinstance(node, nodes.FromImport):
        return f"{{% from {_expression(node.template)} import … %}}"
    if isinstance(node, (nodes.Include, nodes.Extends)):
        tag = "include" if isinstance(node, nodes.Include) else "extends"
        return f"{{% {tag} {_expression(node.template)} %}}"
    if isinstance(node, nodes.Macro):
        return f"{{% macro {node.name}(…) %}}"
    if isinstance(node, nodes.CallBlock):
        return f"{{% call {_expression(node.call)} %}}"
    return "…"


def _operand(node: nodes.Node) -> str:
    return f"({_expression(node)})" if isinstance(node, nodes.BinExpr) else _expression(node)


def _attribute(node: nodes.Getattr, loops: dict[str, str], refs: LayoutReferences) -> None:
    owner = node.node
    if isinstance(owner, nodes.Name) and owner.name in loops and not node.attr.startswith("_"):
        refs.columns.setdefault(loops[owner.name], set()).add(node.attr)
    elif isinstance(owner, nodes.Name) and owner.name == "loop" and node.attr in LOOP_ATTRIBUTES:
        return
    else:
        refs.refused.append(Refusal("attribute", _expression(node), node.attr))


def _name(name: str, loops: dict[str, str], refs: LayoutReferences) -> None:
    if name.startswith("_"):
        refs.refused.append(Refusal("private_name", name))
    elif name not in loops and name != "loop":
        refs.names.add(name)


def syntax_problem(error: TemplateSyntaxError, source: str) -> SyntaxProblem:
    """What kind of mistake it is, with the text around it (tags stripped) to find it in Word."""
    lines = source.splitlines()
    line = lines[error.lineno - 1] if error.lineno and error.lineno <= len(lines) else ""
    near = TAG.sub("", line).strip()[:80]
    message = error.message or ""
    unknown = UNKNOWN_TAG.search(message)
    if unknown:
        return SyntaxProblem("unknown_tag", near, unknown.group(1))
    if "end of template" in message:
        return SyntaxProblem("unclosed", near)
    return SyntaxProblem("unreadable", near)
