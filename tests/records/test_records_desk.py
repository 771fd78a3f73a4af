"""The Desk's raw records (read-only list and page with its history), the measurement standards, and the
monitoring page of work in progress (R-4.1.2.4 d)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from metrology.core.models import AuditEvent
from metrology.records.models import Record, Standard
from metrology.records.services import value_change_after_submission
from metrology.testing.fuel import fuel_example, request_id
from metrology.testing.signing import take

pytestmark = pytest.mark.django_db

F1 = fuel_example("F1")
RECORDS = "desk:records_record_changelist"
STANDARDS = "desk:records_standard_changelist"
MONITORING = "desk:records_workinprogress_changelist"


@pytest.fixture
def device_manager(make_person):
    return make_person("sunqi", "孙七", "device_manager")


@pytest.fixture
def submitted(start, enter, inspector, raw_record_scheme):
    record = start(serial_number="SN-DESK-1")
    enter(record, F1["inputs"])
    return take(inspector, record, "submit")


def _list(client, **query) -> str:
    response = client.get(reverse(RECORDS), query)
    assert response.status_code == 200
    return response.content.decode()


def test_records_are_listed_for_those_who_may_query_them_and_only_read(login, supervisor, submitted, start):
    draft = start(serial_number="SN-DESK-2")
    client = login(supervisor)
    page = _list(client)
    assert submitted.raw_record_number in page and "SN-DESK-2" in page
    assert reverse("desk:records_record_add") not in page
    assert client.get(reverse("desk:records_record_add")).status_code == 403
    change = client.get(reverse("desk:records_record_change", args=[draft.pk]))
    assert change.status_code == 200 and b'type="submit"' not in change.content.split(b'id="content-main"')[1]


def test_people_without_the_query_permission_do_not_see_records(login, outsider, device_manager, submitted):
    for person in (outsider, device_manager):
        assert login(person).get(reverse(RECORDS)).status_code == 403


def test_the_list_filters_by_state_inspector_and_item_and_searches_number_and_serial(
        login, supervisor, submitted, start, dispenser, inspector):
    start(serial_number="SN-DRAFT-7")
    client = login(supervisor)
    assert "SN-DRAFT-7" not in _list(client, state__exact="submitted")
    assert "SN-DRAFT-7" in _list(client, state__exact="draft")
    by_person = _list(client, inspector__id__exact=inspector.pk)
    assert "SN-DRAFT-7" in by_person and "SN-DESK-1" in by_person
    assert "SN-DESK-1" in _list(client, item__id__exact=dispenser.pk)
    assert "SN-DRAFT-7" not in _list(client, q=submitted.raw_record_number)
    assert "SN-DESK-1" not in _list(client, q="SN-DRAFT")


@pytest.mark.parametrize("lookup", ["inspector__password__startswith", "inspector__id_number__startswith",
                                    "inputs__icontains", "inspector__username__exact"])
def test_the_list_refuses_lookups_it_does_not_offer(login, supervisor, submitted, lookup):
    assert login(supervisor).get(reverse(RECORDS), {lookup: "a"}).status_code == 400


def test_the_record_page_shows_values_results_verdict_and_the_changes_after_submission(
        login, supervisor, submitted, inspector):
    take(inspector, submitted, "withdraw", reason="读数看错")
    value_change_after_submission(actor=inspector, record=submitted, request_id=request_id(), field="runs", row=2,
                                  column="h", value="120.0", reason="读数看错，重新读取")
    page = login(supervisor).get(reverse("desk:records_record_change", args=[submitted.pk])).content.decode()
    assert "SN-DESK-1" in page and submitted.raw_record_number in page
    assert "示值误差" in page and "合格" in page
    changes = page.split('id="record-changes"')[1].split("</table>")[0]
    assert "121.0" in changes and "120.0" in changes
    assert "读数看错，重新读取" in changes and "张三" in changes
    assert "测量次数" in changes  # the place in the procedure's words, not its keys


def test_the_device_manager_adds_a_standard_with_its_validity_and_it_is_audited(login, device_manager):
    client = login(device_manager)
    response = client.post(reverse("desk:records_standard_add"), {
        "name": "标准金属量器 50 L", "certificate_number": "BZ-2026-050",
        "valid_from": "2026-01-05", "valid_until": "2027-01-04"})
    assert response.status_code == 302, response.content.decode()[:2000]
    standard = Standard.objects.get(certificate_number="BZ-2026-050")
    assert standard.valid_from == dt.date(2026, 1, 5)
    event = AuditEvent.objects.get(action="standard.saved")
    assert event.actor_id == device_manager.pk and event.after["valid_until"] == "2027-01-04"


def test_a_standard_whose_validity_ends_before_it_starts_is_refused(login, device_manager):
    response = login(device_manager).post(reverse("desk:records_standard_add"), {
        "name": "标准金属量器 50 L", "certificate_number": "BZ-2026-051",
        "valid_from": "2026-01-05", "valid_until": "2025-01-04"})
    assert response.status_code == 200 and not Standard.objects.exists()


def test_inspectors_see_the_standards_but_only_the_device_manager_changes_them(
        login, inspector, device_manager, make_standard):
    expired = make_standard(certificate_number="BZ-OLD", valid_until=timezone.localdate() - dt.timedelta(days=3))
    make_standard(certificate_number="BZ-NEW")
    client = login(inspector)
    page = client.get(reverse(STANDARDS), {"validity": "expired"}).content.decode()
    assert "BZ-OLD" in page and "BZ-NEW" not in page
    assert client.get(reverse("desk:records_standard_add")).status_code == 403
    assert client.post(reverse("desk:records_standard_change", args=[expired.pk]), {
        "name": "x", "certificate_number": "BZ-OLD", "valid_until": "2099-01-01"}).status_code == 403
    assert Standard.objects.get(pk=expired.pk).valid_until < timezone.localdate()
    manager = login(device_manager)
    assert manager.get(reverse(STANDARDS), {"validity": "expired"}).status_code == 200
    assert manager.get(reverse("desk:records_standard_delete", args=[expired.pk])).status_code == 403


def _age(record: Record, days: float) -> None:
    Record.objects.filter(pk=record.pk).update(created_at=timezone.now() - dt.timedelta(days=days))


def test_the_monitoring_page_counts_work_by_state_and_highlights_drafts_left_too_long(
        login, supervisor, submitted, start):
    old_draft, _fresh_draft = start(), start()
    _age(old_draft, 2)
    client = login(supervisor)
    page = client.get(reverse(MONITORING)).content.decode()
    assert 'data-count="total">3<' in page
    assert 'data-count="draft">2<' in page and 'data-count="submitted">1<' in page
    assert 'data-count="stale">1<' in page
    table = page.split('id="work-table"')[1].split("</table>")[0]
    stale_rows = [row for row in table.split("<tr")[1:] if 'class="work-stale"' in row]
    assert len(stale_rows) == 1 and 'data-state="draft"' in stale_rows[0] and "张三" in stale_rows[0]
    assert "燃油加油机" in stale_rows[0]
    assert "metrology/records/monitoring.js" in page and 'id="monitoring-text"' in page
    part = client.get(reverse(MONITORING), {"part": "table"}).content.decode()
    assert part.lstrip().startswith('<div id="work-summary"') and "<html" not in part


def test_the_monitoring_page_is_reached_from_the_home_page_and_the_records_list(login, supervisor):
    client = login(supervisor)
    assert reverse(MONITORING) in client.get(reverse("desk:index")).content.decode()
    assert reverse(MONITORING) in _list(client)


def test_the_monitoring_page_needs_the_query_permission(login, outsider):
    assert login(outsider).get(reverse(MONITORING)).status_code == 403


def test_the_monitoring_page_asks_the_database_the_same_number_of_times_as_records_grow(
        login, supervisor, start, make_person, dispenser, initial):
    from metrology.accounts.services.qualifications import qualification_add
    from metrology.records.services import record_start

    client = login(supervisor)
    start()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(MONITORING)).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for n in range(3):
        person = make_person(f"jl{n}", f"计量员{n}", "inspector")
        qualification_add(actor=None, person=person, certificate_number=f"JL-2024-01{n}",
                          issue_date=dt.date(2024, 3, 1), issuing_body="示范省市场监督管理局",
                          valid_until=dt.date(2029, 2, 28), items=["燃油加油机"])
        for days in (0, 3, 10):
            _age(record_start(actor=person, item=dispenser, sub_type=initial), days)
    assert queries() == few


def test_the_records_list_asks_the_database_the_same_number_of_times_as_records_grow(login, supervisor, start):
    client = login(supervisor)
    start()

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(RECORDS)).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    for n in range(5):
        start(serial_number=f"SN-MANY-{n}")
    assert queries() == few


def test_a_draft_without_results_has_a_readable_page(login, supervisor, start):
    draft = start()
    page = login(supervisor).get(reverse("desk:records_record_change", args=[draft.pk]))
    assert page.status_code == 200 and "record-changes" not in page.content.decode()
