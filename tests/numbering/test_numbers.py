"""Allocating, previewing, voiding and restarting numbers (R-4.2.3.8, R-4.3.8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from metrology.core.audit import audit_chain_verify
from metrology.core.errors import ApplicationError
from metrology.core.models import AuditEvent
from metrology.doctype.document_kinds import DocumentKind
from metrology.numbering.models import IssuedNumber, NumberCounter, StartAdjustment
from metrology.numbering.selectors import gap_report, scheme_for
from metrology.numbering.services import (
    number_allocate,
    number_preview,
    number_void,
    scheme_set_next,
    scheme_update,
)

from .conftest import DAY

pytestmark = pytest.mark.django_db


def test_numbers_are_issued_in_sequence_in_the_scheme_pattern(scheme, allocate):
    numbers = [allocate(scheme, reference=f"record:{i}").number for i in range(3)]
    assert numbers == ["JD2025-0001", "JD2025-0002", "JD2025-0003"]
    issued = IssuedNumber.objects.get(number="JD2025-0002")
    assert (issued.period, issued.sequence, issued.reference) == ("2025", 2, "record:1")
    assert issued.status == IssuedNumber.Status.ISSUED
    assert issued.issued_by.username == "admin"


def test_a_yearly_scheme_starts_again_at_one_in_a_new_year(scheme, allocate):
    assert allocate(scheme, on=dt.date(2025, 12, 31)).number == "JD2025-0001"
    assert allocate(scheme, on=dt.date(2025, 12, 31)).number == "JD2025-0002"
    assert allocate(scheme, on=dt.date(2026, 1, 1)).number == "JD2026-0001"


def test_a_monthly_scheme_starts_again_at_one_each_month(make_scheme, allocate):
    scheme = make_scheme(prefix="YS", date_part="YYMM", separator="", sequence_width=3, reset="monthly")
    assert allocate(scheme, on=dt.date(2025, 3, 31)).number == "YS2503001"
    assert allocate(scheme, on=dt.date(2025, 3, 31)).number == "YS2503002"
    assert allocate(scheme, on=dt.date(2025, 4, 1)).number == "YS2504001"


def test_a_scheme_that_never_resets_counts_on_across_years(make_scheme, allocate):
    scheme = make_scheme(prefix="CAL", date_part="", sequence_width=5, suffix="-Z", reset="never")
    assert allocate(scheme, on=dt.date(2025, 12, 31)).number == "CAL00001-Z"
    assert allocate(scheme, on=dt.date(2026, 1, 1)).number == "CAL00002-Z"


def test_the_preview_shows_the_next_number_without_using_it(scheme, allocate):
    assert number_preview(scheme=scheme, on=DAY) == "JD2025-0001"
    assert number_preview(scheme=scheme, on=DAY) == "JD2025-0001"
    assert not NumberCounter.objects.exists()
    assert allocate(scheme).number == "JD2025-0001"
    assert number_preview(scheme=scheme, on=DAY) == "JD2025-0002"


def test_a_rolled_back_approval_takes_its_number_back_so_no_gap_is_left(scheme, allocate, admin):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        number_allocate(scheme=scheme, actor=admin, on=DAY, reference="record:1")
        1 / 0  # the approval fails after numbering
    assert allocate(scheme).number == "JD2025-0001"
    assert gap_report(scheme=scheme).gaps == []


def test_a_number_once_issued_is_never_issued_again(scheme, allocate, admin):
    numbers = [allocate(scheme).number for _ in range(5)]
    number_void(issued=IssuedNumber.objects.get(number=numbers[-1]), actor=admin, reason="错填")
    numbers += [allocate(scheme).number for _ in range(5)]
    assert len(set(numbers)) == 10
    with pytest.raises(ApplicationError):
        IssuedNumber.objects.get(number=numbers[0]).delete()
    assert IssuedNumber.objects.count() == 10


def test_voiding_keeps_the_number_used_and_the_report_lists_it_with_its_reason(scheme, allocate, admin):
    first = allocate(scheme)
    number_void(issued=first, actor=admin, reason="证书信息错误，重新出具")
    assert allocate(scheme).number == "JD2025-0002"
    first.refresh_from_db()
    assert (first.status, first.voided_by, first.void_reason) == ("voided", admin, "证书信息错误，重新出具")
    report = gap_report(scheme=scheme)
    [gap] = report.gaps
    assert (gap.first, gap.last, gap.cause, gap.reason, gap.by) == (1, 1, "voided", "证书信息错误，重新出具", admin)
    assert report.unexplained == []
    assert [(n.number, n.void_reason) for n in report.voided] == [("JD2025-0001", "证书信息错误，重新出具")]
    event = AuditEvent.objects.get(action="number.voided")
    assert event.reason == "证书信息错误，重新出具" and event.object_id == str(first.pk)


def test_voiding_needs_a_reason_and_happens_once(scheme, allocate, admin):
    issued = allocate(scheme)
    with pytest.raises(ApplicationError) as refused:
        number_void(issued=issued, actor=admin, reason="  ")
    assert refused.value.field == "reason"
    number_void(issued=issued, actor=admin, reason="作废")
    with pytest.raises(ApplicationError):
        number_void(issued=issued, actor=admin, reason="again")


def test_setting_the_start_to_a_used_number_is_refused_and_changes_nothing(scheme, allocate, admin):
    for _ in range(3):
        allocate(scheme)
    audit_rows = AuditEvent.objects.count()
    for used in (1, 3):
        with pytest.raises(ApplicationError) as refused:
            scheme_set_next(scheme=scheme, actor=admin, next_sequence=used, on=DAY, reason="重来")
        assert refused.value.field == "next_sequence"
        assert "JD2025-0003" in refused.value.message and "4" in refused.value.message
    assert NumberCounter.objects.get(scheme=scheme, period="2025").last_sequence == 3
    assert not StartAdjustment.objects.exists()
    assert AuditEvent.objects.count() == audit_rows
    assert allocate(scheme).number == "JD2025-0004"


def test_a_voided_number_counts_as_used_when_setting_the_start(scheme, allocate, admin):
    allocate(scheme)
    number_void(issued=allocate(scheme), actor=admin, reason="作废")
    with pytest.raises(ApplicationError):
        scheme_set_next(scheme=scheme, actor=admin, next_sequence=2, on=DAY)


def test_raising_the_start_leaves_a_documented_gap_in_the_report(scheme, allocate, admin):
    for _ in range(3):
        allocate(scheme)
    adjustment = scheme_set_next(scheme=scheme, actor=admin, next_sequence=101, on=DAY, reason="接续纸质台账")
    assert adjustment.skipped == (4, 100)
    assert number_preview(scheme=scheme, on=DAY) == "JD2025-0101"
    assert allocate(scheme).number == "JD2025-0101"
    report = gap_report(scheme=scheme)
    [gap] = report.gaps
    assert (gap.period, gap.first, gap.last, gap.size, gap.cause) == ("2025", 4, 100, 97, "start_adjusted")
    assert gap.reason == "接续纸质台账" and gap.adjustment.set_by == admin
    assert report.unexplained == []
    event = AuditEvent.objects.get(action="numbering_scheme.start_set")
    assert event.after["skipped"] == [4, 100] and event.reason == "接续纸质台账"


def test_a_starting_number_set_before_the_first_issue_explains_the_numbers_below_it(scheme, allocate, admin):
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=1001, on=DAY)
    assert allocate(scheme).number == "JD2025-1001"
    [gap] = gap_report(scheme=scheme).gaps
    assert (gap.first, gap.last, gap.cause) == (1, 1000, "start_adjusted")


def test_the_start_may_move_back_down_while_it_stays_above_every_issued_number(scheme, allocate, admin):
    allocate(scheme)
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=500, on=DAY)
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=50, on=DAY)
    assert allocate(scheme).number == "JD2025-0050"
    [gap] = gap_report(scheme=scheme).gaps
    assert (gap.first, gap.last, gap.cause) == (2, 49, "start_adjusted")


def test_a_starting_number_applies_to_its_own_period_only(scheme, allocate, admin):
    allocate(scheme, on=dt.date(2025, 5, 1))
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=1, on=dt.date(2026, 1, 1))
    with pytest.raises(ApplicationError):
        scheme_set_next(scheme=scheme, actor=admin, next_sequence=1, on=dt.date(2025, 6, 1))


def test_a_hole_without_a_starting_number_change_is_reported_unexplained(scheme, allocate, admin):
    allocate(scheme)
    allocate(scheme)
    # A row written around number_allocate(), as a bug or a restored backup might leave it.
    IssuedNumber.objects.create(scheme=scheme, period="2025", sequence=5, number="JD2025-0005")
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=11, on=DAY, reason="跳号")
    allocate(scheme)
    report = gap_report(scheme=scheme, period="2025")
    assert [(g.first, g.last, g.cause) for g in report.gaps] == [(3, 4, "unexplained"),
                                                                  (6, 10, "start_adjusted")]
    assert [(g.first, g.last) for g in report.unexplained] == [(3, 4)]
    assert gap_report(scheme=scheme, period="2024").gaps == []


def test_every_write_is_audited_and_the_chain_stays_intact(scheme, allocate, admin):
    issued = allocate(scheme, reference="record:9")
    scheme_update(actor=admin, scheme=scheme, suffix="/J")
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=20, on=DAY)
    number_void(issued=issued, actor=admin, reason="作废")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert "numbering_scheme.created" in actions
    assert actions[-4:] == ["number.issued", "numbering_scheme.updated", "numbering_scheme.start_set",
                            "number.voided"]
    event = AuditEvent.objects.get(action="number.issued")
    assert event.after["number"] == "JD2025-0001" and event.after["reference"] == "record:9"
    assert AuditEvent.objects.get(action="numbering_scheme.updated").after == {"suffix": "/J"}
    assert audit_chain_verify().ok


def test_a_changed_prefix_applies_to_the_next_number(scheme, allocate, admin):
    allocate(scheme)
    scheme_update(actor=admin, scheme=scheme, prefix="JDZ")
    assert allocate(scheme).number == "JDZ2025-0002"


def test_a_used_scheme_keeps_its_reset_rule(scheme, allocate, admin):
    allocate(scheme)
    with pytest.raises(ApplicationError) as refused:
        scheme_update(actor=admin, scheme=scheme, reset="never")
    assert refused.value.field == "reset"
    scheme.refresh_from_db()
    assert scheme.reset == "yearly"


def test_a_reset_the_pattern_cannot_show_is_refused(make_scheme):
    with pytest.raises(ApplicationError) as refused:
        make_scheme(date_part="YYYY", reset="monthly")
    assert refused.value.field == "reset"


def test_two_schemes_with_the_same_pattern_are_refused(make_scheme):
    make_scheme()
    with pytest.raises(ApplicationError) as refused:
        make_scheme(document_kind=DocumentKind.NOTICE)
    assert refused.value.field == "prefix"


def test_a_number_another_pattern_already_made_is_refused_not_repeated(make_scheme, allocate):
    plain = make_scheme(prefix="JD2025-", date_part="", separator="", reset="never",
                        document_kind=DocumentKind.NOTICE)
    dated = make_scheme()
    assert allocate(plain).number == "JD2025-0001"
    with pytest.raises(ApplicationError) as refused:
        allocate(dated)
    assert "JD2025-0001" in refused.value.message
    assert IssuedNumber.objects.count() == 1


def test_an_inactive_scheme_issues_nothing(scheme, allocate, admin):
    scheme_update(actor=admin, scheme=scheme, is_active=False)
    with pytest.raises(ApplicationError):
        allocate(scheme)


def test_a_sub_type_uses_its_own_scheme_or_else_its_test_type_s(
    make_scheme, dispenser, verification, initial_verification
):
    general = make_scheme()
    kind = DocumentKind.CERTIFICATE
    assert scheme_for(item=dispenser, test_type=initial_verification, document_kind=kind) == general
    own = make_scheme(test_type=initial_verification, prefix="SJ")
    assert scheme_for(item=dispenser, test_type=initial_verification, document_kind=kind) == own
    assert scheme_for(item=dispenser, test_type=verification, document_kind=DocumentKind.TEST_REPORT) is None


@pytest.mark.django_db(transaction=True)
def test_allocating_outside_a_transaction_is_a_programming_error(make_scheme):
    scheme = make_scheme()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        number_allocate(scheme=scheme, actor=None, on=DAY)
    assert not IssuedNumber.objects.exists()
