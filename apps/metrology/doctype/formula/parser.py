"""Source text → ``Formula`` (an immutable syntax tree plus what it refers to).

A hand-written precedence-climbing parser over a regular-expression tokenizer: the grammar is small
(see ``nodes``), so every syntax error can say in a whole sentence what is wrong where, and a
command-line compute does not pay for loading a parser generator (#7).

Precedence, lowest first: ``= <> < > <= >=``, ``&``, ``+ -``, ``* /``, ``^`` (all left-associative,
as in Excel), unary ``- +`` (binds tighter than ``^``: ``-2^2`` is 4). Atoms: numbers, texts in
double quotes (``""`` is a quote), names, ``grid.column``, ``NAME(arguments)`` and parentheses.
"""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import Any

from . import nodes
from .compiled import Program, compile_formula
from .errors import FormulaError, gettext_noop
from .functions import FUNCTIONS, arity_error
from .limits import MAX_DEPTH, MAX_LENGTH, MAX_NODES, MAX_PAREN_DEPTH
from .values import parse_decimal

FORMAT = 1
_STRUCTURE_RE = re.compile(r'[()"]')
_TOKEN_RE = re.compile(
    r"""(?P<space>\s+)
      | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
      | (?P<text>"(?:[^"]|"")*")
      | (?P<name>[^\W\d]\w*)
      | (?P<op><>|<=|>=|[-=<>&+*/^(),.])""",
    re.VERBOSE,
)
_BINARY_LEVEL = {"=": 0, "<>": 0, "<": 0, ">": 0, "<=": 0, ">=": 0, "&": 1, "+": 2, "-": 2, "*": 3, "/": 3, "^": 4}
# Full-width symbols typed with a Chinese input method, and the half-width ones formulas use.
_HALF_WIDTH = {"（": "(", "）": ")", "，": ",", "＋": "+", "－": "-", "＊": "*", "／": "/", "＝": "=", "＜": "<",
               "＞": ">", "＆": "&", "＾": "^", "．": "."}
_END = ("end", "", -1)


class Formula:
    """A parsed formula. ``names`` are the bare names it reads, ``columns`` the ``grid.column``
    references as (grid, column) pairs, ``tables`` the table references given as literal text in
    LOOKUP calls. Immutable by convention; ``program`` is compiled on first use."""

    __slots__ = ("source", "ast", "names", "columns", "functions", "tables", "__dict__")

    def __init__(
        self,
        source: str,
        ast: nodes.Node,
        names: frozenset[str] = frozenset(),
        columns: frozenset[tuple[str, str]] = frozenset(),
        functions: frozenset[str] = frozenset(),
        tables: frozenset[str] = frozenset(),
    ) -> None:
        self.source = source
        self.ast = ast
        self.names = names
        self.columns = columns
        self.functions = functions
        self.tables = tables

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Formula) and (self.source, self.ast) == (other.source, other.ast)

    def __hash__(self) -> int:
        return hash((self.source, self.ast))

    def __repr__(self) -> str:
        return f"Formula({self.source!r})"

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
    except Exception:  # noqa: BLE001 - the contract is: only FormulaError escapes
        raise FormulaError("syntax", gettext_noop("The formula cannot be read")) from None


@lru_cache(maxsize=2048)
def parse_cached(source: str) -> Formula:
    return parse(source)


def _parse(source: str) -> Formula:
    text = _blank_leading_equals(source)
    _check_size(text)
    if not text.strip():
        raise FormulaError("syntax", gettext_noop("The formula is empty"), offset=0, source=source)
    parser = _Parser(source, _tokens(text, source))
    ast = parser.formula()
    if parser.first_error is not None:  # found while building, reported once the syntax is known good
        raise parser.first_error
    return _make(source, ast, parser.all_nodes)


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


def _tokens(text: str, source: str) -> list[tuple[str, str, int]]:
    """(kind, text, offset) of every token, then an end token; FormulaError at a character that
    starts no token."""
    out = []
    position = 0
    while position < len(text):
        match = _TOKEN_RE.match(text, position)
        if match is None:
            raise _character_error(text, position, source)
        kind = match.lastgroup
        if kind != "space":
            out.append((kind, match.group(), position))
        position = match.end()
    out.append(("end", "", len(source.rstrip())))
    return out


def _character_error(text: str, offset: int, source: str) -> FormulaError:
    char = text[offset]
    if char == '"':
        return FormulaError("syntax", gettext_noop("This text has no closing double quote"), offset=offset,
                            source=source)
    if char in "“”‘’":
        template = gettext_noop('Write a text in half-width double quotes, like "汽油", not in “ ”')
        return FormulaError("syntax", template, offset=offset, source=source)
    if char in ";；":
        template = gettext_noop("Separate the arguments of a function with a half-width comma “,”, not “{char}”")
        return FormulaError("syntax", template, offset=offset, source=source, char=char)
    if char in _HALF_WIDTH:
        return FormulaError("syntax", gettext_noop("Use the half-width “{half}” instead of “{char}”"), offset=offset,
                            source=source, char=char, half=_HALF_WIDTH[char])
    shown = char if char.isprintable() else f"U+{ord(char):04X}"
    return FormulaError("syntax", gettext_noop("Unexpected character “{char}”"), offset=offset, source=source,
                        char=shown)


class _Parser:
    """Recursive descent over the token list. Nodes are built children first (the order a
    post-order walk visits them), and the first size, number or function problem met is kept in
    ``first_error`` while the rest of the formula is still read for syntax errors."""

    def __init__(self, source: str, tokens: list[tuple[str, str, int]]) -> None:
        self.source = source
        self.tokens = tokens
        self.index = 0
        self.all_nodes: list[nodes.Node] = []
        self.depths: dict[int, int] = {}  # id(node) → depth of its subtree
        self.first_error: FormulaError | None = None

    # -- tokens -----------------------------------------------------------------------------

    @property
    def token(self) -> tuple[str, str, int]:
        return self.tokens[self.index]

    def is_op(self, *ops: str) -> bool:
        kind, text, _ = self.tokens[self.index]
        return kind == "op" and text in ops

    def advance(self) -> tuple[str, str, int]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def syntax(self, template: str, token: tuple[str, str, int] | None = None, **params: Any) -> FormulaError:
        offset = (token or self.token)[2]
        return FormulaError("syntax", template, offset=offset, source=self.source, **params)

    # -- grammar ----------------------------------------------------------------------------

    def formula(self) -> nodes.Node:
        node = self.expression(0)
        kind, text, _ = self.token
        if kind == "end":
            return node
        if text == ")":
            raise self.syntax(gettext_noop("This “)” has no matching “(”"))
        raise self.unexpected_after_value()

    def expression(self, lowest: int) -> nodes.Node:
        """Operators at precedence ``lowest`` and above, left-associative."""
        left = self.unary()
        while True:
            kind, text, pos = self.token
            level = _BINARY_LEVEL.get(text) if kind == "op" else None
            if level is None or level < lowest:
                return left
            self.advance()
            right = self.expression(level + 1)
            left = self.built(nodes.Binary(text, left, right, pos), left, right)

    def unary(self) -> nodes.Node:
        signs = []
        while self.is_op("-", "+"):
            signs.append(self.advance())
        node = self.atom()
        for _kind, op, pos in reversed(signs):
            node = self.built(nodes.Unary(op, node, pos), node)
        return node

    def atom(self) -> nodes.Node:
        kind, text, pos = self.token
        if kind == "number":
            self.advance()
            return self.built(self.number(text, pos))
        if kind == "text":
            self.advance()
            return self.built(nodes.Text(text[1:-1].replace('""', '"'), pos))
        if kind == "name":
            self.advance()
            return self.named(text, pos)
        if kind == "op" and text == "(":
            self.advance()
            node = self.expression(0)
            self.close()
            return node
        raise self.missing_value()

    def named(self, name: str, pos: int) -> nodes.Node:
        if self.is_op("("):
            self.advance()
            args = self.arguments()
            upper = name.upper()
            self.check(lambda: _check_call(upper, len(args), pos, self.source, shown=name))
            return self.built(nodes.Call(upper, tuple(args), pos), *args)
        if self.is_op("."):
            self.advance()
            kind, column, _ = self.token
            if kind != "name":
                raise self.syntax(gettext_noop("A column name must follow “.”"))
            self.advance()
            return self.built(nodes.Column(name, column, pos))
        if name.upper() in ("TRUE", "FALSE"):
            return self.built(nodes.Logical(name.upper() == "TRUE", pos))
        return self.built(nodes.Name(name, pos))

    def arguments(self) -> list[nodes.Node]:
        if self.is_op(")"):
            self.advance()
            return []
        args = [self.expression(0)]
        while self.is_op(","):
            self.advance()
            args.append(self.expression(0))
        self.close()
        return args

    def close(self) -> None:
        if self.is_op(")"):
            self.advance()
            return
        if self.token[0] == "end":
            raise self.syntax(gettext_noop("A “)” is missing at the end of the formula"))
        raise self.unexpected_after_value()

    def unexpected_after_value(self) -> FormulaError:
        if self.is_op(","):
            return self.syntax(gettext_noop("A comma can only separate the arguments of a function"))
        return self.syntax(gettext_noop("An operator is missing before {found}"), found=_shown(self.token[1]))

    def missing_value(self) -> FormulaError:
        kind, text, _ = self.token
        if kind == "end":
            return self.syntax(gettext_noop(
                "The formula ends where a value is expected (a number, a name, a text in double quotes or “(”)"))
        return self.syntax(gettext_noop(
            "A value is expected here (a number, a name, a text in double quotes or “(”), not {found}"),
            found=_shown(text))

    # -- nodes ------------------------------------------------------------------------------

    def number(self, text: str, pos: int) -> nodes.Node:
        try:
            return nodes.Number(parse_decimal(text), pos)
        except ValueError:
            self.keep(FormulaError(
                "too_large",
                gettext_noop("The number {number} is too large or has too many digits"),
                offset=pos,
                source=self.source,
                number=text[:50],
            ))
            return nodes.Number(parse_decimal("0"), pos)

    def built(self, node: nodes.Node, *children: nodes.Node) -> nodes.Node:
        """Account for a new node: its depth and the formula's size."""
        depth = 1 + max((self.depths[id(child)] for child in children), default=0)
        self.depths[id(node)] = depth
        self.all_nodes.append(node)
        if depth > MAX_DEPTH:
            self.keep(FormulaError(
                "too_deep",
                gettext_noop("The formula is nested too deeply (more than {limit} levels of operators or functions)"),
                offset=node.pos,
                source=self.source,
                limit=MAX_DEPTH,
            ))
        if len(self.all_nodes) > MAX_NODES:
            self.keep(FormulaError(
                "too_long",
                gettext_noop("The formula has more than {limit} parts"),
                offset=node.pos,
                source=self.source,
                limit=MAX_NODES,
            ))
        return node

    def check(self, test: Any) -> None:
        try:
            test()
        except FormulaError as error:
            self.keep(error)

    def keep(self, error: FormulaError) -> None:
        if self.first_error is None:
            self.first_error = error


def _shown(text: str) -> str:
    return "“" + (text if len(text) <= 20 else text[:20] + "…") + "”"


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
        raise arity_error(name, spec, count).locate(offset, source)


def _make(source: str, ast: nodes.Node, all_nodes: list[nodes.Node]) -> Formula:
    names = frozenset(n.name for n in all_nodes if isinstance(n, nodes.Name))
    columns = frozenset((n.grid, n.column) for n in all_nodes if isinstance(n, nodes.Column))
    calls = [n for n in all_nodes if isinstance(n, nodes.Call)]
    tables = frozenset(
        c.args[0].value for c in calls if c.name == "LOOKUP" and c.args and isinstance(c.args[0], nodes.Text)
    )
    return Formula(source, ast, names, columns, frozenset(c.name for c in calls), tables)
