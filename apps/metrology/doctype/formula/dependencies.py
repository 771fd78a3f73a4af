"""Save-time checks of a formula and the evaluation order of a set of formulas."""

from __future__ import annotations

from typing import Collection, Hashable, Iterable, Mapping, TypeVar

from . import nodes
from .errors import FormulaError, gettext_noop
from .parser import Formula
from .tables import LimitTable, key_count_error, resolve

K = TypeVar("K", bound=Hashable)


def check(
    formula: Formula,
    known_names: Collection[str],
    *,
    grid_columns: Mapping[str, Collection[str]] | None = None,
    tables: Mapping[str, LimitTable] | None = None,
) -> list[FormulaError]:
    """Problems a formula has in its context, each with its position (empty list: fine).

    ``known_names`` are the bare names in scope; ``grid_columns`` maps each grid to its columns
    (a grid is read as ``grid.column``); ``tables`` (when given) are checked against literal
    LOOKUP table names and key counts. Unknown functions and argument counts are already refused
    by ``parse``.
    """
    grid_columns = grid_columns or {}
    problems: list[FormulaError] = []
    for node in nodes.walk(formula.ast):
        problem = _check_node(node, known_names, grid_columns, tables)
        if problem is not None:
            problems.append(problem.locate(node.pos, formula.source))
    return problems


def _check_node(
    node: nodes.Node,
    known: Collection[str],
    grids: Mapping[str, Collection[str]],
    tables: Mapping[str, LimitTable] | None,
) -> FormulaError | None:
    if isinstance(node, nodes.Name):
        if node.name in grids and node.name not in known:
            return FormulaError(
                "type", gettext_noop("{name} is a grid; refer to one of its columns as {name}.column"), name=node.name
            )
        if node.name not in known:
            return FormulaError("unknown_name", gettext_noop("Unknown name {name}"), name=node.name)
    elif isinstance(node, nodes.Column):
        if node.column not in grids.get(node.grid, ()):
            return FormulaError("unknown_name", gettext_noop("Unknown name {name}"), name=f"{node.grid}.{node.column}")
    elif isinstance(node, nodes.Call) and node.name == "LOOKUP" and tables is not None:
        if isinstance(node.args[0], nodes.Text):
            try:
                table, _ = resolve(tables, node.args[0].value)
            except FormulaError as error:
                return error
            if len(node.args) - 1 != len(table.keys):
                return key_count_error(table, len(node.args) - 1)
    return None


def order(formulas: Mapping[K, Formula]) -> list[K]:
    """Keys of ``formulas`` in an order where each comes after the formulas it reads.

    A formula depends on another when it names that key, or ``"grid.column"`` for a column
    reference. Raises FormulaError("cycle") naming the keys in the cycle.
    """
    deps: dict[K, set[K]] = {}
    for key, formula in formulas.items():
        wanted = set(formula.names) | {f"{g}.{c}" for g, c in formula.columns}
        deps[key] = {k for k in formulas if k in wanted}
    return topological_order(deps)


def topological_order(deps: Mapping[K, Iterable[K]]) -> list[K]:
    """Stable topological sort (inputs keep their given order where free); iterative."""
    position = {key: i for i, key in enumerate(deps)}
    needs = {key: {d for d in deps[key] if d in position} for key in deps}
    users: dict[K, list[K]] = {key: [] for key in deps}
    for key, wanted in needs.items():
        for dep in wanted:
            users[dep].append(key)
    waiting = {key: len(wanted) for key, wanted in needs.items()}
    ready = sorted((k for k, n in waiting.items() if n == 0), key=position.__getitem__, reverse=True)
    out: list[K] = []
    while ready:
        key = ready.pop()
        out.append(key)
        freed = []
        for user in users[key]:
            waiting[user] -= 1
            if waiting[user] == 0:
                freed.append(user)
        ready.extend(freed)
        ready.sort(key=position.__getitem__, reverse=True)
    if len(out) < len(deps):
        cycle = _find_cycle({k: needs[k] for k in deps if waiting[k] > 0}, position)
        raise FormulaError(
            "cycle",
            gettext_noop("Circular reference: {cycle}"),
            field=str(cycle[0]),
            cycle=" → ".join(str(k) for k in cycle + [cycle[0]]),
            fields=[str(k) for k in cycle],
        )
    return out


def _find_cycle(needs: Mapping[K, set[K]], position: Mapping[K, int]) -> list[K]:
    """Walk dependencies from the first stuck key until a key repeats; return that loop."""
    start = min(needs, key=position.__getitem__)
    path: list[K] = []
    seen: dict[K, int] = {}
    current = start
    while current not in seen:
        seen[current] = len(path)
        path.append(current)
        current = min((d for d in needs[current] if d in needs), key=position.__getitem__)
    return path[seen[current] :]
