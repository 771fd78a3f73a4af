"""The fast path of compute(): one generated reader and one generated step plan per procedure.

``build_fast`` turns a compiled procedure into two Python functions generated from fixed templates
(``formula.transpile``; no user text is ever part of the generated source):

* ``read(inputs)``: the typed values when every input is in its plain form (known keys, numbers
  as decimal text within bounds, …); anything else raises and ``validate_inputs`` does the work
  (with its exact problems);
* ``run(env, cx)``: every step in order (consecutive steps of one grid fused into one loop over the
  rows when none of them reads a whole column), then the rules' values and limits.

compute() uses them when they succeed; on any exception it recomputes the record from scratch on
the exact path (``validate_inputs`` + the closure programs), so values, errors and their positions
are those of the exact path by construction. The step budget is checked up front with a bound
(nodes + 2 × rows per column read + table rows per LOOKUP); over the bound, the exact path counts.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Callable, Mapping

from ..formula import nodes
from ..formula.compiled import Run
from ..formula.limits import MAX_STEPS
from ..formula.tables import LimitTable
from ..formula.transpile import Generator, Scope, Unsupported, build, shape
from ..formula.values import plain_decimal

from .inputs import GridPlan, InputPlan, field_value
from .model import Field, Rule, Step


class FastPlan:
    """``read(inputs)`` → values (None: no generated reader); ``run(env, run)`` → what each rule
    found. The step bound is ``fixed_steps + per_row_steps × (longest grid)``; ``bounded``: every
    grid has a row maximum that keeps within the step budget."""

    __slots__ = ("read", "run", "grids", "fixed_steps", "per_row_steps", "read_source", "run_source", "bounded")

    def __init__(
        self,
        read: Callable[[Any], dict[str, Any]] | None,
        run: Callable[[dict[str, Any], Run], list[Any]],
        grids: tuple[str, ...],
        fixed_steps: int,
        per_row_steps: int,
        read_source: str,
        run_source: str,
        bounded: bool = False,
    ) -> None:
        self.read = read
        self.run = run
        self.grids = grids
        self.fixed_steps = fixed_steps
        self.per_row_steps = per_row_steps
        self.read_source = read_source
        self.run_source = run_source
        self.bounded = bounded

    def within_budget(self, env: Mapping[str, Any]) -> bool:
        if self.bounded:
            return True
        longest = max((len(env[g]) for g in self.grids), default=0)
        return self.fixed_steps + self.per_row_steps * longest <= MAX_STEPS


def build_fast(
    fields: tuple[Field, ...], tables: Mapping[str, LimitTable], steps: tuple[Step, ...], rules: tuple[Rule, ...],
    plan: InputPlan,
) -> FastPlan | None:
    """The generated plan, or None where some part is not transpiled (compute keeps the exact path)."""
    try:
        read, read_source = _reader(fields, plan)
    except Exception:  # noqa: BLE001 - the exact reader always works
        read, read_source = None, ""
    try:
        run, run_source, fixed, per_row = _runner(fields, tables, steps, rules)
    except Exception:  # noqa: BLE001 - e.g. Unsupported, or a formula too deep for Python's compiler
        return None
    grid_fields = [f for f in fields if f.type == "grid"]
    most_rows = [f.max_rows for f in grid_fields]
    bounded = None not in most_rows and fixed + per_row * max(most_rows, default=0) <= MAX_STEPS
    return FastPlan(read, run, tuple(f.key for f in grid_fields), fixed, per_row, read_source, run_source, bounded)


# -- the reader -------------------------------------------------------------------------------------


def _reader(fields: tuple[Field, ...], plan: InputPlan) -> tuple[Callable[..., Any], str]:
    gen = Generator({})
    specs = {f.key: f for f in fields}
    gen.emit("if inputs.__class__ is not dict or not {a}.issuperset(inputs): raise A", a=gen.const(plan.accepted))
    gen.emit("g = inputs.get")
    values: dict[str, str] = {}
    for key, read in plan.readers:
        if read.__class__ is GridPlan:
            values[key] = _read_grid(gen, read)
        else:
            values[key] = _read_one(gen, specs[key], read, "g", gen.const(key))
    items = ", ".join(f"{gen.const(key)}: {values.get(key, 'None')}" for key in plan.blank)
    gen.lines.append("    " * gen.depth + "return {" + items + "}")  # keys k…, values v…/None: ours only
    _check_items(items)
    source = gen.source("fast", "inputs")
    return build(source, gen.consts, "fast"), source


def _check_items(items: str) -> None:
    from ..formula.transpile import _is_ours

    for item in items.split(", ") if items else []:
        k, v = item.split(": ")
        if not _is_ours(k) or not (v == "None" or _is_ours(v)):
            raise Unsupported("bad item")


def _read_one(gen: Generator, spec: Field, read: Callable[..., Any], getter: str, key: str) -> str:
    """``read(raw)`` (inputs.reader) for one field: a plain number inline, a missing input as its
    empty value, anything else by calling the reader."""
    x, v = gen.temp("x"), gen.temp("v")
    reader = gen.const(read)
    gen.emit("{x} = {g}({k})", x=x, g=getter, k=key)
    try:
        empty = field_value(spec, None)
    except Exception:  # noqa: BLE001 - e.g. required: the reader raises it
        empty = _MISSING
    immutable = empty is None or empty.__class__ in (str, bool, Decimal, datetime.date)
    if spec.type == "number":
        gen.emit("if {x}.__class__ is str and {x}:", x=x)
        gen.emit("    {v} = {p}({x}.strip())", v=v, p=gen.const(plain_decimal), x=x)  # as inputs.reader does
        gen.emit("    if {v} is None: raise A", v=v)
        if spec.minimum is not None:
            gen.emit("    if {v} < {m}: raise A", v=v, m=gen.const(spec.minimum))
        if spec.maximum is not None:
            gen.emit("    if {v} > {m}: raise A", v=v, m=gen.const(spec.maximum))
        if empty is not _MISSING and immutable:
            gen.emit("elif {x} is None: {v} = {e}", x=x, v=v, e=gen.const(empty))
        gen.emit("else: {v} = {f}({x})", v=v, f=reader, x=x)
        return v
    if empty is not _MISSING and immutable:
        gen.emit("if {x} is None: {v} = {e}", x=x, v=v, e=gen.const(empty))
        gen.emit("else: {v} = {f}({x})", v=v, f=reader, x=x)
    else:
        gen.emit("{v} = {f}({x})", v=v, f=reader, x=x)
    return v


_MISSING = object()


def _read_grid(gen: Generator, plan: GridPlan) -> str:
    spec = plan.spec
    x, rows, n = gen.temp("x"), gen.temp("rows"), gen.temp("t")
    gen.emit("{x} = g({k})", x=x, k=gen.const(spec.key))
    gen.emit("if {x}.__class__ is not list: raise A", x=x)
    gen.emit("{n} = len({x})", n=n, x=x)
    gen.emit("if {n} < {lo}: raise A", n=n, lo=gen.const(spec.min_rows))
    if spec.max_rows is not None:
        gen.emit("if {n} > {hi}: raise A", n=n, hi=gen.const(spec.max_rows))
    gen.emit("{rows} = []", rows=rows)
    row, getter = gen.temp("row"), gen.temp("g")
    gen.emit("for {row} in {x}:", row=row, x=x)
    gen.depth += 1
    gen.emit("if {row}.__class__ is not dict or not {a}.issuperset({row}): raise A", row=row,
             a=gen.const(plan.accepted))
    gen.emit("{g} = {row}.get", g=getter, row=row)
    columns = {c.key: c for c in spec.columns}
    values = {key: _read_one(gen, columns[key], read, getter, gen.const(key)) for key, read in plan.readers}
    items = ", ".join(f"{gen.const(key)}: {values.get(key, 'None')}" for key in plan.blank_row)
    _check_items(items)
    gen.emit("{rows}.append(", rows=rows)
    gen.lines[-1] += "{" + items + "})"
    gen.depth -= 1
    return rows


# -- steps and rules --------------------------------------------------------------------------------


class _ProcedureScope(Scope):
    """Names read once into locals: top-level values for the whole function, a row's values per
    iteration; a computed value is the local it was computed into."""

    plain_rows = True  # compute's grids: lists of the row dicts read from the inputs

    def __init__(self, grids: set[str]) -> None:
        self.grids = grids
        self.env: dict[str, str] = {}  # top-level key → local
        self.row: dict[str, str] | None = None  # row key → local (inside a row loop)
        self.row_var = ""
        self.row_names: frozenset[str] = frozenset()

    def name(self, gen: Generator, key: str) -> tuple[str, str]:
        if key in self.row_names:
            assert self.row is not None
            var = self.row.get(key)
            if var is None:
                raise Unsupported("row name not read")  # read() below reads them first
            return var, "?"
        if key in self.grids:
            raise Unsupported("a bare grid")  # refused at save time; the exact path reports it
        var = self.env.get(key)
        if var is None:
            raise Unsupported("name not read")
        return var, "?"

    def grid_rows(self, gen: Generator, grid: str) -> str:
        if grid in self.row_names or grid not in self.grids:
            raise Unsupported("column of something else than a grid")
        var = self.env.get(grid)
        if var is None:
            raise Unsupported("grid not read")
        return var

    def read(self, gen: Generator, ast: nodes.Node, row_names: frozenset[str]) -> None:
        """Read into locals every name ``ast`` uses that is not in a local yet (at the current depth)."""
        for node in nodes.walk(ast):
            if type(node) is nodes.Name:
                key = node.name
                if key in row_names:
                    if key not in self.row:
                        var = gen.temp("n")
                        gen.emit("{n} = {row}[{k}]", n=var, row=self.row_var, k=gen.const(key))
                        self.row[key] = var
                    continue
                self._read_env(gen, key)
            elif type(node) is nodes.Column and node.grid not in row_names:
                self._read_env(gen, node.grid)

    def _read_env(self, gen: Generator, key: str) -> None:
        if key not in self.env:
            var = gen.temp("n")
            gen.emit("{n} = env[{k}]", n=var, k=gen.const(key))
            self.env[key] = var


def _runner(
    fields: tuple[Field, ...], tables: Mapping[str, LimitTable], steps: tuple[Step, ...], rules: tuple[Rule, ...]
) -> tuple[Callable[..., Any], str, int, int]:
    gen = Generator(tables)
    by_key = {f.key: f for f in fields}
    grids = {f.key for f in fields if f.type == "grid"}
    scope = _ProcedureScope(grids)
    table_rows = sum(len(t.rows) for t in tables.values())
    fixed = per_row = 0

    def account(ast: nodes.Node) -> None:
        nonlocal fixed, per_row
        s = shape(ast)
        fixed = max(fixed, s.nodes + s.lookups * table_rows)
        per_row = max(per_row, 2 * s.columns)

    for group in _groups(steps):
        grid = group[0].grid
        for step in group:
            account(step.formula.ast)
        if grid is None:
            step = group[0]
            scope.read(gen, step.formula.ast, frozenset())
            r = gen.result(step.formula.ast, scope, single=True)
            gen.emit("env[{k}] = {r}", k=gen.const(step.key), r=r)
            scope.env[step.key] = r
            continue
        row_names = frozenset(c.key for c in by_key[grid].columns)
        for step in group:  # the top-level names first, outside the loop
            _read_outside(scope, gen, step.formula.ast, row_names)
        _loop(gen, scope, grid, row_names)
        for step in group:
            scope.read(gen, step.formula.ast, row_names)
            r = gen.result(step.formula.ast, scope, single=True)
            gen.emit("{row}[{k}] = {r}", row=scope.row_var, k=gen.const(step.key), r=r)
            scope.row[step.key] = r
        _end_loop(gen, scope)
    gen.emit("out = []")
    for rule in rules:
        for formula in (rule.value, rule.limit, rule.applies_if):
            if formula is not None:
                account(formula.ast)
        _rule(gen, scope, rule, by_key)
    gen.emit("return out")
    source = gen.source("fast", "env, cx")
    return build(source, gen.consts, "fast"), source, fixed, per_row


def _groups(steps: tuple[Step, ...]) -> list[list[Step]]:
    """Consecutive steps of one grid that read no whole column run in one loop over the rows."""
    groups: list[list[Step]] = []
    for step in steps:
        fusable = step.grid is not None and not step.formula.columns
        last = groups[-1] if groups else None
        if fusable and last and last[0].grid == step.grid and all(not s.formula.columns for s in last):
            last.append(step)
        else:
            groups.append([step])
    return groups


def _read_outside(scope: _ProcedureScope, gen: Generator, ast: nodes.Node, row_names: frozenset[str]) -> None:
    for node in nodes.walk(ast):
        if type(node) is nodes.Name and node.name not in row_names:
            scope._read_env(gen, node.name)
        elif type(node) is nodes.Column and node.grid not in row_names:
            scope._read_env(gen, node.grid)


def _loop(gen: Generator, scope: _ProcedureScope, grid: str, row_names: frozenset[str]) -> None:
    scope._read_env(gen, grid)
    row = gen.temp("row")
    gen.emit("for {row} in {rows}:", row=row, rows=scope.env[grid])
    gen.depth += 1
    gen.base = gen.depth
    scope.saved_known = set(gen.known)  # type: ignore[attr-defined]
    scope.row, scope.row_var, scope.row_names = {}, row, row_names


def _end_loop(gen: Generator, scope: _ProcedureScope) -> None:
    gen.depth -= 1
    gen.base = gen.depth
    gen.known = scope.saved_known  # type: ignore[attr-defined]  # guards in the loop may not have run
    scope.row, scope.row_var, scope.row_names = None, "", frozenset()


def _rule(gen: Generator, scope: _ProcedureScope, rule: Rule, by_key: dict[str, Field]) -> None:
    """Appends to ``out``: for a rule on the top-level values, None (it does not apply) or
    (value, limit); for a rule on every row, the list of (value, limit, row number) where it applies."""
    parts = [f for f in (rule.applies_if, rule.value, rule.limit) if f is not None]
    if rule.each is None:
        for f in parts:
            scope.read(gen, f.ast, frozenset())
        _rule_body(gen, scope, rule, "out.append(({v}, {l}))", "out.append(None)", {})
        return
    row_names = frozenset(c.key for c in by_key[rule.each].columns)
    for f in parts:
        _read_outside(scope, gen, f.ast, row_names)
    found = gen.temp("t")
    gen.emit("{t} = []", t=found)
    number = gen.temp("t")
    gen.emit("{n} = 0", n=number)
    _loop(gen, scope, rule.each, row_names)
    gen.emit("{n} += 1", n=number)
    for f in parts:
        scope.read(gen, f.ast, row_names)
    _rule_body(gen, scope, rule, "{t}.append(({v}, {l}, {n}))", None, {"t": found, "n": number})
    _end_loop(gen, scope)
    gen.emit("out.append({t})", t=found)


def _rule_body(gen: Generator, scope: _ProcedureScope, rule: Rule, keep: str, skip: str | None,
               names: dict[str, str]) -> None:
    if rule.applies_if is not None:
        a = gen.result(rule.applies_if.ast, scope, single=False)
        gen.emit("if {a} is True:", a=a)
        gen.depth += 1
    v = gen.result(rule.value.ast, scope, single=False)
    l = gen.result(rule.limit.ast, scope, single=False)
    gen.emit(keep, v=v, l=l, **names)
    if rule.applies_if is not None:
        gen.depth -= 1
        gen.emit("elif {a} is False or {a} is None:", a=a)
        gen.emit("    " + (skip or "pass"))
        gen.emit("else: raise A")
