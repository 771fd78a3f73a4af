from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from metrology.doctype.formula import FormulaError, evaluate, parse


def test_decimal_arithmetic_is_exact_so_point_one_plus_point_two_is_point_three():
    result = evaluate("0.1 + 0.2", {})
    assert isinstance(result, Decimal)
    assert result == Decimal("0.3")
    assert str(result) == "0.3"


def test_results_are_decimals_never_floats():
    env = {"a": Decimal("1.10"), "b": 3}
    for source in ("a * b", "a / b", "SQRT(a)", "AVERAGE(a, b)", "POWER(a, 2)", "ROUND(a / 3, 4)"):
        assert type(evaluate(source, env)) is Decimal


def test_a_binary_float_in_the_environment_is_refused():
    with pytest.raises(FormulaError) as info:
        evaluate("a + 1", {"a": 0.1})
    assert info.value.code == "type"
    assert "float" in info.value.message


def test_intermediates_are_not_rounded():
    assert evaluate("1 / 3 * 3", {}) == Decimal("0.9999999999999999999999999999999999")
    assert evaluate("(20.06 - 19.9992) / 19.9992 * 100", {}).quantize(Decimal("1e-9")) == Decimal("0.304012160")


def test_division_by_zero_at_run_time_is_reported_with_its_position():
    with pytest.raises(FormulaError) as info:
        evaluate("a / (b - 2)", {"a": Decimal(1), "b": Decimal(2)})
    assert info.value.code == "div_zero"
    assert info.value.column == 3


def test_text_where_a_number_is_needed_is_a_type_error_with_position():
    with pytest.raises(FormulaError) as info:
        evaluate("1 + 油品", {"油品": "汽油"})
    error = info.value
    assert error.code == "type"
    assert error.column == 3
    assert error.message == "The operator + needs numbers, got “汽油”"


def test_an_unknown_name_at_run_time_is_reported_with_its_position():
    with pytest.raises(FormulaError) as info:
        evaluate("1 + x", {})
    assert (info.value.code, info.value.column) == ("unknown_name", 5)


def test_if_evaluates_only_the_branch_it_takes():
    assert evaluate("IF(n >= 2, 1 / 0, 5)", {"n": Decimal(1)}) == 5
    assert evaluate("IF(n >= 2, 7, 1 / 0)", {"n": Decimal(2)}) == 7


def test_if_without_a_third_argument_gives_blank_when_false():
    assert evaluate("IF(1 > 2, 1)", {}) is None


def test_blank_propagates_through_arithmetic_and_scalar_functions():
    env = {"x": None}
    assert evaluate("x * 2 + 1", env) is None
    assert evaluate("ABS(x)", env) is None
    assert evaluate("x < 1", env) is None
    assert evaluate("x = \"\"", env) is True
    assert evaluate("x & \"a\"", env) == "a"


def test_aggregates_mix_lists_and_scalars_and_skip_blanks():
    env = {"runs": [{"E": Decimal("1")}, {"E": None}, {"E": Decimal("-3")}]}
    assert evaluate("SUM(runs.E, 10)", env) == 8
    assert evaluate("AVERAGE(runs.E)", env) == -1
    assert evaluate("COUNT(runs.E)", env) == 2
    assert evaluate("MIN(runs.E)", env) == -3
    assert evaluate("MAX(runs.E, 5)", env) == 5
    assert evaluate("RANGE(runs.E)", env) == 4
    assert evaluate("MAXABS(runs.E)", env) == -3


def test_maxabs_keeps_the_sign_and_the_first_of_equal_magnitudes():
    assert evaluate("MAXABS(0.010, -0.020, 0.015)", {}) == Decimal("-0.020")
    assert evaluate("MAXABS(0.02, -0.02)", {}) == Decimal("0.02")


def test_stdev_is_the_sample_standard_deviation():
    value = evaluate("STDEV(2, 4, 4, 4, 5, 5, 7, 9)", {})
    assert value.quantize(Decimal("1e-12")) == Decimal("2.138089935299")


def test_average_of_nothing_is_a_division_by_zero():
    with pytest.raises(FormulaError) as info:
        evaluate("AVERAGE(runs.E)", {"runs": []})
    assert info.value.code == "div_zero"


def test_logical_functions():
    assert evaluate("AND(TRUE, 1 < 2)", {}) is True
    assert evaluate("OR(FALSE, 1 > 2)", {}) is False
    assert evaluate("NOT(1 > 2)", {}) is True


def test_round_is_half_away_from_zero_like_excel():
    assert evaluate("ROUND(2.5, 0)", {}) == 3
    assert evaluate("ROUND(-2.5, 0)", {}) == -3
    assert evaluate("ROUND(1.005, 2)", {}) == Decimal("1.01")
    assert evaluate("ROUND(1268, -2)", {}) == 1300


def test_roundup_rounds_away_from_zero():
    assert evaluate("ROUNDUP(0.0121, 3)", {}) == Decimal("0.013")
    assert evaluate("ROUNDUP(-0.0121, 3)", {}) == Decimal("-0.013")


def test_power_and_sqrt_within_bounds():
    assert evaluate("POWER(2, 0.5)", {}).quantize(Decimal("1e-20")) == Decimal("1.41421356237309504880")
    assert evaluate("SQRT(2) ^ 2", {}).quantize(Decimal("1e-20")) == 2
    assert evaluate("2 ^ -2", {}) == Decimal("0.25")


def test_sqrt_of_a_negative_number_is_a_domain_error():
    with pytest.raises(FormulaError) as info:
        evaluate("SQRT(-1)", {})
    assert info.value.code == "domain"


def test_edate_clamps_to_the_end_of_the_month_like_excel():
    env = {"d": datetime.date(2024, 8, 31)}
    assert evaluate("EDATE(d, 6)", env) == datetime.date(2025, 2, 28)
    assert evaluate("EDATE(d, -6)", env) == datetime.date(2024, 2, 29)
    assert evaluate("EDATE(d, 12)", env) == datetime.date(2025, 8, 31)


def test_today_comes_from_the_caller_when_given():
    day = datetime.date(2026, 1, 15)
    assert evaluate("TODAY()", {}, today=day) == day
    assert evaluate("EDATE(TODAY(), 6) - TODAY()", {}, today=day) == 181


def test_text_comparison_is_case_insensitive_like_excel():
    assert evaluate('"abc" = "ABC"', {}) is True
    assert evaluate('"a" < "B"', {}) is True


def test_comparing_a_number_with_text_by_order_is_a_type_error():
    with pytest.raises(FormulaError) as info:
        evaluate('1 < "a"', {})
    assert info.value.code == "type"


def test_a_whole_grid_is_not_a_value():
    with pytest.raises(FormulaError) as info:
        evaluate("SUM(runs)", {"runs": [{"E": Decimal(1)}]})
    assert info.value.code == "type"


def test_a_list_cannot_be_used_in_arithmetic():
    with pytest.raises(FormulaError) as info:
        evaluate("runs.E * 2", {"runs": [{"E": Decimal(1)}]})
    assert info.value.code == "type"


def test_evaluating_a_parsed_formula_many_times_is_fast():
    import time

    formula = parse("(V_J - V_B * (1 + b * (t_J - t_B))) / (V_B * (1 + b * (t_J - t_B))) * 100")
    env = {k: Decimal(v) for k, v in {"V_J": "20.02", "V_B": "20.017", "b": "0.0012", "t_J": "24.3", "t_B": "24.1"}.items()}
    start = time.perf_counter()
    for _ in range(1000):
        evaluate(formula, env)
    assert (time.perf_counter() - start) / 1000 < 0.0005
