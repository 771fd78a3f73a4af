from __future__ import annotations

from decimal import Decimal

import pytest

from metrology.doctype.formula import FormulaError, compile_table, compile_tables, evaluate

TABLES = [
    {
        "name": "膨胀系数",
        "keys": [{"column": "油品", "match": "exact"}],
        "values": ["beta_Y"],
        "rows": [{"油品": "汽油", "beta_Y": "0.0012"}, {"油品": "柴油", "beta_Y": "0.0009"}],
    },
    {
        "name": "最大允许误差",
        "keys": [{"column": "等级", "match": "exact"}, {"column": "相对上限", "match": "range"}],
        "values": ["百分比", "说明"],
        "rows": [
            {"等级": "1.6", "相对上限": {"lt": "0.9"}, "百分比": "1.6", "说明": "其余"},
            {"等级": "1.6", "相对上限": {"ge": "0.9"}, "百分比": "2.5", "说明": "90%以上"},
        ],
    },
    {"name": "限值", "keys": [], "values": ["MPE"], "rows": [{"MPE": "0.30"}]},
]


def lookup(source: str, **env):
    return evaluate(source, env, tables=TABLES)


def test_lookup_by_an_exact_key_returns_the_single_value_column():
    assert lookup('LOOKUP("膨胀系数", 油品)', 油品="柴油") == Decimal("0.0009")


def test_lookup_by_range_respects_inclusive_and_exclusive_bounds():
    assert lookup('LOOKUP("最大允许误差.百分比", "1.6", 0.8999)') == Decimal("1.6")
    assert lookup('LOOKUP("最大允许误差.百分比", "1.6", 1.44 / 1.6)') == Decimal("2.5")
    assert lookup('LOOKUP("最大允许误差.说明", 1.60, 1)') == "90%以上"


def test_exact_numeric_keys_match_numerically():
    assert lookup('LOOKUP("最大允许误差.百分比", 1.60, 0)') == Decimal("1.6")


def test_a_table_without_keys_gives_its_one_row():
    assert lookup('LOOKUP("限值")') == Decimal("0.30")


def test_no_matching_row_names_the_table_and_the_keys():
    with pytest.raises(FormulaError) as info:
        lookup('LOOKUP("膨胀系数", 油品)', 油品="航煤")
    error = info.value
    assert error.code == "no_match"
    assert "膨胀系数" in error.message and "油品=“航煤”" in error.message
    assert error.column == 1


def test_several_value_columns_need_a_column_name():
    with pytest.raises(FormulaError) as info:
        lookup('LOOKUP("最大允许误差", "1.6", 0)')
    assert info.value.code == "unknown_table"


def test_unknown_table_and_wrong_key_count_are_errors():
    with pytest.raises(FormulaError) as info:
        lookup('LOOKUP("无此表", 1)')
    assert info.value.code == "unknown_table"
    with pytest.raises(FormulaError) as info:
        lookup('LOOKUP("膨胀系数")')
    assert info.value.code == "arg_count"


@pytest.mark.parametrize(
    "table",
    [
        {"name": "t", "values": ["v"], "rows": []},
        {"name": "t.x", "values": ["v"], "rows": [{"v": "1"}]},
        {"name": "t", "keys": [{"column": "k", "match": "fuzzy"}], "values": ["v"], "rows": [{"k": "1", "v": "1"}]},
        {"name": "t", "keys": [{"column": "k", "match": "range"}], "values": ["v"], "rows": [{"k": {"gt": "1", "ge": "1"}, "v": "1"}]},
        {"name": "t", "keys": ["k"], "values": ["v"], "rows": [{"k": "1"}]},
        {"name": "t", "keys": ["k"], "values": ["v"], "rows": [{"k": "1", "v": 0.5}]},
        {"name": "t", "values": ["v"], "rows": [{"v": "1"}, {"v": "2"}]},
    ],
)
def test_malformed_tables_are_refused_with_the_table_name(table):
    with pytest.raises(FormulaError) as info:
        compile_table(table)
    assert info.value.code == "bad_table"


def test_a_table_defined_twice_is_refused():
    with pytest.raises(FormulaError):
        compile_tables([TABLES[0], TABLES[0]])
