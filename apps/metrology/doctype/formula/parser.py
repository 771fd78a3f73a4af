"""Source text → ``Formula`` (an immutable syntax tree plus what it refers to)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from . import nodes
from .compiled import Program, compile_formula
from .errors import FormulaError, gettext_noop
from .functions import FUNCTIONS, arity_text
from .grammar import GRAMMAR, TERMINAL_NAMES
from .grammar_cache import parser_cache_path
from .limits import MAX_DEPTH, MAX_LENGTH, MAX_NODES, MAX_PAREN_DEPTH
from .values import parse_decimal

FORMAT = 1
_PARSER = Lark(GRAMMAR, parser="lalr", maybe_placeholders=True, cache=parser_cache_path())
_STRUCTURE_RE = re.compile(r'[()"]')


@dataclass(frozen=True)
class Formula:
    """A parsed formula. ``names`` are the bare names it reads, ``columns`` the ``grid.column``
    references as (grid, column) pairs, ``tables`` the table references given as literal text in
    LOOKUP calls."""

    source: str
    ast: nodes.Node
    names: frozenset[str] = field(default=frozenset())
    columns: frozenset[tuple[str, str]] = field(default=frozenset())
    functions: frozenset[str] = field(default=frozenset())
    tables: frozenset[str] = field(default=frozenset())

    @cached_property
    def program(self) -> Program:
        """The formula compiled once for evaluation with every name read from the environment."""
        return compile_formula(self.ast, self.source)

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "source": self.source, "ast": nodes.to_json(self.ast)}

    @classmethod
    def from_json(cls, data: Any) -> Formula:
        """Rebuild a stored formula without re-parsing; the stored tree is validated, not trusted."""
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("source"), str):
            raise FormulaError("invalid_ast", gettext_noop("Not a stored formula of format 1"))
        ast = nodes.from_json(data.get("ast"))
        all_nodes = nodes.walk(ast)
        if len(all_nodes) > MAX_NODES:
            raise FormulaError("too_long", gettext_noop("The stored formula has too many parts"))
        for node in all_nodes:
            if isinstance(node, nodes.Call):
                _check_call(node.name, len(node.args), node.pos, data["source"])
        return _make(data["source"], ast, all_nodes)


def parse(source: str) -> Formula:
    """Parse a formula (a leading ``=`` is optional). Raises FormulaError, never anything else."""
    if not isinstance(source, str):
        raise FormulaError("type", gettext_noop("A formula must be text"))
    try:
        return _parse(source)
    except FormulaError:
        raise
    except RecursionError:
        raise FormulaError("too_deep", gettext_noop("The formula is nested too deeply")) from None
    except MemoryError:
        raise FormulaError("too_long", gettext_noop("The formula is too long")) from None
    except Exception as exc:  # noqa: BLE001 - the contract is: only FormulaError escapes
        raise FormulaError("syntax", gettext_noop("The formula cannot be read: {reason}"), reason=type(exc).__name__) from None


@lru_cache(maxsize=2048)
def parse_cached(source: str) -> Formula:
    return parse(source)


def _parse(source: str) -> Formula:
    text = _blank_leading_equals(source)
    _check_size(text)
    if not text.strip():
        raise FormulaError("syntax", gettext_noop("The formula is empty"), offset=0, source=source)
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, source) from None
    except LarkError as exc:
        raise FormulaError("syntax", gettext_noop("The formula cannot be read: {reason}"), reason=str(exc)[:200]) from None
    ast, all_nodes = _convert(tree, source)
    return _make(source, ast, all_nodes)


def _blank_leading_equals(source: str) -> str:
    stripped = source.lstrip()
    if stripped.startswith("="):
        index = len(source) - len(stripped)
        return source[:index] + " " + source[index + 1 :]
    return source


def _check_size(text: str) -> None:
    """Reject deep parentheses (scanning at most MAX_LENGTH characters) and then long formulas."""
    depth = 0
    in_string = False
    for match in _STRUCTURE_RE.finditer(text, 0, min(len(text), MAX_LENGTH + 1)):
        char = match.group()
        if char == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif char == "(":
            depth += 1
            if depth > MAX_PAREN_DEPTH:
                raise FormulaError(
                    "too_deep",
                    gettext_noop("Parentheses are nested more than {limit} levels deep"),
                    offset=match.start(),
                    source=text,
                    limit=MAX_PAREN_DEPTH,
                )
        else:
            depth -= 1
    if len(text) > MAX_LENGTH:
        raise FormulaError(
            "too_long",
            gettext_noop("The formula is longer than {limit} characters"),
            offset=MAX_LENGTH,
            source=text[: MAX_LENGTH + 1],
            limit=MAX_LENGTH,
        )


def _syntax_error(exc: UnexpectedInput, source: str) -> FormulaError:
    if isinstance(exc, UnexpectedCharacters):
        offset = exc.pos_in_stream
        char = source[offset] if offset < len(source) else ""
        shown = char if char.isprintable() and char != " " else repr(char)
        return FormulaError(
            "syntax", gettext_noop("Unexpected character {char}"), offset=offset, source=source, char=shown
        )
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        at_end = token.type == "$END"
        offset = len(source.rstrip()) if at_end else token.start_pos
        found = "the end of the formula" if at_end else f"“{token.value}”"
        expected = sorted(TERMINAL_NAMES.get(name, name) for name in exc.expected)
        return FormulaError(
            "syntax",
            gettext_noop("Unexpected {found}; expected {expected}"),
            offset=offset,
            source=source,
            found=found,
            expected=", ".join(expected),
        )
    offset = getattr(exc, "pos_in_stream", None) or len(source)
    return FormulaError("syntax", gettext_noop("The formula ends too early"), offset=offset, source=source)


def _convert(tree: Tree, source: str) -> tuple[nodes.Node, list[nodes.Node]]:
    """Turn lark's tree into ours without recursion, bounding depth and size."""
    built: list[tuple[nodes.Node, int]] = []
    all_nodes: list[nodes.Node] = []
    stack: list[tuple[Tree, bool]] = [(tree, False)]
    while stack:
        item, expanded = stack.pop()
        subtrees = _subtrees(item)
        if subtrees and not expanded:
            stack.append((item, True))
            stack.extend((sub, False) for sub in reversed(subtrees))
            continue
        parts = built[len(built) - len(subtrees) :] if subtrees else []
        if subtrees:
            del built[len(built) - len(subtrees) :]
        node = _build(item, [p[0] for p in parts], source)
        depth = 1 + max((p[1] for p in parts), default=0)
        if depth > MAX_DEPTH:
            raise FormulaError(
                "too_deep",
                gettext_noop("The formula is nested too deeply (more than {limit} levels of operators or functions)"),
                offset=node.pos,
                source=source,
                limit=MAX_DEPTH,
            )
        all_nodes.append(node)
        if len(all_nodes) > MAX_NODES:
            raise FormulaError(
                "too_long",
                gettext_noop("The formula has more than {limit} parts"),
                offset=node.pos,
                source=source,
                limit=MAX_NODES,
            )
        built.append((node, depth))
    return built[0][0], all_nodes


def _subtrees(item: Tree) -> list[Tree]:
    if item.data == "call":
        args = item.children[1]
        return list(args.children) if args is not None else []
    return [child for child in item.children if isinstance(child, Tree)]


def _build(item: Tree, args: list[nodes.Node], source: str) -> nodes.Node:
    kind = item.data
    tokens = [child for child in item.children if isinstance(child, Token)]
    first = tokens[0] if tokens else None
    if kind == "number":
        try:
            return nodes.Number(parse_decimal(first.value), first.start_pos)
        except ValueError:
            raise FormulaError(
                "too_large",
                gettext_noop("The number {number} is too large or has too many digits"),
                offset=first.start_pos,
                source=source,
                number=first.value[:50],
            ) from None
    if kind == "text":
        return nodes.Text(first.value[1:-1].replace('""', '"'), first.start_pos)
    if kind == "name":
        if first.value.upper() in ("TRUE", "FALSE"):
            return nodes.Logical(first.value.upper() == "TRUE", first.start_pos)
        return nodes.Name(first.value, first.start_pos)
    if kind == "column":
        return nodes.Column(tokens[0].value, tokens[1].value, first.start_pos)
    if kind == "call":
        name = first.value.upper()
        _check_call(name, len(args), first.start_pos, source, shown=first.value)
        return nodes.Call(name, tuple(args), first.start_pos)
    if kind == "unary":
        return nodes.Unary(first.value, args[0], first.start_pos)
    if kind == "binary":
        return nodes.Binary(first.value, args[0], args[1], first.start_pos)
    raise FormulaError("syntax", gettext_noop("Unexpected part of the formula"), offset=0, source=source)


def _check_call(name: str, count: int, offset: int, source: str, shown: str | None = None) -> None:
    spec = FUNCTIONS.get(name)
    if spec is None:
        raise FormulaError(
            "unknown_function",
            gettext_noop("Unknown function {name}"),
            offset=offset,
            source=source,
            name=shown or name,
        )
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        raise FormulaError(
            "arg_count",
            gettext_noop("{name} takes {expected} argument(s), got {count}"),
            offset=offset,
            source=source,
            name=name,
            expected=arity_text(spec),
            count=count,
        )


def _make(source: str, ast: nodes.Node, all_nodes: list[nodes.Node]) -> Formula:
    names = frozenset(n.name for n in all_nodes if isinstance(n, nodes.Name))
    columns = frozenset((n.grid, n.column) for n in all_nodes if isinstance(n, nodes.Column))
    calls = [n for n in all_nodes if isinstance(n, nodes.Call)]
    tables = frozenset(
        c.args[0].value for c in calls if c.name == "LOOKUP" and c.args and isinstance(c.args[0], nodes.Text)
    )
    return Formula(source, ast, names, columns, frozenset(c.name for c in calls), tables)
