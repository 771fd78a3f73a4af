"""Whatever a designer saves or a client sends, the engine answers with problems, never a crash."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrology.doctype.engine import InputError, ProblemsError, compute, validate_procedure
from metrology.doctype.formula import FormulaError

PACK = json.loads(
    (Path(__file__).resolve().parents[2] / "apps/metrology/packs/jjg443_fuel_dispenser.json").read_text("utf-8")
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)
KEYS = ["key", "type", "fields", "rules", "tables", "columns", "rows", "expression", "each", "options", "name",
        "values", "keys", "value", "limit", "operator", "method", "interval", "min", "max", "document_kinds"]
SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(JSON)
def test_validate_procedure_returns_problems_for_any_json(data):
    assert isinstance(validate_procedure(data), list)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["fields", "rules", "tables"]), st.integers(0, 12),
                          st.sampled_from(KEYS), JSON), max_size=3))
def test_validate_procedure_survives_a_damaged_pack(damage):
    procedure = copy.deepcopy(PACK)
    for section, index, key, value in damage:
        items = procedure[section]
        if isinstance(items[index % len(items)], dict):
            items[index % len(items)][key] = value
    assert isinstance(validate_procedure(procedure), list)


@SETTINGS
@given(st.dictionaries(st.sampled_from(["油品", "V0", "h0", "d", "runs", "检定日期", "x"]), JSON, max_size=5))
def test_compute_answers_bad_inputs_with_an_input_error(inputs):
    try:
        compute(PACK, inputs)
    except (InputError, FormulaError):
        pass


def test_problems_errors_print_one_line_per_problem():
    try:
        compute(PACK, {"V0": "x"})
    except ProblemsError as error:
        assert len(str(error).splitlines()) == len(error.problems) >= 2
