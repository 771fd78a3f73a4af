"""The scheme form previews the next number as it is edited: a JSON endpoint using allocation's formatting."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from metrology.numbering.models import NumberingScheme
from metrology.numbering.preview import number_preview_for
from metrology.numbering.services import number_preview

pytestmark = pytest.mark.django_db

NEW = "desk:numbering_numberingscheme_preview_new"


def test_the_preview_of_a_new_scheme_formats_the_parts_as_allocation_does(login, admin):
    parts = {"prefix": "ZS", "date_part": "YYMM", "separator": "/", "sequence_width": "3", "suffix": "-J",
             "reset": "monthly"}
    data = login(admin).get(reverse(NEW), parts).json()
    expected = NumberingScheme(prefix="ZS", date_part="YYMM", separator="/", sequence_width=3, suffix="-J",
                               reset="monthly").number_text(1, timezone.localdate())
    assert data == {"number": expected, "problems": []}
    assert re.fullmatch(r"ZS\d{4}/001-J", data["number"])


def test_the_preview_of_a_scheme_counts_on_from_its_counter(login, admin, scheme, allocate):
    today = timezone.localdate()
    allocate(scheme, on=today)
    allocate(scheme, on=today)
    data = login(admin).get(reverse("desk:numbering_numberingscheme_preview", args=[scheme.pk])).json()
    assert data == {"number": number_preview(scheme=scheme), "problems": []}
    assert data["number"].endswith("-0003")


def test_the_preview_says_why_a_change_would_be_refused(scheme, allocate):
    issued = allocate(scheme, on=timezone.localdate())
    data = number_preview_for(parts={"suffix": "/X"}, scheme=scheme)
    assert data["number"].endswith("0002/X")
    [problem] = data["problems"]
    assert issued.number in problem
    assert number_preview_for(parts={"reset": "monthly"}, scheme=scheme)["problems"]
    assert len(number_preview_for(parts={"sequence_width": "0", "date_part": "??"})["problems"]) == 2


def test_the_preview_needs_the_numbering_permission(login, inspector, scheme):
    client = login(inspector)
    assert client.get(reverse(NEW)).status_code == 403
    assert client.get(reverse("desk:numbering_numberingscheme_preview", args=[scheme.pk])).status_code == 403


def test_the_scheme_form_loads_its_preview_script_and_translated_text_without_inline_code(login, admin, scheme):
    client = login(admin)
    for url in (reverse("desk:numbering_numberingscheme_add"),
                reverse("desk:numbering_numberingscheme_change", args=[scheme.pk])):
        page = client.get(url).content.decode()
        assert 'src="/static/numbering/preview.js"' in page
        box = re.search(r'<div class="number-preview" id="number-preview" data-url="([^"]+)"', page)
        assert box and box.group(1).startswith("/desk/numbering/numberingscheme/")
        text = re.search(r'<script id="numbering-preview-text" type="application/json">(.*?)</script>', page, re.S)
        assert set(json.loads(text.group(1))) == {"failed"}
        inline = [body for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
                  if "src=" not in attrs and "application/json" not in attrs and body.strip()]
        assert inline == []


def test_the_scheme_list_shows_every_next_number_in_a_fixed_number_of_queries(login, admin, make_scheme,
                                                                             allocate):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(admin)
    url = reverse("desk:numbering_numberingscheme_changelist")
    first = make_scheme()
    allocate(first, on=timezone.localdate())
    expected = number_preview(scheme=first)
    with CaptureQueriesContext(connection) as few:
        assert expected in client.get(url).content.decode()
    for n, kind in enumerate(("检定结果通知书", "校准证书", "检测报告", "原始记录")):
        allocate(make_scheme(prefix=f"P{n}", document_kind=kind), on=timezone.localdate())
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
