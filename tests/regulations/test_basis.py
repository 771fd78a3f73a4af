"""The 检定依据 printed on certificates, taken from the regulation library."""

from __future__ import annotations

import datetime as dt

import pytest

from metrology.doctype.models import Item
from metrology.regulations.errors import RegulationRefused
from metrology.regulations.selectors import basis_entries, basis_for, regulations_for_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(make_regulation):
    return {
        "443": make_regulation("JJG 443-2023", "燃油加油机检定规程", effective_date=dt.date(2023, 9, 1)),
        "old": make_regulation("JJG 443-2015", "燃油加油机", effective_date=dt.date(2016, 1, 1),
                               withdrawal_date=dt.date(2023, 9, 1)),
        "1059": make_regulation("JJF 1059.1-2012", "测量不确定度评定与表示"),
    }


def test_the_basis_names_each_regulation_with_its_title_joined_by_a_chinese_comma(library):
    text = basis_for(["JJG 443-2023", "JJF 1059.1-2012"], on=dt.date(2025, 1, 1))
    assert text == "JJG 443-2023《燃油加油机检定规程》、JJF 1059.1-2012《测量不确定度评定与表示》"


def test_codes_are_matched_however_they_are_written_and_duplicates_dropped(library):
    assert basis_for(["jjg443—2023", "JJG 443-2023"], on=dt.date(2025, 1, 1)) == "JJG 443-2023《燃油加油机检定规程》"


def test_an_unknown_code_is_printed_as_given_and_flagged(library):
    assert basis_for(["JJG 443-2023", "JJG 9999-2020"], on=dt.date(2025, 1, 1)) == (
        "JJG 443-2023《燃油加油机检定规程》、JJG 9999-2020")
    assert [e.problem for e in basis_entries(["JJG 9999-2020"])] == ["unknown"]


def test_an_unknown_code_takes_the_title_the_procedure_gives(library):
    text = basis_for(["JJG 9999-2020"], titles={"JJG 9999-2020": "某某检定规程"})
    assert text == "JJG 9999-2020《某某检定规程》"


def test_a_withdrawn_regulation_is_flagged_with_its_current_edition(library):
    entry = basis_entries(["JJG 443-2015"], on=dt.date(2025, 1, 1))[0]
    assert entry.problem == "withdrawn" and entry.replacement == library["443"]
    assert basis_entries(["JJG 443-2015"], on=dt.date(2020, 1, 1))[0].problem == ""
    assert basis_entries(["JJG 443-2023"], on=dt.date(2023, 1, 1))[0].problem == "upcoming"


def test_strict_basis_refuses_unknown_and_withdrawn_codes(library):
    with pytest.raises(RegulationRefused) as caught:
        basis_for(["JJG 443-2015", "JJG 9999-2020"], on=dt.date(2025, 1, 1), strict=True)
    assert caught.value.code == "basis"
    assert "JJG 443-2015" in caught.value.message and "JJG 443-2023" in caught.value.message
    assert "JJG 9999-2020" in caught.value.message
    assert basis_for(["JJG 443-2023"], on=dt.date(2025, 1, 1), strict=True)


def test_the_regulations_of_an_item_come_in_the_items_order(library):
    item = Item(code="JJG443", name="燃油加油机", regulation_codes=["JJF 1059.1-2012", "JJG 443-2023", "JJG 1-1"])
    assert regulations_for_item(item) == [library["1059"], library["443"]]


def test_no_codes_give_an_empty_basis(library):
    assert basis_for([]) == ""
