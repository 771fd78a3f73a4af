"""The generated fast path of compute(): no user text in the generated source, and exactly the
answers (values, verdicts, errors with their positions) of the exact closure path."""

from __future__ import annotations

import datetime
import json
import random
from decimal import Decimal, localcontext
from pathlib import Path

import pytest

from metrology.doctype.engine import InputError, compile_procedure, compute
from metrology.doctype.formula import FormulaError
from metrology.doctype.formula.compiled import Run
from metrology.doctype.formula.limits import CONTEXT

PACKS = Path(__file__).resolve().parents[2] / "apps" / "metrology" / "packs"
TODAY = datetime.date(2026, 3, 1)


def exact(compiled):
    """The same procedure without its generated plan: compute() takes the closure path."""
    return compiled.replace(fast=None)


def outcome(procedure, inputs):
    try:
        result = compute(procedure, inputs, today=TODAY)
    except (InputError, FormulaError) as error:
        detail = error.to_dict() if isinstance(error, FormulaError) else [p.to_dict() for p in error.problems]
        return ("error", type(error).__name__, str(error), repr(detail))
    return ("ok", repr(result.values), result.conclusion, result.failed_items, repr(result.rules), result.document_kind)


HOSTILE_KEYS = ["__import__", "exec", "eval", "压力值", "__builtins__", "os", "system", "globals", "lambda_"]
HOSTILE_TEXT = '"); import os; os.system("echo pwned"); ("'


def hostile_procedure():
    a, b, c, d, e, f, g, h, i = HOSTILE_KEYS
    text = HOSTILE_TEXT.replace('"', '""')
    return {
        "format_version": 1, "code": "HOSTILE", "name": "hostile", "test_type": "检定",
        "tables": [{"name": "表__class__", "keys": [{"column": "键", "match": "exact"}], "values": ["__subclasses__"],
                    "rows": [{"键": HOSTILE_TEXT, "__subclasses__": "2.5"}, {"键": "普通", "__subclasses__": "1"}]}],
        "fields": [
            {"key": a, "type": "number", "required": True},
            {"key": b, "type": "number", "min": "-1000", "max": "1000"},
            {"key": c, "type": "select", "options": [HOSTILE_TEXT, "普通"], "required": True},
            {"key": "grid__dict__", "type": "grid", "rows": {"min": 0, "max": 5}, "columns": [
                {"key": h, "type": "number", "required": True},
                {"key": i, "type": "formula", "expression": f"={h} * {a} - {b}"},
            ]},
            {"key": d, "type": "formula", "expression": f'=LOOKUP("表__class__", {c}) * {a} + {b} ^ 2'},
            {"key": e, "type": "formula", "expression": f'=IF({c} = "{text}", "{text}" & {d}, "x")'},
            {"key": f, "type": "formula", "expression": f"=SUM(grid__dict__.{i}) / MAX(1, COUNT(grid__dict__.{h}))"},
            {"key": g, "type": "formula", "expression": f"=IF({d} > 10, -{d}, ROUND({d} / 3, 2))"},
        ],
        "rules": [
            {"id": "r1", "label": "__import__('os')", "value": f"=ABS({g})", "operator": "<=", "limit": "=100"},
            {"id": "r2", "label": "每行", "each": "grid__dict__", "value": f"={i}", "operator": ">=",
             "limit": f"=-{a}", "applies_if": f"={h} <> 0"},
        ],
    }


def hostile_inputs(rng):
    return {
        "__import__": str(rng.choice(["1", "2.5", "-3", "0", "7.25", ""])),
        "exec": rng.choice([None, "", "4", "-0.5", "2000", "abc"]),
        "eval": rng.choice([HOSTILE_TEXT, "普通"]),
        "grid__dict__": [{"globals": rng.choice(["1", "0", "-2.5", "3.75", "x"])} for _ in range(rng.randint(0, 4))],
    }


def test_no_user_text_reaches_the_generated_source():
    compiled = compile_procedure(hostile_procedure())
    assert compiled.fast is not None and compiled.fast.read is not None
    source = compiled.fast.read_source + compiled.fast.run_source
    for text in HOSTILE_KEYS + [HOSTILE_TEXT, "import", "os.system", "表__class__", "__subclasses__", "grid__dict__",
                                "普通", "键", "2.5", "1000", "echo"]:
        assert text not in source, text
    assert "__" not in source.replace(".__class__", "") and "import" not in source
    assert all(ord(ch) < 128 for ch in source)


def test_hostile_names_compute_exactly_like_the_closures():
    compiled = compile_procedure(hostile_procedure())
    rng = random.Random(7)
    for _ in range(300):
        inputs = hostile_inputs(rng)
        assert outcome(compiled, inputs) == outcome(exact(compiled), inputs), inputs
    inputs = {"__import__": "2", "exec": "1", "eval": HOSTILE_TEXT, "grid__dict__": [{"globals": "3"}]}
    values = compiled.fast.read(inputs)  # the generated plan itself, not the fallback
    with localcontext(CONTEXT):
        found = compiled.fast.run(values, Run(values, compiled.tables, TODAY))
    assert values["压力值"] == Decimal("6.0")
    assert values["__builtins__"] == HOSTILE_TEXT + "6.0"
    assert values["grid__dict__"][0]["lambda_"] == Decimal(3) * 2 - 1
    assert found == [(Decimal("2.00"), Decimal(100)), [(Decimal(5), Decimal(-2), 1)]]
    assert compute(compiled, inputs, today=TODAY).values == values


def test_the_generated_plan_is_taken_on_plain_records(fuel_pack):
    compiled = compile_procedure(fuel_pack)
    inputs = {"油品": "汽油", "量器材质": "不锈钢", "V0": "20", "h0": "100.0", "d": "2.00",
              "runs": [{"V_J": "20.02", "h": "108.5", "t_J": "24.3", "t_B": "24.1"}]}
    values = compiled.fast.read(inputs)
    assert values == compute(exact(compiled), inputs).values | {k: None for k in ("beta_Y", "beta_B", "测量次数", "示值误差", "重复性")} | {"runs": values["runs"]}


def _number(rng):
    return rng.choice(["0", "-0", "0.000", "1", "20", "20.02", "100.0", "-3.5", "123.456", "1e3", " 7 ", "", None,
                       "9" * 45, "abc", "0.0000001", "99999999", "-40", "60", "61", 5])


@pytest.mark.parametrize("pack", ["jjg443_fuel_dispenser.json", "jjg52_pressure_gauge.json"])
def test_random_records_give_the_exact_results(pack):
    procedure = json.loads((PACKS / pack).read_text(encoding="utf-8"))
    compiled = compile_procedure(procedure)
    assert compiled.fast is not None
    rng = random.Random(pack)
    fields = [f for f in compiled.fields if not f.computed]
    for _ in range(400):
        inputs = {}
        for spec in fields:
            if spec.type == "grid":
                rows = []
                for _ in range(rng.choice([0, 1, 2, 3, 3, 4, 5])):
                    rows.append({c.key: (_number(rng) if c.type in ("number", "integer") else rng.choice(c.options or ["x"]))
                                 for c in spec.columns if not c.computed and rng.random() < 0.97})
                inputs[spec.key] = rows
            elif spec.type in ("number", "integer"):
                inputs[spec.key] = _number(rng) if rng.random() < 0.3 else rng.choice(["1", "2.00", "20", "0.5", "100.0"])
            elif spec.type == "select":
                inputs[spec.key] = rng.choice(list(spec.options) + ["?"] * (rng.random() < 0.05))
        assert outcome(compiled, inputs) == outcome(exact(compiled), inputs), inputs


def test_the_generated_plan_calls_the_function_definitions_the_closures_call(fuel_pack, gauge_pack):
    """#9: a function is defined once: the generated code calls its Spec (impl, plain or on_list),
    the shared column reader or a table's own lookup, never a second implementation."""
    from metrology.doctype.formula.compiled import column_values
    from metrology.doctype.formula.functions import FUNCTIONS

    shared = {f for spec in FUNCTIONS.values() for f in (spec.impl, spec.plain, spec.on_list) if f is not None}
    shared.add(column_values)
    for pack in (fuel_pack, gauge_pack):
        compiled = compile_procedure(pack)
        cells = [cell.cell_contents for cell in compiled.fast.run.__closure__ or ()]
        called = [c for c in cells if callable(c) and not isinstance(c, type)]
        assert called
        for function in called:
            lookup = getattr(function, "__self__", None) is not None or function.__qualname__.startswith(
                "one_key_lookup")
            assert function in shared or lookup, function
