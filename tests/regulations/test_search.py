"""Full-text search of the regulation library (R-4.2.3.7): the acceptance test is a Chinese phrase
from the body finding its document, PDF and Word alike."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from metrology.regulations.extraction import extract_text
from metrology.regulations.models import RegulationGram
from metrology.regulations.selectors import regulation_search
from metrology.regulations.services import regulation_upload
from metrology.regulations.uploads import check_upload

from .conftest import docx_bytes, upload

pytestmark = pytest.mark.django_db

BODY_PHRASE = "相对湿度不大于百分之九十五"


@pytest.fixture
def pdf_regulation(admin, sample_pdf, jobs):
    return jobs.after(lambda: regulation_upload(
        actor=admin, file=upload("JJG443-2023.pdf", sample_pdf, "application/pdf"), code="JJG 443-2023",
        title="燃油加油机检定规程"))


@pytest.fixture
def docx_regulation(admin, jobs):
    data = docx_bytes(broken=("使用中检查时应核对加油机的", "铅封和计量封印是否完好"))
    return jobs.after(lambda: regulation_upload(actor=admin, file=upload("JJF1229.docx", data),
                                                code="JJF 1229-2009", title="质量流量计型式评价大纲"))


def _codes(query: str) -> list[str]:
    return [hit.regulation.code for hit in regulation_search(query)]


def test_a_chinese_phrase_from_the_body_finds_the_pdf(pdf_regulation):
    assert BODY_PHRASE not in pdf_regulation.title
    assert _codes(BODY_PHRASE) == ["JJG 443-2023"]


def test_a_chinese_phrase_from_the_body_finds_the_docx(docx_regulation):
    assert _codes(BODY_PHRASE) == ["JJF 1229-2009"]


def test_a_phrase_finds_both_the_pdf_and_the_docx_that_contain_it(pdf_regulation, docx_regulation):
    assert sorted(_codes("选取三个流量点")) == ["JJF 1229-2009", "JJG 443-2023"]


def test_a_phrase_broken_across_a_line_of_the_pdf_is_still_found(pdf_regulation):
    text = pdf_regulation.text
    cut = next(m for m in re.finditer(r"(\w{4})\n(\w{4})", text) if not m.group(1).isascii())
    phrase = cut.group(1) + cut.group(2)
    assert phrase not in text  # pdftotext really broke the line inside it
    hits = regulation_search(phrase)
    assert [hit.regulation.code for hit in hits] == ["JJG 443-2023"]
    assert hits[0].snippet.hit.replace("\n", "") == phrase


def test_a_phrase_broken_by_a_line_break_in_the_docx_is_found(docx_regulation):
    assert "加油机的\n铅封" in docx_regulation.text
    assert _codes("加油机的铅封") == ["JJF 1229-2009"]


def test_text_in_a_docx_table_is_searchable(docx_regulation):
    assert _codes("正负百分之零点三") == ["JJF 1229-2009"]


def test_spaces_in_the_query_are_ignored(pdf_regulation):
    assert _codes("相对湿度 不大于\n百分之九十五") == ["JJG 443-2023"]


def test_a_phrase_whose_characters_all_occur_but_not_together_finds_nothing(pdf_regulation):
    phrase = "检定温度"  # each bigram's characters occur, the phrase does not
    assert phrase not in pdf_regulation.text
    assert regulation_search(phrase) == []


def test_search_by_code_ignores_spaces_case_and_dash_style(pdf_regulation, docx_regulation):
    assert _codes("JJG 443-2023") == ["JJG 443-2023"]
    assert _codes("jjg443") == ["JJG 443-2023"]
    assert _codes("JJF 1229—2009") == ["JJF 1229-2009"]


def test_search_by_title(pdf_regulation, docx_regulation):
    hits = regulation_search("型式评价")
    assert [(h.regulation.code, h.in_title) for h in hits] == [("JJF 1229-2009", True)]


def test_latin_words_are_found_in_any_case(docx_regulation):
    assert _codes("flow METER") == ["JJF 1229-2009"]


def test_code_and_title_hits_come_first_then_the_most_occurrences(make_regulation):
    make_regulation("JJG 1-2020", "某甲规程", "电子计价秤的检定。")
    make_regulation("JJG 2-2020", "某乙规程", "电子计价秤。电子计价秤。电子计价秤。")
    make_regulation("JJG 539-2016", "数字指示秤检定规程", "秤。")
    make_regulation("JJG 3-2020", "电子计价秤检定规程", "无关的正文。")
    assert _codes("计价秤") == ["JJG 3-2020", "JJG 2-2020", "JJG 1-2020"]
    assert regulation_search("计价秤")[1].occurrences == 3


def test_the_snippet_shows_the_hit_with_text_around_it(docx_regulation):
    snippet = regulation_search(BODY_PHRASE)[0].snippet
    assert snippet.hit == BODY_PHRASE
    assert snippet.before.endswith("五十五摄氏度，") and snippet.after.startswith("。")


def test_a_one_character_query_still_works(docx_regulation):
    assert _codes("铅") == ["JJF 1229-2009"]


def test_the_index_is_rebuilt_when_the_file_is_replaced(admin, docx_regulation, jobs):
    from metrology.regulations.services import regulation_update

    jobs.after(lambda: regulation_update(
        actor=admin, regulation=docx_regulation,
        file=upload("new.docx", docx_bytes("全新的正文内容：加油枪自封性能。", table=[]))))
    assert _codes(BODY_PHRASE) == []
    assert _codes("加油枪自封性能") == ["JJF 1229-2009"]
    assert RegulationGram.objects.filter(regulation=docx_regulation).exists()


def test_the_search_page_lists_code_title_status_and_a_highlighted_snippet(login, inspector, pdf_regulation):
    page = login(inspector).get(reverse("desk:regulations_regulation_search"), {"q": BODY_PHRASE})
    assert page.status_code == 200
    html = page.content.decode()
    assert "JJG 443-2023" in html and "燃油加油机检定规程" in html
    assert f"<mark>{BODY_PHRASE}</mark>" in html
    assert str(pdf_regulation.get_status_display()) in html
    assert reverse("desk:regulations_regulation_read", args=[pdf_regulation.pk]) in html


def test_the_search_page_escapes_what_it_shows(login, inspector, admin, jobs):
    data = docx_bytes("正文<script>alert(1)</script>结束", table=[])
    jobs.after(lambda: regulation_upload(actor=admin, file=upload("x.docx", data), code="JJF 9-2020",
                                         title="转义<b>测试</b>"))
    response = login(inspector).get(reverse("desk:regulations_regulation_search"), {"q": "<script>"})
    html = response.content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_the_extracted_pdf_text_is_chinese_text(sample_pdf):
    assert BODY_PHRASE in extract_text(check_upload(upload("a.pdf", sample_pdf))).text.replace("\n", "")
