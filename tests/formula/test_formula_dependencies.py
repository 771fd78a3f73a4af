from __future__ import annotations

import pytest

from metrology.doctype.formula import FormulaError, check, compile_tables, order, parse


def test_unknown_name_is_reported_with_its_position():
    problems = check(parse("V0 + (h - h_0) * d"), {"V0", "h", "d"})
    assert [(p.code, p.params["name"], p.column) for p in problems] == [("unknown_name", "h_0", 11)]


def test_every_unknown_name_is_reported():
    problems = check(parse("a + b + c"), {"b"})
    assert sorted(p.params["name"] for p in problems) == ["a", "c"]


def test_grid_columns_must_exist_and_grids_need_a_column():
    grids = {"runs": {"E", "V_J"}}
    problems = check(parse("AVERAGE(runs.E) + SUM(runs.X) + COUNT(runs)"), set(), grid_columns=grids)
    assert [(p.code, p.column) for p in problems] == [("unknown_name", 23), ("type", 39)]


def test_lookup_tables_are_checked_when_known():
    tables = compile_tables([{"name": "t", "keys": ["k"], "values": ["v"], "rows": [{"k": "a", "v": "1"}]}])
    problems = check(parse('LOOKUP("t", 1, 2) + LOOKUP("u", 1) + LOOKUP("t.w", 1)'), set(), tables=tables)
    assert [p.code for p in problems] == ["arg_count", "unknown_table", "unknown_table"]
    assert [p.column for p in problems] == [1, 21, 38]


def test_order_puts_each_formula_after_what_it_reads():
    formulas = {
        "重复性": parse("RANGE(runs.E) / 1.69"),
        "示值误差": parse("AVERAGE(runs.E)"),
        "runs.E": parse("(V_J - V_Bt) / V_Bt * 100"),
        "V_Bt": parse("V_B * 2"),
        "V_B": parse("V0 + h"),
    }
    result = order(formulas)
    assert result.index("V_B") < result.index("V_Bt") < result.index("runs.E")
    assert result.index("runs.E") < result.index("示值误差")
    assert result.index("runs.E") < result.index("重复性")


def test_order_is_stable_for_independent_formulas():
    assert order({"c": parse("1"), "a": parse("2"), "b": parse("3")}) == ["c", "a", "b"]


def test_a_cycle_is_reported_naming_the_fields_in_it():
    formulas = {"x": parse("1"), "a": parse("b + x"), "b": parse("c * 2"), "c": parse("a - 1")}
    with pytest.raises(FormulaError) as info:
        order(formulas)
    error = info.value
    assert error.code == "cycle"
    assert error.params["fields"] == ["a", "b", "c"]
    assert "a → b → c → a" in error.message
    assert error.field == "a"


def test_a_formula_reading_itself_is_a_cycle():
    with pytest.raises(FormulaError) as info:
        order({"a": parse("a + 1")})
    assert info.value.code == "cycle"
