from __future__ import annotations

import json
from decimal import Decimal

import pytest

from metrology.doctype.formula import Formula, FormulaError, evaluate, parse
from metrology.doctype.formula import nodes


def test_leading_equals_is_optional_and_positions_stay_in_the_source():
    with_equals = parse("=ROUNDGB((V_J - V_Bt) / V_Bt * 100, 0.01)")
    without = parse("ROUNDGB((V_J - V_Bt) / V_Bt * 100, 0.01)")
    assert with_equals.ast.name == without.ast.name == "ROUNDGB"
    assert with_equals.ast.pos == 1 and without.ast.pos == 0


def test_names_and_grid_columns_are_extracted_as_dependencies():
    formula = parse("AVERAGE(runs.E) + V0 * 示值误差 - LOOKUP(\"极差系数\", n)")
    assert formula.names == {"V0", "示值误差", "n"}
    assert formula.columns == {("runs", "E")}
    assert formula.tables == {"极差系数"}
    assert formula.functions == {"AVERAGE", "LOOKUP"}


def test_chinese_names_and_whitespace_anywhere_are_accepted():
    formula = parse("  示值误差\n *\t2 ")
    assert evaluate(formula, {"示值误差": Decimal("0.15")}) == Decimal("0.30")


def test_function_names_are_case_insensitive():
    assert evaluate("sum(1, 2) + Max(3, 4)", {}) == 7


@pytest.mark.parametrize(
    "source, value",
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("2 ^ 3 ^ 2", 64),  # left-associative, as in Excel
        ("-2 ^ 2", 4),  # unary minus binds tighter than ^, as in Excel
        ("2 * -3", -6),
        ("10 - 4 - 3", 3),
        ("12 / 3 / 2", 2),
        ("1 + 2 = 3", True),
        ('"a" & 1 + 1', "a2"),
        ("1 < 2 = TRUE", True),
        ("1.5e2", 150),
        (".5", Decimal("0.5")),
    ],
)
def test_operator_precedence_follows_excel(source, value):
    assert evaluate(source, {}) == value


def test_strings_use_doubled_quotes_for_a_quote():
    assert evaluate('"say ""hi"""', {}) == 'say "hi"'


def test_true_and_false_are_logical_literals_in_any_case():
    assert evaluate("true", {}) is True
    assert evaluate("FALSE", {}) is False


def test_the_syntax_tree_round_trips_through_json():
    formula = parse('=IF(AND(a >= 1, NOT(b)), ROUNDGB(-x ^ 2 / 3, 0.01), "无" & runs.E)')
    stored = json.loads(json.dumps(formula.to_json(), ensure_ascii=False))
    again = Formula.from_json(stored)
    assert again.ast == formula.ast
    assert again.names == formula.names and again.columns == formula.columns


def test_stored_trees_are_validated_not_trusted():
    stored = parse("SUM(1, 2)").to_json()
    stored["ast"]["name"] = "__IMPORT__"
    with pytest.raises(FormulaError) as info:
        Formula.from_json(stored)
    assert info.value.code == "unknown_function"
    with pytest.raises(FormulaError) as info:
        Formula.from_json({"format": 1, "source": "x", "ast": {"type": "name", "name": "a.__class__", "pos": 0}})
    assert info.value.code == "invalid_ast"
    with pytest.raises(FormulaError):
        Formula.from_json({"format": 1, "source": "x", "ast": {"type": "number", "value": "1e999999", "pos": 0}})


def test_a_syntax_error_reports_line_and_column():
    with pytest.raises(FormulaError) as info:
        parse("1 +\n  * 2")
    error = info.value
    assert error.code == "syntax"
    assert (error.line, error.column, error.offset) == (2, 3, 6)
    assert "line 2, column 3" in str(error)


def test_an_unclosed_call_reports_the_end_of_the_formula():
    with pytest.raises(FormulaError) as info:
        parse("SUM(1, 2")
    assert info.value.code == "syntax"
    assert info.value.column == 9
    assert "end of the formula" in info.value.message


def test_an_unknown_function_is_reported_with_its_position():
    with pytest.raises(FormulaError) as info:
        parse("1 + FOO(2)")
    assert info.value.code == "unknown_function"
    assert info.value.column == 5
    assert "FOO" in info.value.message


def test_a_wrong_argument_count_is_reported_with_its_position():
    with pytest.raises(FormulaError) as info:
        parse("ABS(1) + ROUNDGB(x)")
    error = info.value
    assert error.code == "arg_count"
    assert error.column == 10
    assert error.params == {"name": "ROUNDGB", "expected": "2", "count": 1}
    assert error.message == "ROUNDGB takes 2 argument(s), got 1"


def test_errors_carry_an_untranslated_template_and_params():
    with pytest.raises(FormulaError) as info:
        parse("1 + FOO(2)")
    assert info.value.template == "Unknown function {name}"
    assert info.value.to_dict()["params"] == {"name": "FOO"}


def test_an_empty_formula_is_a_syntax_error():
    for source in ("", "   ", "="):
        with pytest.raises(FormulaError) as info:
            parse(source)
        assert info.value.code == "syntax"


def test_nodes_are_immutable():
    formula = parse("1 + 2")
    with pytest.raises(Exception):
        formula.ast.op = "-"  # type: ignore[misc]
    assert isinstance(formula.ast, nodes.Binary)


@pytest.mark.parametrize(
    "source, column, message",
    [
        ("1 2", 3, "An operator is missing before “2”"),
        ("SUM(1 2)", 7, "An operator is missing before “2”"),
        ("1 +", 4, "The formula ends where a value is expected (a number, a name, a text in double quotes or “(”)"),
        ("f(1,)", 5, "A value is expected here (a number, a name, a text in double quotes or “(”), not “)”"),
        ("(1 + 2", 7, "A “)” is missing at the end of the formula"),
        ("1 + 2)", 6, "This “)” has no matching “(”"),
        ("(1, 2)", 3, "A comma can only separate the arguments of a function"),
        ("runs.", 6, "A column name must follow “.”"),
        ("SUM(1，2)", 6, "Use the half-width “,” instead of “，”"),
        ("SUM(1;2)", 6, "Separate the arguments of a function with a half-width comma “,”, not “;”"),
        ('油品 = “汽油”', 6, 'Write a text in half-width double quotes, like "汽油", not in “ ”'),
        ('"汽油', 1, "This text has no closing double quote"),
        ("1 # 2", 3, "Unexpected character “#”"),
    ],
)
def test_a_syntax_error_says_in_one_sentence_what_is_wrong_where(source, column, message):
    with pytest.raises(FormulaError) as info:
        parse(source)
    assert (info.value.code, info.value.column, info.value.message) == ("syntax", column, message)


ENGLISH_WORDS = {"the", "of", "a", "an", "at", "least", "to", "blank", "text", "number", "list", "logical", "date",
                 "value", "end", "formula", "side", "left", "right", "unary", "key", "table", "none", "keys"}


@pytest.mark.parametrize("source, env", [
    ("1 + 油品", {"油品": "汽油"}), ("-runs.E", {"runs": [{"E": Decimal(1)}]}), ("SQRT(TRUE)", {}),
    ('ROUND(1, "x")', {}), ("ROUNDGB(1, x)", {"x": "y"}), ("EDATE(1, 2)", {}), ('IF("x", 1, 2)', {}),
    ('AND("x")', {}), ('NOT("x")', {}), ('SUM("x")', {}), ('"a" < 1', {}), ('TODAY() + "x"', {}),
    ("ROUNDGB(1)", {}), ("SUM()", {}), ("IF(1)", {}), ("1 +", {}), ("1 2", {}),
])
def test_error_messages_carry_no_english_words_as_parameters(source, env):
    """#9: a template is a whole sentence; its parameters are names, numbers, operators and values."""
    with pytest.raises(FormulaError) as info:
        evaluate(source, env)
    words = {w.lower() for value in info.value.params.values() for w in str(value).replace("“", " ").split()}
    assert not words & ENGLISH_WORDS, (info.value.template, info.value.params)
