"""The dashboard's numbers (统计看板, R-4.2.5) against counts made by hand over the records of the JJG 443
examples: records by state under the workflow's names, certificates issued this month by item, the pass
rate of this month and year, and the instruments due again within 30 days, per client."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from metrology.certificates.models import Certificate
from metrology.records.models import Record
from metrology.reports import dashboard_data
from metrology.reports.selectors import report_records

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 3)


def dated(record, **fields):
    Record.objects.filter(pk=record.pk).update(**fields)


def test_work_in_progress_is_counted_per_open_state_under_the_workflow_names(reported, statistician):
    from metrology.workflow.models import WorkflowState

    dated(reported["F1"], state="submitted")
    dated(reported["F2"], state="approved")  # final: done, not in progress
    dated(reported["F3"], state="returned")
    WorkflowState.objects.filter(workflow__is_active=True, code="submitted").update(name="待核验（本所）")
    counted = dashboard_data.records_by_state(report_records(statistician))
    open_states = WorkflowState.objects.filter(workflow__is_active=True, is_final=False).order_by("position")
    assert [s.code for s in counted] == [s.code for s in open_states]  # every open state, in the workflow's order
    by_hand = dict.fromkeys((s.code for s in open_states), 0)
    for record in Record.objects.all():
        if record.state in by_hand:
            by_hand[record.state] += 1
    assert {s.code: s.count for s in counted} == by_hand
    assert by_hand["draft"] == 2 and by_hand["submitted"] == by_hand["returned"] == 1 and "approved" not in by_hand
    assert {s.code: s.name for s in counted}["submitted"] == "待核验（本所）"


def issue(record, approver, number, when, state=Certificate.State.ISSUED):
    from metrology.doctype.document_kinds import DocumentKind
    from metrology.workflow.models import RecordStep

    approval = RecordStep.objects.create(record=record, action="approve", label="批准", from_state="verified",
                                         to_state="approved", actor=approver)
    return Certificate.objects.create(record=record, approval=approval, kind=DocumentKind.CERTIFICATE,
                                      number=number, state=state, numbered_at=when, issued_at=when)


def local(year, month, day, hour=12):
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def test_certificates_issued_this_month_are_counted_per_item(reported, statistician, approver, fuel):
    from metrology.doctype.models import Item

    other = Item.objects.create(code="ZZ-SCALE", name="电子计价秤")
    moved = reported["S2"]
    dated(moved, item=other)
    issue(reported["F1"], approver, "Z-1", local(2026, 12, 1, 0))   # first hour of the month, local time
    issue(reported["F2"], approver, "Z-2", local(2026, 12, 31, 23))
    issue(reported["F3"], approver, "Z-3", local(2026, 11, 30, 23))  # last month
    issue(reported["F3-rounded"], approver, "Z-4", local(2026, 12, 2), state=Certificate.State.VOID)
    issue(moved, approver, "Z-5", local(2026, 12, 2))
    counted = dashboard_data.certificates_issued_by_item(report_records(statistician), TODAY)
    assert [(row.item, row.count) for row in counted] == [(fuel[0].name, 2), ("电子计价秤", 1)]


def test_the_pass_rate_counts_records_with_a_conclusion_this_month_and_this_year(reported, statistician):
    assert {r.conclusion for r in reported.values()} == {"合格", "不合格"}
    dated(reported["F1"], verification_date=dt.date(2026, 12, 1))           # 合格, this month
    dated(reported["F3-rounded"], verification_date=dt.date(2026, 12, 2))   # 不合格, this month
    dated(reported["F2"], verification_date=dt.date(2026, 3, 9))           # 不合格, this year
    dated(reported["F3"], verification_date=dt.date(2025, 12, 30))          # last year: not counted
    dated(reported["S2"], verification_date=dt.date(2026, 12, 3), conclusion="")  # no conclusion: not counted
    rates = dashboard_data.pass_rates(report_records(statistician), TODAY)
    expected = {"month": ("F1", "F3-rounded"), "year": ("F1", "F3-rounded", "F2")}
    for period, examples in expected.items():
        passed = sum(1 for e in examples if reported[e].conclusion == "合格")
        assert (rates[period].passed, rates[period].total) == (passed, len(examples))
    assert rates["month"].percent == Decimal("50.0")
    assert rates["year"].percent == Decimal("33.3")
    assert dashboard_data.pass_rate(Record.objects.none(), TODAY, TODAY).percent is None


def test_instruments_due_within_30_days_are_the_latest_record_of_each_grouped_by_client(reported,
                                                                                         statistician):
    # 甲石油公司: F1 and F3 are one dispenser; its latest record (F3) is due in 10 days, F1's old date is not.
    dated(reported["F1"], serial_number="JY-1", verification_date=dt.date(2025, 12, 1),
          next_verification_date=dt.date(2026, 12, 5))
    dated(reported["F3"], serial_number="JY-1", verification_date=dt.date(2026, 11, 20),
          next_verification_date=dt.date(2026, 12, 13))
    # 乙加油站: F2 due today, S2 due in 31 days (too late).
    dated(reported["F2"], serial_number="JY-2", next_verification_date=TODAY)
    dated(reported["S2"], serial_number="JY-3", next_verification_date=TODAY + dt.timedelta(days=31))
    # 丙物流公司: re-verified since: its latest record is due next year, the older one said this month.
    dated(reported["F3-rounded"], serial_number="JY-4", verification_date=dt.date(2026, 12, 1),
          next_verification_date=dt.date(2027, 12, 1))
    older = Record.objects.get(pk=reported["F3-rounded"].pk)
    older.pk, older.raw_record_number = None, None
    older.verification_date, older.next_verification_date = dt.date(2025, 12, 10), dt.date(2026, 12, 10)
    older.save(force_insert=True)
    due = dashboard_data.due_for_reverification(report_records(statistician), TODAY)
    assert [(c.client, c.count, [i["serial_number"] for i in c.instruments]) for c in due] == [
        ("乙加油站", 1, ["JY-2"]), ("甲石油公司", 1, ["JY-1"])]
    assert due[1].instruments[0]["pk"] == reported["F3"].pk
    assert due[1].instruments[0]["next_verification_date"] == dt.date(2026, 12, 13)


def test_a_supervisor_s_dashboard_counts_only_their_jurisdiction(reported, supervisor):
    supervisor.jurisdiction = "甲石油"
    supervisor.save(update_fields=["jurisdiction"])
    counted = dashboard_data.records_by_state(report_records(supervisor))
    assert {s.code: s.count for s in counted}["draft"] == 2  # F1 and F3 of 甲石油公司
    assert sum(s.count for s in counted) == 2
