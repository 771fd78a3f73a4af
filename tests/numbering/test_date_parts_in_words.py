"""Date parts are chosen by words (四位年份), not by codes such as YYYY or YYMM (#9)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from metrology.numbering.models import DATE_PART_CHOICES, NumberingScheme
from metrology.numbering.patterns import DatePart

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_date_part_has_a_name_in_words():
    assert [code for code, _label in DATE_PART_CHOICES] == list(DatePart)
    labels = [str(label) for _code, label in DATE_PART_CHOICES]
    assert all(HAN.search(label) for label in labels)
    assert "四位年份（如 2025）" in labels and "两位年份加月份（如 2503）" in labels


@pytest.mark.django_db
def test_the_scheme_form_offers_the_date_parts_in_words(login, admin):
    page = login(admin).get(reverse("desk:numbering_numberingscheme_add")).content.decode()
    options = dict(re.findall(r'<option value="(\w*)"[^>]*>([^<]*)</option>', page))
    assert options["YYYY"] == "四位年份（如 2025）" and options["YYMM"] == "两位年份加月份（如 2503）"


def test_a_scheme_names_its_date_part_in_words():
    assert NumberingScheme(date_part=DatePart.YYYYMM).get_date_part_display() == "四位年份加月份（如 202503）"
