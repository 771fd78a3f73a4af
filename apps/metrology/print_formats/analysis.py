"""What a layout's Jinja source refers to, and the constructs it is refused for.

Layouts may only read values: names, a grid row's columns inside a loop over the grid, `loop.*`,
and a few filters. Attribute access elsewhere, calls, imports and macros are how template
injection reaches Python objects (`{{ ''.__class__.__mro__ }}`), so they are refused at upload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from metrology.print_formats.sandbox import ALLOWED_FILTERS

TAG = re.compile(r"<[^>]+>")
LOOP_ATTRIBUTES = {"index", "index0", "first", "last", "length", "revindex", "revindex0"}
REFUSED_NODES = (nodes.Call, nodes.Getitem, nodes.Import, nodes.FromImport, nodes.Include, nodes.Extends,
                 nodes.Macro, nodes.CallBlock)


@dataclass
class LayoutReferences:
    names: set[str] = field(default_factory=set)
    columns: dict[str, set[str]] = field(default_factory=dict)  # grid → columns read in its loops
    refused: list[str] = field(default_factory=list)


def analyse(env: ImmutableSandboxedEnvironment, source: str, references: LayoutReferences) -> None:
    """Add what `source` reads to `references`; a syntax error propagates as TemplateSyntaxError."""
    _walk(env.parse(source), {}, references)


def _walk(node: nodes.Node, loops: dict[str, str], refs: LayoutReferences) -> None:
    if isinstance(node, REFUSED_NODES):
        refs.refused.append(f"{type(node).__name__} ({_text(node)})")
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
        refs.refused.append(f"filter {node.name}")
    if isinstance(node, nodes.Name) and node.ctx == "load":
        _name(node.name, loops, refs)
    for child in node.iter_child_nodes():
        _walk(child, loops, refs)


def _attribute(node: nodes.Getattr, loops: dict[str, str], refs: LayoutReferences) -> None:
    owner = node.node
    if isinstance(owner, nodes.Name) and owner.name in loops and not node.attr.startswith("_"):
        refs.columns.setdefault(loops[owner.name], set()).add(node.attr)
    elif isinstance(owner, nodes.Name) and owner.name == "loop" and node.attr in LOOP_ATTRIBUTES:
        return
    else:
        refs.refused.append(f"attribute .{node.attr}")


def _name(name: str, loops: dict[str, str], refs: LayoutReferences) -> None:
    if name.startswith("_"):
        refs.refused.append(f"name {name}")
    elif name not in loops and name != "loop":
        refs.names.add(name)


def _text(node: nodes.Node) -> str:
    return getattr(node, "name", None) or getattr(node, "attr", None) or type(node).__name__


def syntax_error_text(error: TemplateSyntaxError, source: str) -> str:
    """The error with the text around it (tags stripped), so an author can find it in Word."""
    lines = source.splitlines()
    line = lines[error.lineno - 1] if error.lineno and error.lineno <= len(lines) else ""
    return f"{error.message}: {TAG.sub('', line).strip()[:80]}"
