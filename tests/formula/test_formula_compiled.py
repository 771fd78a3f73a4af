"""The compiled closures behave like the language reference: same values, same errors, same positions."""

from __future__ import annotations

import datetime
from decimal import Decimal, localcontext

import pytest

from metrology.doctype.formula import FormulaError, compile_tables, evaluate, parse, parse_decimal
from metrology.doctype.formula.compiled import Run, compile_formula
from metrology.doctype.formula.evaluator import execute
from metrology.doctype.formula.limits import CONTEXT
from metrology.doctype.formula.values import plain_decimal

TABLES = compile_tables(
    [{"name": "系数", "keys": ["油品"], "values": ["beta"], "rows": [{"油品": "汽油", "beta": "0.0012"}, {"油品": "1.60", "beta": "7"}]}]
)


def test_zero_divided_by_zero_is_a_division_by_zero_with_its_position():
    with pytest.raises(FormulaError) as info:
        evaluate("1 + 0 / a", {"a": Decimal(0)})
    assert (info.value.code, info.value.column) == ("div_zero", 7)
    with pytest.raises(FormulaError) as info:
        evaluate("b / a", {"a": Decimal(0), "b": Decimal(0)})
    assert (info.value.code, info.value.column) == ("div_zero", 3)


def test_a_formula_is_compiled_once():
    formula = parse("a * 2")
    assert formula.program is formula.program
    assert evaluate(formula, {"a": Decimal("1.5")}) == Decimal("3.0")


def test_row_names_are_read_from_the_row_and_win_over_the_environment():
    formula = parse("x + y")
    program = compile_formula(formula.ast, formula.source, {"x"})
    run = Run({"x": Decimal(100), "y": Decimal(1)}, {}, datetime.date(2026, 1, 1))
    run.row = {"x": Decimal(2)}
    with localcontext(CONTEXT):
        assert execute(program, run) == 3


@pytest.mark.parametrize("key, expected", [('"汽油"', "0.0012"), ("1.6", "7"), ('"1.600"', "7")])
def test_a_lookup_bound_to_its_tables_answers_like_the_general_one(key, expected):
    formula = parse(f'LOOKUP("系数", {key})')
    bound = compile_formula(formula.ast, formula.source, (), TABLES)
    with localcontext(CONTEXT):
        assert execute(bound, Run({}, TABLES, datetime.date(2026, 1, 1))) == Decimal(expected)
        assert execute(bound, Run({}, dict(TABLES), datetime.date(2026, 1, 1))) == Decimal(expected)
    assert evaluate(formula, {}, tables=TABLES) == Decimal(expected)


def test_a_lookup_without_a_match_names_the_table_and_the_position():
    formula = parse('1 + LOOKUP("系数", "柴油")')
    bound = compile_formula(formula.ast, formula.source, (), TABLES)
    with localcontext(CONTEXT), pytest.raises(FormulaError) as info:
        execute(bound, Run({}, TABLES, datetime.date(2026, 1, 1)))
    assert (info.value.code, info.value.column) == ("no_match", 5)


def test_the_step_budget_counts_nodes_and_list_elements():
    rows = [{"x": Decimal(1)} for _ in range(10)]
    assert evaluate("SUM(g.x)", {"g": rows}, max_steps=23) == 10  # 2 nodes + 10 + 10 elements
    with pytest.raises(FormulaError) as info:
        evaluate("SUM(g.x)", {"g": rows}, max_steps=21)
    assert info.value.code == "steps"


def test_an_untaken_if_branch_costs_nothing():
    rows = [{"x": Decimal(1)} for _ in range(100)]
    assert evaluate("IF(FALSE, SUM(g.x), 1)", {"g": rows}, max_steps=10) == 1


@pytest.mark.parametrize(
    "text", ["20.02", "-0", "+.5", "5.", "0.000", "1" * 40, "1" * 41, "1e3", "1_0", "NaN", "Inf", "", ".", "١٢", "x"]
)
def test_the_plain_decimal_shortcut_agrees_with_parse_decimal(text):
    value = plain_decimal(text)
    if value is not None:
        assert value.as_tuple() == parse_decimal(text).as_tuple()
    else:
        assert text in ("1" * 41, "1e3", "1_0", "NaN", "Inf", "", ".", "١٢", "x")
