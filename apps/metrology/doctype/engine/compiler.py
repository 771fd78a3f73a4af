"""Procedure definition (plain dict) → CompiledProcedure, collecting every problem on the way.

``validate_procedure`` is the save-time check; ``compile_procedure`` raises ProcedureError and
caches compiled procedures by a hash of their canonical JSON, so formulas are parsed once.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from decimal import Decimal
from typing import Any, Mapping

from ..formula import (
    Formula,
    FormulaError,
    LimitTable,
    check,
    compile_table,
    gettext_noop,
    parse_cached,
    parse_decimal,
    topological_order,
)
from ..formula.compiled import Program, compile_formula
from ..formula.nodes import NAME_RE
from . import definition as d
from .context import RESERVED_NAMES, context_defaults, context_problems, context_values
from .fast import build_fast
from .inputs import Invalid, field_value, input_plan
from .model import CompiledProcedure, Field, Rule, Step
from .patterns import PatternRefused, compile_pattern
from .problems import Problem, ProcedureError

_CACHE_SIZE = 128
_cache: OrderedDict[str, CompiledProcedure] = OrderedDict()
_cache_lock = threading.Lock()


def fingerprint(procedure: Mapping[str, Any]) -> str:
    """A hash of everything that affects computing (test cases left out: they only cost time)."""
    if isinstance(procedure, Mapping) and "test_cases" in procedure:
        procedure = {k: v for k, v in procedure.items() if k != "test_cases"}
    text = json.dumps(procedure, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def compile_procedure(procedure: Mapping[str, Any]) -> CompiledProcedure:
    """The compiled procedure, from the cache when this exact definition was compiled before."""
    key = fingerprint(procedure)
    with _cache_lock:
        cached = _cache.get(key)
        if cached is not None:
            _cache.move_to_end(key)
            return cached
    compiler = _Compiler(procedure)
    compiled = compiler.run(key)
    if compiler.problems:
        raise ProcedureError(compiler.problems)
    with _cache_lock:
        _cache[key] = compiled
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def validate_procedure(procedure: Any) -> list[Problem]:
    """Every problem of a procedure definition (empty list: it can be saved and run)."""
    compiler = _Compiler(procedure)
    compiler.run("")
    compiler.check_test_cases()
    return compiler.problems


def _formulas(steps: tuple[Step, ...], rules: tuple[Rule, ...]) -> list[Formula]:
    parts = [f for rule in rules for f in (rule.value, rule.limit, rule.applies_if) if f is not None]
    return [step.formula for step in steps] + parts


PATTERN_PROBLEMS = {  # #8: shapes that backtrack without bound are refused when the procedure is saved
    "invalid": gettext_noop("The pattern is not a valid regular expression"),
    "nested": gettext_noop("The pattern repeats a part that itself repeats without bound, e.g. (a+)+, which can "
                           "take the server unbounded time; simplify it"),
    "backreference": gettext_noop("The pattern refers back to a group (\\1), which can take the server unbounded "
                                  "time; write it without the back-reference"),
}


class _Compiler:
    def __init__(self, procedure: Any) -> None:
        self.raw = procedure
        self.problems: list[Problem] = []
        self.tables: dict[str, LimitTable] = {}

    def problem(self, code: str, template: str, where: str | None = "procedure", **kwargs: Any) -> None:
        params = {k: v for k, v in kwargs.items() if k not in ("row", "grid_column", "part")}
        extra = {k: v for k, v in kwargs.items() if k in ("row", "grid_column", "part")}
        self.problems.append(Problem(code, template, params, where=where, **extra))

    def formula_problem(self, error: FormulaError, where: str, **kwargs: Any) -> None:
        self.problems.append(Problem.from_formula_error(error, where, **kwargs))

    # -- the whole procedure -------------------------------------------------------------

    def run(self, key: str) -> CompiledProcedure:
        raw = self.raw if isinstance(self.raw, Mapping) else {}
        if not isinstance(self.raw, Mapping):
            self.problem("type", gettext_noop("A procedure must be an object"))
        self.check_metadata(raw)
        self.tables = self.compile_tables(raw.get("tables", []))
        fields = self.compile_fields(raw)
        by_key = {f.key: f for f in fields}
        steps = self.compile_steps(fields)
        rules = self.compile_rules(raw.get("rules", []), by_key)
        kinds = self.check_document_kinds(raw)
        plan = input_plan(fields)
        fast = None if self.problems else build_fast(tuple(fields), self.tables, steps, rules, plan)
        context = context_defaults(raw)
        read = {name for formula in _formulas(steps, rules) for name in formula.names} & RESERVED_NAMES
        names = {name: value for name, value in context_values(context).items() if name in read}
        return CompiledProcedure(dict(raw), tuple(fields), self.tables, steps, rules, kinds, key, by_key, plan, fast,
                                 context, names)

    def check_metadata(self, raw: Mapping[str, Any]) -> None:
        if raw.get("format_version") != d.FORMAT_VERSION:
            self.problem("format", gettext_noop("format_version must be {version}"), version=d.FORMAT_VERSION,
                         part="format_version")
        for name in ("code", "name", "test_type"):
            if not isinstance(raw.get(name), str) or not raw.get(name).strip():
                self.problem("required", gettext_noop("{name} is required (text)"), name=name, part=name)
        sub_types = raw.get("sub_types", [])
        if not isinstance(sub_types, list) or not all(isinstance(s, str) and s for s in sub_types):
            self.problem("type", gettext_noop("sub_types must be a list of texts"), part="sub_types")

    def check_document_kinds(self, raw: Mapping[str, Any]) -> dict[str, str]:
        kinds = raw.get("document_kinds")
        if kinds is not None:
            good = isinstance(kinds, dict) and all(
                k in ("pass", "fail", "always") and isinstance(v, str) and v for k, v in kinds.items()
            )
            if not good or not ("always" in kinds or {"pass", "fail"} <= set(kinds)):
                self.problem(
                    "document_kinds",
                    gettext_noop('document_kinds needs "pass" and "fail" (or "always") mapped to document names'),
                    where="document_kinds",
                )
                return d.DEFAULT_DOCUMENT_KINDS
        return d.document_kinds(dict(raw))

    # -- tables ---------------------------------------------------------------------------

    def compile_tables(self, raw: Any) -> dict[str, LimitTable]:
        if not isinstance(raw, list):
            self.problem("type", gettext_noop("tables must be a list"), where="tables")
            return {}
        tables: dict[str, LimitTable] = {}
        for index, spec in enumerate(raw, 1):
            name = spec.get("name") if isinstance(spec, Mapping) else None
            where = f"tables.{name}" if isinstance(name, str) else f"tables[{index}]"
            try:
                table = compile_table(spec)
            except FormulaError as error:
                self.formula_problem(error, where)
                continue
            if table.name in tables:
                self.problem(
                    "duplicate", gettext_noop("Table {table} is defined twice"), where=where, table=table.name
                )
            tables[table.name] = table
        return tables

    # -- fields ---------------------------------------------------------------------------

    def compile_fields(self, raw: Mapping[str, Any]) -> list[Field]:
        if not isinstance(raw.get("fields"), list):
            self.problem("type", gettext_noop("fields must be a list"), where="fields")
        own_keys: set[str] = set()
        fields: list[Field] = []
        for index, spec in enumerate(d.effective_fields(dict(raw)), 1):
            key = spec.get("key") if isinstance(spec, Mapping) else None
            where = key if isinstance(key, str) and key else f"fields[{index}]"
            if isinstance(key, str):
                if key in own_keys:
                    self.problem("duplicate", gettext_noop("The key {key} is used twice"), where=where, key=key)
                    continue
                own_keys.add(key)
            field = self.compile_field(spec, where, d.FIELD_TYPES)
            if field is not None and field.type != "section":
                fields.append(field)
        self.check_field_formulas(fields)
        return fields

    def compile_field(self, spec: Any, where: str, types: frozenset[str], grid: str | None = None) -> Field | None:
        column = where if grid else None
        place = {"where": grid, "grid_column": column} if grid else {"where": where}
        if not isinstance(spec, Mapping):
            self.problem("type", gettext_noop("A field must be an object"), **place)
            return None
        key, kind = spec.get("key"), spec.get("type")
        if not isinstance(key, str) or not NAME_RE.fullmatch(key) or key.upper() in ("TRUE", "FALSE"):
            self.problem(
                "key",
                gettext_noop("The key {key} is not a valid name (letters, digits, _; no leading digit)"),
                key=key,
                **place,
            )
            return None
        if key in d.RESULT_KEYS:
            self.problem("key", gettext_noop("The key {key} is reserved for the result"), key=key, **place)
            return None
        if key in RESERVED_NAMES:
            template = gettext_noop("The key {key} is reserved: formulas read the record's test type, sub-type "
                                    "and item as 检测类型, 检测子类型 and 检测项目")
            self.problem("key", template, key=key, **place)
            return None
        if not isinstance(kind, str) or kind not in types:
            self.problem("type", gettext_noop("Unknown field type {type}"), type=kind, **place)
            return None
        attrs: dict[str, Any] = {
            "key": key,
            "type": kind,
            "label": str(spec.get("label", key)),
            "required": bool(spec.get("required", False)),
        }
        if kind in ("number", "integer"):
            attrs["minimum"] = self.decimal_attr(spec, "min", place)
            attrs["maximum"] = self.decimal_attr(spec, "max", place)
        step = spec.get("step", 1)
        if not isinstance(step, int) or isinstance(step, bool) or step < 0:
            self.problem("type", gettext_noop("step must be a whole number"), **place)
        for name in ("resolution", "display_interval"):
            self.decimal_attr(spec, name, place, positive=True)
        if kind == "formula":
            attrs["formula"] = self.parse(spec.get("expression"), place)
        elif kind == "select":
            attrs["options"] = self.options(spec, place)
        elif kind == "text":
            attrs["pattern"] = self.pattern(spec, place)
            attrs["max_length"] = spec.get("max_length") if isinstance(spec.get("max_length"), int) else None
        elif kind == "grid":
            attrs.update(self.grid_attrs(spec, key))
        field = Field(**attrs)
        if "default" in spec and kind in d.VALUE_TYPES and kind != "formula":
            try:
                field_value(field, spec["default"])
                field = Field(**attrs, default=spec["default"])
            except Invalid as exc:  # the input's own message, located at the field's default
                self.problem(exc.code, exc.template, part="default", **exc.params, **place)
        return field

    def decimal_attr(
        self, spec: Mapping[str, Any], name: str, place: dict[str, Any], positive: bool = False
    ) -> Decimal | None:
        raw = spec.get(name)
        if raw is None:
            return None
        try:
            if isinstance(raw, bool) or not isinstance(raw, (str, int)):
                raise ValueError
            value = parse_decimal(str(raw))
            if positive and value <= 0:
                raise ValueError
            return value
        except ValueError:
            template = gettext_noop('{name} must be a number written as text, e.g. "0.01"')
            self.problem("type", template, name=name, **place)
            return None

    def options(self, spec: Mapping[str, Any], place: dict[str, Any]) -> tuple[str, ...]:
        raw = spec.get("options")
        values = [o.get("value") if isinstance(o, Mapping) else o for o in raw] if isinstance(raw, list) else []
        if not values or not all(isinstance(v, str) and v for v in values) or len(set(values)) != len(values):
            self.problem("options", gettext_noop("A select needs a list of distinct text options"), **place)
        return tuple(v for v in values if isinstance(v, str))

    def pattern(self, spec: Mapping[str, Any], place: dict[str, Any]) -> re.Pattern[str] | None:
        raw = spec.get("pattern")
        if raw is None:
            return None
        try:
            return compile_pattern(raw)
        except PatternRefused as refused:
            self.problem("pattern", PATTERN_PROBLEMS[refused.code], **place)
            return None

    def grid_attrs(self, spec: Mapping[str, Any], key: str) -> dict[str, Any]:
        columns: list[Field] = []
        seen: set[str] = set()
        raw_columns = spec.get("columns")
        if not isinstance(raw_columns, list) or not raw_columns:
            self.problem("columns", gettext_noop("A grid needs a list of columns"), where=key)
            raw_columns = []
        for index, column in enumerate(raw_columns, 1):
            name = column.get("key") if isinstance(column, Mapping) else None
            where = name if isinstance(name, str) else f"columns[{index}]"
            compiled = self.compile_field(column, where, d.GRID_COLUMN_TYPES, grid=key)
            if compiled is None:
                continue
            if compiled.key in seen:
                template = gettext_noop("The column {key} is used twice")
                self.problem("duplicate", template, where=key, grid_column=compiled.key, key=compiled.key)
                continue
            seen.add(compiled.key)
            columns.append(compiled)
        min_rows, max_rows = self.row_counts(spec.get("rows", {}), key)
        return {"columns": tuple(columns), "min_rows": min_rows, "max_rows": max_rows}

    def row_counts(self, rows: Any, key: str) -> tuple[int, int | None]:
        def count(value: Any) -> bool:
            return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 10_000

        if isinstance(rows, Mapping) and count(rows.get("fixed")):
            return rows["fixed"], rows["fixed"]
        if isinstance(rows, Mapping):
            low, high = rows.get("min", 0), rows.get("max")
            if count(low) and (high is None or (count(high) and low <= high)):
                return low, high
        self.problem("rows", gettext_noop('rows must be {{"fixed": n}} or {{"min": n, "max": m}}'), where=key)
        return 0, None

    def parse(self, source: Any, place: dict[str, Any], part: str | None = None) -> Formula | None:
        if not isinstance(source, str):
            self.problem("required", gettext_noop("A formula (text) is required"), part=part, **place)
            return None
        try:
            return parse_cached(source)
        except FormulaError as error:
            self.formula_problem(error, place["where"], grid_column=place.get("grid_column"), part=part)
            return None

    def program(self, formula: Formula, row_names: set[str] | None = None) -> Program:
        """The formula compiled for compute(): names in ``row_names`` are read from the grid row."""
        return compile_formula(formula.ast, formula.source, row_names or (), self.tables)

    # -- names and order ------------------------------------------------------------------

    def scope(self, fields: list[Field], grid: Field | None = None) -> tuple[set[str], dict[str, set[str]]]:
        names = {f.key for f in fields if f.type != "grid"} | RESERVED_NAMES
        grids = {f.key: {c.key for c in f.columns} for f in fields if f.type == "grid"}
        if grid is not None:
            names |= grids[grid.key]
        return names, grids

    def check_field_formulas(self, fields: list[Field]) -> None:
        for field in fields:
            if field.formula is not None:
                self.check_formula(field.formula, *self.scope(fields), {"where": field.key})
            for column in field.columns:
                if column.formula is not None:
                    place = {"where": field.key, "grid_column": column.key}
                    self.check_formula(column.formula, *self.scope(fields, field), place)

    def check_formula(
        self,
        formula: Formula,
        names: set[str],
        grids: dict[str, set[str]],
        place: dict[str, Any],
        part: str | None = None,
    ) -> None:
        for error in check(formula, names, grid_columns=grids, tables=self.tables):
            self.formula_problem(error, place["where"], grid_column=place.get("grid_column"), part=part)

    def compile_steps(self, fields: list[Field]) -> tuple[Step, ...]:
        steps: dict[str, Step] = {}
        for field in fields:
            if field.formula is not None:
                steps[field.key] = Step(field.key, field.formula, program=self.program(field.formula))
            row_names = {c.key for c in field.columns}
            for column in field.columns:
                if column.formula is not None:
                    step = Step(column.key, column.formula, field.key, self.program(column.formula, row_names))
                    steps[step.node] = step
        by_key = {f.key: f for f in fields}
        deps = {node: self.dependencies(step, by_key, steps) for node, step in steps.items()}
        try:
            return tuple(steps[node] for node in topological_order(deps))
        except FormulaError as error:
            self.formula_problem(error, error.field)
            return ()

    @staticmethod
    def dependencies(step: Step, by_key: dict[str, Field], steps: dict[str, Step]) -> set[str]:
        own = by_key[step.grid] if step.grid else None
        wanted = set()
        for name in step.formula.names:
            wanted.add(f"{step.grid}.{name}" if own is not None and own.column(name) else name)
        wanted |= {f"{g}.{c}" for g, c in step.formula.columns}
        return {node for node in wanted if node in steps}

    # -- rules ----------------------------------------------------------------------------

    def compile_rules(self, raw: Any, by_key: dict[str, Field]) -> tuple[Rule, ...]:
        if not isinstance(raw, list):
            self.problem("type", gettext_noop("rules must be a list"), where="rules")
            return ()
        rules: list[Rule] = []
        ids: set[str] = set()
        fields = list(by_key.values())
        for index, spec in enumerate(raw, 1):
            rule_id = spec.get("id") if isinstance(spec, Mapping) else None
            where = f"rules.{rule_id}" if isinstance(rule_id, str) and rule_id else f"rules[{index}]"
            if not isinstance(spec, Mapping) or where.startswith("rules["):
                self.problem("required", gettext_noop("A rule needs an id"), where=where)
                continue
            if rule_id in ids:
                self.problem("duplicate", gettext_noop("The rule id {id} is used twice"), where=where, id=rule_id)
            ids.add(rule_id)
            rule = self.compile_rule(spec, rule_id, where, by_key, fields)
            if rule is not None:
                rules.append(rule)
        return tuple(rules)

    def compile_rule(
        self, spec: Mapping[str, Any], rule_id: str, where: str, by_key: dict[str, Field], fields: list[Field]
    ) -> Rule | None:
        ok = True
        label = spec.get("label")
        if not isinstance(label, str) or not label.strip():
            self.problem("required", gettext_noop("A rule needs a label (the failed-item name)"), where=where)
            ok = False
        operator, method = spec.get("operator"), spec.get("method", "full")
        if operator not in d.OPERATORS:
            template = gettext_noop("operator must be one of {operators}")
            self.problem("operator", template, where=where, operators=" ".join(d.OPERATORS))
            ok = False
        if method not in d.METHODS:
            self.problem("method", gettext_noop('method must be "full" or "rounded"'), where=where)
            ok = False
        interval = self.decimal_attr(spec, "interval", {"where": where}, positive=True)
        if method == "rounded" and interval is None:
            template = gettext_noop('method "rounded" needs a positive interval, e.g. "0.01"')
            self.problem("interval", template, where=where)
            ok = False
        each = spec.get("each")
        grid = by_key.get(each) if isinstance(each, str) else None
        if each is not None and (grid is None or grid.type != "grid"):
            self.problem("each", gettext_noop("each must name a grid field, not {each}"), where=where, each=each)
            grid, ok = None, False
        names, grids = self.scope(fields, grid)
        formulas = {}
        for part in ("value", "limit", "applies_if"):
            if part == "applies_if" and spec.get(part) is None:
                formulas[part] = None
                continue
            formula = self.parse(spec.get(part), {"where": where}, part=part)
            if formula is None:
                ok = False
            else:
                self.check_formula(formula, names, grids, {"where": where}, part=part)
            formulas[part] = formula
        if not ok:
            return None
        row_names = {c.key for c in grid.columns} if grid is not None else set()
        programs = tuple(None if f is None else self.program(f, row_names) for f in formulas.values())
        return Rule(
            rule_id, label, formulas["value"], operator, formulas["limit"], method, interval, formulas["applies_if"], each,
            programs,
        )

    # -- test cases -----------------------------------------------------------------------

    def check_test_cases(self) -> None:
        raw = self.raw.get("test_cases", []) if isinstance(self.raw, Mapping) else []
        if not isinstance(raw, list):
            self.problem("type", gettext_noop("test_cases must be a list"), where="test_cases")
            return
        for index, case in enumerate(raw, 1):
            name = case.get("name") if isinstance(case, Mapping) else None
            where = f"test_cases.{name}" if name else f"test_cases[{index}]"
            good = isinstance(case, Mapping) and all(isinstance(case.get(k), Mapping) for k in ("inputs", "expected"))
            if not good:
                self.problem("test_case", gettext_noop("A test case needs a name, inputs and expected (objects)"),
                             where=where)
                continue
            if "confirmed" in case and not isinstance(case["confirmed"], bool):
                self.problem("confirmed", gettext_noop("confirmed must be true or false"), where=where)
            self.problems.extend(context_problems(case.get("context"), where))
