"""The immutable syntax tree and its JSON form.

JSON form (one object per node, ``pos`` = 0-based offset into the source):
``{"type": "number", "value": "1.5", "pos": 0}``, ``{"type": "text", "value": "汽油", ...}``,
``{"type": "logical", "value": true, ...}``, ``{"type": "name", "name": "V_J", ...}``,
``{"type": "column", "grid": "runs", "column": "E", ...}``,
``{"type": "call", "name": "SUM", "args": [...], ...}``, ``{"type": "unary", "op": "-", "operand": {...}, ...}``,
``{"type": "binary", "op": "+", "left": {...}, "right": {...}, ...}``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Union

from .errors import FormulaError, gettext_noop
from .limits import MAX_DEPTH
from .records import Frozen
from .values import format_decimal, parse_decimal

BINARY_OPS = ("=", "<>", "<", ">", "<=", ">=", "&", "+", "-", "*", "/", "^")
UNARY_OPS = ("-", "+")
NAME_RE = re.compile(r"[^\W\d]\w*")


class Number(Frozen):
    __slots__ = ("value", "pos")
    value: Decimal
    pos: int


class Text(Frozen):
    __slots__ = ("value", "pos")
    value: str
    pos: int


class Logical(Frozen):
    __slots__ = ("value", "pos")
    value: bool
    pos: int


class Name(Frozen):
    __slots__ = ("name", "pos")
    name: str
    pos: int


class Column(Frozen):
    __slots__ = ("grid", "column", "pos")
    grid: str
    column: str
    pos: int


class Call(Frozen):
    __slots__ = ("name", "args", "pos")
    name: str
    args: tuple[Node, ...]
    pos: int


class Unary(Frozen):
    __slots__ = ("op", "operand", "pos")
    op: str
    operand: Node
    pos: int


class Binary(Frozen):
    __slots__ = ("op", "left", "right", "pos")
    op: str
    left: Node
    right: Node
    pos: int


Node = Union[Number, Text, Logical, Name, Column, Call, Unary, Binary]


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node) -> list[Node]:
    """All nodes, parents before children (iterative: depth is bounded, but keep it cheap)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out


def to_json(node: Node) -> dict[str, Any]:
    if isinstance(node, Number):
        return {"type": "number", "value": format_decimal(node.value), "pos": node.pos}
    if isinstance(node, Text):
        return {"type": "text", "value": node.value, "pos": node.pos}
    if isinstance(node, Logical):
        return {"type": "logical", "value": node.value, "pos": node.pos}
    if isinstance(node, Name):
        return {"type": "name", "name": node.name, "pos": node.pos}
    if isinstance(node, Column):
        return {"type": "column", "grid": node.grid, "column": node.column, "pos": node.pos}
    if isinstance(node, Call):
        return {"type": "call", "name": node.name, "args": [to_json(a) for a in node.args], "pos": node.pos}
    if isinstance(node, Unary):
        return {"type": "unary", "op": node.op, "operand": to_json(node.operand), "pos": node.pos}
    return {
        "type": "binary",
        "op": node.op,
        "left": to_json(node.left),
        "right": to_json(node.right),
        "pos": node.pos,
    }


def from_json(data: Any, depth: int = 0) -> Node:
    """Rebuild a node from its JSON form, validating every part (the data may be untrusted)."""
    if depth > MAX_DEPTH:
        raise _bad(gettext_noop("The stored formula is nested too deeply"), code="too_deep")
    if not isinstance(data, dict):
        raise _bad(gettext_noop("A stored formula node must be an object"))
    kind = data.get("type")
    pos = data.get("pos")
    if not isinstance(pos, int) or isinstance(pos, bool) or pos < 0:
        raise _bad(gettext_noop("A stored formula node has no valid position"))
    if kind == "number":
        try:
            return Number(parse_decimal(_string(data, "value")), pos)
        except ValueError:
            raise _bad(gettext_noop("A stored number is invalid")) from None
    if kind == "text":
        return Text(_string(data, "value"), pos)
    if kind == "logical":
        value = data.get("value")
        if not isinstance(value, bool):
            raise _bad(gettext_noop("A stored logical value is invalid"))
        return Logical(value, pos)
    if kind == "name":
        return Name(_identifier(data, "name"), pos)
    if kind == "column":
        return Column(_identifier(data, "grid"), _identifier(data, "column"), pos)
    if kind == "call":
        args = data.get("args")
        if not isinstance(args, list):
            raise _bad(gettext_noop("A stored function call has no argument list"))
        return Call(_string(data, "name"), tuple(from_json(a, depth + 1) for a in args), pos)
    if kind == "unary" and data.get("op") in UNARY_OPS:
        return Unary(data["op"], from_json(data.get("operand"), depth + 1), pos)
    if kind == "binary" and data.get("op") in BINARY_OPS:
        return Binary(data["op"], from_json(data.get("left"), depth + 1), from_json(data.get("right"), depth + 1), pos)
    raise _bad(gettext_noop("A stored formula node has an unknown type"))


def _string(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str):
        raise _bad(gettext_noop("A stored formula node lacks its text"))
    return value


def _identifier(data: dict[str, Any], key: str) -> str:
    value = _string(data, key)
    if not NAME_RE.fullmatch(value):
        raise _bad(gettext_noop("A stored name is not a valid name"))
    return value


def _bad(template: str, code: str = "invalid_ast") -> FormulaError:
    return FormulaError(code, template)
