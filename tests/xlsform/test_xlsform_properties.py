"""Any procedure-shaped dict survives export and reading, whatever odd values it holds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrology.doctype.xlsform import normalize, procedure_to_xlsx
from metrology.doctype.xlsform.reader import read_workbook

TEXT = st.text(alphabet=st.sampled_from(list("ab ;；、:=[]{}\"'\n,>0.9汉-")), max_size=6)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), TEXT)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=6,
)
NAMES = st.sampled_from(
    ["key", "label", "type", "grid", "required", "default", "min", "options", "step", "rows", "columns",
     "extra", "rows_min", "expression", "unknown", "id", "value", "each", "name", "keys", "values", "sheet",
     "inputs"]
)
ITEM = st.dictionaries(NAMES, VALUE, max_size=5)
FIELD = st.builds(lambda attrs, key: {**attrs, "key": key}, ITEM, st.sampled_from(["a", " b", "c;", 3, "g"]))
GRID = st.fixed_dictionaries(
    {"key": st.sampled_from(["g", "h"]), "type": st.just("grid"), "columns": st.lists(FIELD, max_size=3)}
)
BOUNDS = st.sampled_from(["gt", "ge", "lt", "le"])
RANGE = st.dictionaries(BOUNDS, st.sampled_from(["0", "0.9", "x", " 1"]), max_size=2)
TABLE = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["T", "T2", "a:b", "x" * 40]),
        "keys": st.sampled_from(
            [[], [{"column": "k", "match": "exact"}], [{"column": "r", "match": "range"}], ["k"]]
        ),
        "values": st.sampled_from([["v"], ["v", "w"], ["k"]]),
        "rows": st.lists(st.fixed_dictionaries({"k": TEXT, "r": RANGE, "v": TEXT}), max_size=3),
    }
)
PROCEDURE = st.fixed_dictionaries(
    {"format_version": SCALAR, "code": TEXT, "fields": st.lists(st.one_of(FIELD, GRID), max_size=4)},
    optional={
        "item": VALUE,
        "regulation": VALUE,
        "document_kinds": VALUE,
        "sub_types": VALUE,
        "unknown": VALUE,
        "extra": VALUE,
        "rules": st.lists(ITEM, max_size=3),
        "tables": st.lists(TABLE, max_size=2),
        "test_cases": st.lists(ITEM, max_size=2),
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PROCEDURE)
def test_any_procedure_shape_round_trips_through_a_workbook(procedure):
    reading = read_workbook(procedure_to_xlsx(procedure))
    assert reading.problems == []
    assert normalize(reading.procedure) == normalize(procedure)
