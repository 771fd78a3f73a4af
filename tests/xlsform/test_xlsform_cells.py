"""Cell text ↔ values: ranges, lists, numbers typed into Excel."""

from __future__ import annotations

import datetime

import pytest

from metrology.doctype.xlsform.cells import cell_text
from metrology.doctype.xlsform.errors import CellError
from metrology.doctype.xlsform.layout import BOOLEAN, INTEGER, KEY_COLUMNS, OPTIONS, RANGE, SUB_TYPES


@pytest.mark.parametrize(
    ("bounds", "text"),
    [
        ({"ge": "0.9"}, ">=0.9"),
        ({"lt": "0.9"}, "<0.9"),
        ({"gt": "0", "le": "10"}, ">0,<=10"),
        ({"ge": "-1.5", "lt": "1E+2"}, ">=-1.5,<1E+2"),
    ],
)
def test_range_bounds_are_written_as_comparisons_and_read_back(bounds, text):
    assert RANGE.encode(bounds) == text
    assert RANGE.decode(text) == bounds


@pytest.mark.parametrize(
    ("text", "bounds"),
    [
        ("≥0.9", {"ge": "0.9"}),
        ("> 0 ， ≤ 10", {"gt": "0", "le": "10"}),
        ("<=10, >0", {"gt": "0", "le": "10"}),
        ("＜0.9", {"lt": "0.9"}),
    ],
)
def test_range_cells_accept_the_symbols_people_type(text, bounds):
    assert RANGE.decode(text) == bounds


@pytest.mark.parametrize("text", ["0.9", ">=x", ">0,>=1", "<1,<=2", "(0,10]", ">0,", "=5"])
def test_bad_range_cells_are_refused(text):
    with pytest.raises(CellError):
        RANGE.decode(text)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.1, "0.1"),
        (0.0012, "0.0012"),
        (9e-05, "0.00009"),
        (20.0, "20"),
        (1.6, "1.6"),
        (-40.0, "-40"),
        (1e20, "100000000000000000000"),
        (123456.789, "123456.789"),
        (7, "7"),
        (True, "TRUE"),
        (datetime.datetime(2024, 8, 31), "2024-08-31"),
        (datetime.datetime(2024, 8, 31, 9, 30), "2024-08-31 09:30:00"),
        ("  text ", "text"),
        ("", None),
        (None, None),
    ],
)
def test_cells_read_as_the_text_a_person_typed(value, text):
    assert cell_text(value) == text


def test_booleans_integers_and_lists_read_leniently():
    texts = ("TRUE", "false", "是", "否", "1", "0")
    assert [BOOLEAN.decode(t) for t in texts] == [True, False, True, False, True, False]
    assert INTEGER.decode("12") == 12
    with pytest.raises(CellError):
        INTEGER.decode("1.5")
    assert SUB_TYPES.decode("首次检定、后续检定") == ["首次检定", "后续检定"]
    assert OPTIONS.decode("汽油；柴油; 煤油") == ["汽油", "柴油", "煤油"]
    assert OPTIONS.decode('[{"value": "A", "label": "甲"}]') == [{"value": "A", "label": "甲"}]
    assert OPTIONS.encode(["a;b", "c"]) == '["a;b", "c"]'


def test_key_columns_name_their_match():
    keys = [{"column": "准确度等级", "match": "exact"}, {"column": "相对上限", "match": "range"}]
    assert KEY_COLUMNS.encode(keys) == "准确度等级;相对上限:range"
    assert KEY_COLUMNS.decode("准确度等级；相对上限：range") == keys
    with pytest.raises(CellError):
        KEY_COLUMNS.decode("相对上限:between")
