"""Our own validated syntax tree → Python source, for a fast path that only ever *succeeds* exactly.

The generated text is built from a fixed set of templates and nothing else:

* identifiers are ours (``k3`` a bound constant, ``t7`` a temporary, ``n2`` a name's value,
  ``A`` the abort exception, ``D`` the Decimal class, ``cx`` the evaluation state, a ``Run``);
* every user-controlled item — a field key, a text literal, a number, a table or column name, a
  function implementation — is a *bound constant*: a parameter of the generated factory
  (``def _make(k0, k1, …)``) that the caller passes as an object, so the code only says ``k3``;
* operators come from the closed maps below (the node's ``op`` is looked up, never copied);
* the code is compiled with ``{"__builtins__": {}}`` as its globals.

The fast path is partial by design: whenever a value is not what the plain case expects (a blank
in arithmetic, a text in a condition, a division by zero, …) the generated code raises (``A`` or
whatever Decimal raises) and the caller falls back to the closure evaluator (``compiled``), which
gives the exact value or the exact located FormulaError. So the generated code must only be
right when it returns, and that is easy to see: on plain values it performs the very same Decimal
operations (in the same decimal context) as the closures, and every function and name has one
definition that both paths call: a function's ``Spec`` in ``functions.FUNCTIONS`` (``impl``, or
its ``plain`` form where the arguments are known numbers, its ``on_list`` form for an aggregate of
one grid column), ``compiled.column_values`` for ``grid.column``, ``values`` for ``=``, ``&``.
Only IF and the operators are written as templates here, since they are the code itself; the
generated plan earns its place in bench/formula (about 2.4× faster than the closures alone).

No step counting happens here: the caller checks up front that a bound on the steps
(``FormulaShape``) is within the budget, and otherwise takes the closure path, which counts exactly.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from decimal import Decimal
from typing import Any, Callable, Mapping

from . import nodes
from .compiled import column_values
from .errors import FormulaError
from .functions import FUNCTIONS, power
from .tables import LimitTable, resolve
from .values import to_text, values_equal


class Abort(Exception):
    """The plain case does not apply: take the exact (closure) path."""


_ARITHMETIC = {"+": "{t} = {a} + {b}", "-": "{t} = {a} - {b}", "*": "{t} = {a} * {b}", "/": "{t} = {a} / {b}"}
_ORDER = {"<": "{t} = {a} < {b}", ">": "{t} = {a} > {b}", "<=": "{t} = {a} <= {b}", ">=": "{t} = {a} >= {b}"}
_EQUALITY = {"=": "{t} = ve({a}, {b}) is True", "<>": "{t} = ve({a}, {b}) is False"}
_UNARY = {"-": "{t} = -{a}", "+": "{t} = +{a}"}


_MISSING = object()


def one_key_lookup(table: LimitTable, column: str) -> Callable[[Any], Any]:
    """``table.lookup(column, [key])``, remembered per (class, key) for texts and numbers: the
    lookup depends on nothing else (equal numbers match the same rows)."""
    memo: dict[tuple[type, Any], Any] = {}
    lookup = table.lookup

    def one(key: Any) -> Any:
        cls = key.__class__
        if cls is str or cls is Decimal:
            hit = memo.get((cls, key), _MISSING)
            if hit is not _MISSING:
                return hit
            value = lookup(column, [key])
            if len(memo) < 1024:
                memo[(cls, key)] = value
            return value
        return lookup(column, [key])

    return one


# Names every generated function may use besides its own bound constants (``k…``).
RUNTIME: dict[str, Any] = {
    "D": Decimal,
    "A": Abort,
    "pw": power,
    "ve": values_equal,
    "tt": to_text,
    "cl": column_values,
    "dict": dict,  # only for exact-class checks (``x.__class__ is dict``) and ``len``
    "list": list,
    "str": str,
    "len": len,
}


class FormulaShape:
    """What bounds the steps of one evaluation: nodes + 2 × list length per column + table rows."""

    __slots__ = ("nodes", "columns", "lookups")

    def __init__(self, nodes: int, columns: int, lookups: int) -> None:
        self.nodes = nodes
        self.columns = columns
        self.lookups = lookups


def shape(ast: nodes.Node) -> FormulaShape:
    every = nodes.walk(ast)
    columns = sum(1 for n in every if type(n) is nodes.Column)
    lookups = sum(1 for n in every if type(n) is nodes.Call and n.name == "LOOKUP")
    return FormulaShape(len(every), columns, lookups)


class Unsupported(Exception):
    """This tree is not transpiled (the caller keeps the closure path for it)."""


class Scope(ABC):
    """Where the names of a formula come from; set up by the code generator that owns the block."""

    plain_rows = False  # grids are lists of dicts holding checked values (compute's own)

    @abstractmethod
    def name(self, gen: Generator, key: str) -> tuple[str, str]:  # (variable, kind)
        ...

    @abstractmethod
    def grid_rows(self, gen: Generator, grid: str) -> str:
        ...


class Generator:
    """Emits Python statements from fixed templates; user items become bound constants."""

    def __init__(self, tables: Mapping[str, LimitTable]) -> None:
        self.tables = tables
        self.lines: list[str] = []
        self.depth = 0
        self.base = 0  # the depth whose statements always run (guards there hold for the rest)
        self.known: set[str] = set()  # variables checked to be Decimals at a base-depth statement
        self.consts: list[Any] = []
        self._const_ids: dict[Any, str] = {}
        self.counter = 0

    # -- text --------------------------------------------------------------------------------

    def emit(self, template: str, **names: str) -> None:
        """One line from a fixed template; every inserted item must be one of our identifiers."""
        for value in names.values():
            if not _is_ours(value):
                raise Unsupported(f"not a generated identifier: {value!r}")
        self.lines.append("    " * self.depth + template.format(**names))

    def const(self, value: Any) -> str:
        key = ("s", value) if value.__class__ is str else ("o", id(value))
        name = self._const_ids.get(key)
        if name is None:
            name = f"k{len(self.consts)}"
            self.consts.append(value)
            self._const_ids[key] = name
        return name

    def temp(self, prefix: str = "t") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def source(self, body_name: str, params: str) -> str:
        """The factory: ``def _make(k0, …)`` returning the function whose body is ``self.lines``."""
        if not _is_ours(body_name) or not all(_is_ours(p.strip()) for p in params.split(",") if p.strip()):
            raise Unsupported("bad signature")
        consts = ", ".join(f"k{i}" for i in range(len(self.consts)))
        head = [f"def _make({consts}):", f"    def {body_name}({params}):"]
        return "\n".join(head + ["        " + line if line else line for line in self.lines]
                         + [f"    return {body_name}", ""])

    # -- expressions ---------------------------------------------------------------------------

    def decimal(self, node: nodes.Node, scope: Scope) -> str:
        """The node's value, checked to be a Decimal (else Abort)."""
        var, kind = self.expr(node, scope)
        if kind != "D" and var not in self.known:
            self.emit("if {v}.__class__ is not D: raise A", v=var)
            if self.depth == self.base:
                self.known.add(var)
        return var

    def expr(self, node: nodes.Node, scope: Scope) -> tuple[str, str]:
        """(variable or constant holding the value, kind): kind "D" a finite Decimal, "B" a bool, "?" any."""
        kind = type(node)
        if kind is nodes.Number:
            return self.const(node.value), "D"
        if kind is nodes.Text:
            return self.const(node.value), "?"
        if kind is nodes.Logical:
            return self.const(node.value), "B"
        if kind is nodes.Name:
            return scope.name(self, node.name)
        if kind is nodes.Column:
            rows = scope.grid_rows(self, node.grid)
            t = self.temp()
            if scope.plain_rows:  # lists of our own row dicts holding checked values
                self.emit("{t} = [row[{c}] for row in {r}]", t=t, r=rows, c=self.const(node.column))
            else:
                self.emit("{t} = cl({r}, {c}, {l}, cx)", t=t, r=rows, c=self.const(node.column),
                          l=self.const(f"{node.grid}.{node.column}"))
            return t, "L"
        if kind is nodes.Unary:
            a = self.decimal(node.operand, scope)
            t = self.temp()
            self.emit(_UNARY[node.op], t=t, a=a)
            return t, "D"
        if kind is nodes.Binary:
            return self.binary(node, scope)
        if kind is nodes.Call and node.name == "IF":
            return self.if_(node, scope)
        if kind is nodes.Call:
            return self.call(node, scope)
        raise Unsupported(kind.__name__)

    def binary(self, node: nodes.Binary, scope: Scope) -> tuple[str, str]:
        op = node.op
        if op in _ARITHMETIC or op == "^":
            a = self.decimal(node.left, scope)
            b = self.decimal(node.right, scope)
            t = self.temp()
            self.emit(_ARITHMETIC.get(op, "{t} = pw({a}, {b})"), t=t, a=a, b=b)
            return t, "D"
        if op in _ORDER:
            a = self.decimal(node.left, scope)
            b = self.decimal(node.right, scope)
            t = self.temp()
            self.emit(_ORDER[op], t=t, a=a, b=b)
            return t, "B"
        a, _ = self.expr(node.left, scope)
        b, _ = self.expr(node.right, scope)
        t = self.temp()
        if op in _EQUALITY:
            self.emit(_EQUALITY[op], t=t, a=a, b=b)
            return t, "B"
        if op == "&":
            self.emit("{t} = tt({a}) + tt({b})", t=t, a=a, b=b)
            return t, "?"
        raise Unsupported("operator")

    def if_(self, node: nodes.Call, scope: Scope) -> tuple[str, str]:
        c, c_kind = self.expr(node.args[0], scope)
        t = self.temp()
        self.emit("if {c} is True:", c=c)
        self.branch(t, node.args[1], scope)
        self.emit("elif {c} is False:", c=c)
        if len(node.args) > 2:
            self.branch(t, node.args[2], scope)
        else:
            self.emit("    {t} = None", t=t)
        if c_kind != "B":
            self.emit("elif {c} is None:", c=c)
            self.emit("    {t} = None", t=t)
            self.emit("else:")
            self.emit("    raise A")
        return t, "?"

    def branch(self, target: str, node: nodes.Node, scope: Scope) -> None:
        self.depth += 1
        start = len(self.lines)
        v, _ = self.expr(node, scope)
        self.emit("{t} = {v}", t=target, v=v)
        if len(self.lines) == start:  # pragma: no cover - the assignment is always there
            self.emit("pass")
        self.depth -= 1

    def call(self, node: nodes.Call, scope: Scope) -> tuple[str, str]:
        spec = FUNCTIONS.get(node.name)
        if spec is None or spec.impl is None:
            raise Unsupported("function")
        t = self.temp()
        if node.name == "LOOKUP" and node.args and type(node.args[0]) is nodes.Text:
            try:
                table, column = resolve(self.tables, node.args[0].value)
            except FormulaError:
                table = None
            if table is not None and len(node.args) == 1:
                try:
                    value = table.lookup(column, [])  # no keys: always the same answer
                except Exception:  # noqa: BLE001 - the general call below raises it when run
                    pass
                else:
                    if value.__class__ is Decimal and value.is_finite():
                        self.emit("{t} = {v}", t=t, v=self.const(value))
                        return t, "D"
                    if value is None or value.__class__ in (str, bool):
                        self.emit("{t} = {v}", t=t, v=self.const(value))
                        return t, "?"
            if table is not None and len(node.args) == 2 and len(table.keys) == 1:
                key = self.expr(node.args[1], scope)[0]
                self.emit("{t} = {f}({a})", t=t, f=self.const(one_key_lookup(table, column)), a=key)
                return t, "?"
            if table is not None:
                keys = [self.expr(a, scope)[0] for a in node.args[1:]]
                self.emit("{t} = {f}({c}, [" + ", ".join("{a%d}" % i for i in range(len(keys))) + "])",
                          t=t, f=self.const(table.lookup), c=self.const(column),
                          **{f"a{i}": k for i, k in enumerate(keys)})
                return t, "?"
        args = [self.expr(a, scope) for a in node.args]
        names = {f"a{i}": a for i, (a, _) in enumerate(args)}
        listed = ", ".join("{a%d}" % i for i in range(len(args)))
        if spec.on_list is not None and len(args) == 1 and args[0][1] == "L":  # an aggregate of one grid column
            self.emit("{t} = {f}({a})", t=t, f=self.const(spec.on_list), a=args[0][0])
            return t, "D" if spec.gives_number else "?"
        numbers = all(kind == "D" or var in self.known for var, kind in args)
        if spec.plain is not None and numbers:  # the function itself, on arguments known to be numbers
            self.emit("{t} = {f}(" + listed + ")", t=t, f=self.const(spec.plain), **names)
            return t, "D" if spec.gives_number else "?"
        self.emit("{t} = {f}(cx, [" + listed + "])", t=t, f=self.const(spec.impl), **names)
        return t, "D" if spec.gives_number and spec.plain is None else "?"

    def result(self, node: nodes.Node, scope: Scope, single: bool) -> str:
        """The formula's value as ``execute`` returns it (a zero without sign); ``single``: a
        field's value, which must not be a list."""
        v, kind = self.expr(node, scope)
        if kind == "L":
            self.emit("raise A")  # a whole column as a value: the exact path says what is wrong
            return v
        r = self.temp("r")
        self.emit("{r} = {v}", r=r, v=v)
        if kind == "D":
            self.emit("if not {r}: {r} = {r}.copy_abs()", r=r)
            if self.depth == self.base:
                self.known.add(r)
        elif kind == "?":
            self.emit("if {r}.__class__ is D:", r=r)
            self.emit("    if not {r}: {r} = {r}.copy_abs()", r=r)
            if single:
                self.emit("elif {r}.__class__ is list: raise A", r=r)
        return r


def _is_ours(text: str) -> bool:
    """One of the identifiers this module makes up: a letter prefix and digits, or a runtime name."""
    if text in RUNTIME or text in ("cx", "env", "inputs"):
        return True
    head = text.rstrip("0123456789")
    return head in ("k", "t", "r", "n", "rows", "row", "g", "x", "v", "out", "fast") and text.isascii() and (
        head == text or text[len(head):].isdigit()
    )


def build(source: str, consts: list[Any], name: str) -> Callable[..., Any]:
    """Compile generated source with no builtins and bind its constants."""
    namespace: dict[str, Any] = {"__builtins__": {}, **RUNTIME}
    exec(compile(source, "<generated>", "exec"), namespace)  # noqa: S102 - our own templates only
    return namespace["_make"](*consts)
