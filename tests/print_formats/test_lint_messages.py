"""Lint says what the author wrote and why it is refused, in words, without engine internals (#9)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from metrology.print_formats.layouts import LayoutRefused, checked_layout
from metrology.testing.documents import docx_of_paragraphs

REPO = Path(__file__).resolve().parents[2]
PACK = json.loads((REPO / "apps/metrology/packs/jjg443_fuel_dispenser.json").read_text(encoding="utf-8"))
ENGINE_WORDS = re.compile(r"\b(?:Call|Getattr|Getitem|Import|FromImport|Include|Extends|Macro|CallBlock|Filter|"
                          r"Name|Const|TemplateSyntaxError|unexpected|expected|Encountered)\b")


def _errors(*paragraphs: str) -> list[str]:
    with pytest.raises(LayoutRefused) as caught:
        checked_layout(docx_of_paragraphs("{{ 证书编号 }}", *paragraphs), "docx", PACK)
    return caught.value.report.errors


@pytest.mark.parametrize("written, shown, why", [
    ("{{ 证书编号.upper() }}", "证书编号.upper(…)", "调用了函数或方法"),
    ("{{ runs[0] }}", "runs[0]", "方括号"),
    ("{{ ''.__class__.__mro__ }}", "''.__class__.__mro__", "读取了 .__mro__"),
    ("{% import 'os' as os %}", "{% import 'os' as os %}", "引入了另一个模板"),
    ("{% include 'other.docx' %}", "{% include 'other.docx' %}", "引入了另一个模板"),
    ("{% macro m() %}x{% endmacro %}", "{% macro m(…) %}", "宏"),
    ("{{ 证书编号 | tojson }}", "证书编号 | tojson", "过滤器 tojson"),
    ("{{ _secret }}", "_secret", "下划线"),
])
def test_a_refused_construct_is_named_as_written_with_the_reason(written, shown, why):
    errors = _errors(written)
    assert len(errors) == 1, errors
    assert shown in errors[0] and why in errors[0] and "出于安全考虑" in errors[0]
    assert not ENGINE_WORDS.search(errors[0]), errors[0]


@pytest.mark.parametrize("written, why", [
    ("{% for r in runs %}{{ r.V_Bt }}", "未结束的块"),
    ("{% for r in runs %}{{ r.V_Bt }}{% endif %}", "标签 endif"),
    ("{{ 证书编号 + }}", "无法识别的占位符或标签"),
])
def test_a_placeholder_that_cannot_be_read_is_explained_in_words(written, why):
    errors = _errors(written)
    assert len(errors) == 1 and why in errors[0], errors
    assert not ENGINE_WORDS.search(errors[0]), errors[0]
