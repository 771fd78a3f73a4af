"""The gap report names, for each skipped number, the reason in force when it was skipped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metrology.numbering.selectors import gap_report
from metrology.numbering.services import number_void, scheme_set_next

from .conftest import DAY

pytestmark = pytest.mark.django_db


def _rows(report):
    return [(gap.first, gap.last, gap.cause, gap.reason) for gap in report.gaps]


def test_a_range_skipped_again_after_the_start_moved_back_gives_the_later_reason(scheme, allocate, admin):
    allocate(scheme)                                                                   # 1
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=50, on=DAY, reason="预留给纸质证书")  # skips 2–49
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=10, on=DAY, reason="纸质证书只用到9号")
    allocate(scheme)                                                                   # 10
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=30, on=DAY, reason="分站接续")  # skips 11–29
    allocate(scheme)                                                                   # 30
    assert _rows(gap_report(scheme=scheme)) == [(2, 9, "start_adjusted", "预留给纸质证书"),
                                                 (11, 29, "start_adjusted", "分站接续")]


def test_a_voided_number_is_in_the_report_with_its_void_reason_who_and_when(scheme, allocate, admin):
    _first, second, _third = allocate(scheme), allocate(scheme), allocate(scheme)
    number_void(issued=second, actor=admin, reason="客户名称错误")
    report = gap_report(scheme=scheme)
    [gap] = report.gaps
    assert (gap.first, gap.last, gap.cause, gap.reason) == (2, 2, "voided", "客户名称错误")
    assert gap.voided == second and gap.by == admin and gap.at is not None
    assert report.unexplained == []


def test_voided_skipped_and_unexplained_sequences_come_in_order_each_with_its_reason(scheme, allocate, admin):
    from metrology.numbering.models import IssuedNumber

    allocate(scheme)
    number_void(issued=allocate(scheme), actor=admin, reason="重复出具")              # 2 voided
    IssuedNumber.objects.create(scheme=scheme, period="2025", sequence=5, number="JD2025-0005")  # 3–4 unexplained
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=8, on=DAY, reason="跳过不吉利号")  # skips 6–7
    allocate(scheme)
    assert _rows(gap_report(scheme=scheme)) == [(2, 2, "voided", "重复出具"), (3, 4, "unexplained", ""),
                                                 (6, 7, "start_adjusted", "跳过不吉利号")]


def test_the_desk_gap_report_shows_each_reason_beside_its_numbers(login, admin, scheme, allocate):
    allocate(scheme)
    number_void(issued=allocate(scheme), actor=admin, reason="客户名称错误")
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=20, on=DAY, reason="接续纸质台账")
    allocate(scheme)
    page = login(admin).get(reverse("desk:numbering_numberingscheme_gaps", args=[scheme.pk])).content.decode()
    voided_row = page.split('class="gap-voided"')[1].split("</tr>")[0]
    skipped_row = page.split('class="gap-start_adjusted"')[1].split("</tr>")[0]
    assert "客户名称错误" in voided_row and "JD2025-0002" in voided_row
    assert "接续纸质台账" in skipped_row and "<td>3</td><td>19</td>" in skipped_row
