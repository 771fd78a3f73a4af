"""The reviewers' Desk pages: 待我处理 (sorted and filtered, only what waits for the person), the review page of
a record with its steps, and the history block with each signature's validity, shared with the record page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from metrology.records.models import Record
from metrology.records.services import value_change_after_submission
from metrology.testing.fuel import fuel_example, request_id
from metrology.testing.signing import api_step, take
from metrology.workflow.desk import waiting_count

pytestmark = pytest.mark.django_db

F1 = fuel_example("F1")
WAITING = "desk:workflow_waiting"
REVIEW = "desk:workflow_review"


@pytest.fixture
def submit(start, enter, inspector, raw_record_scheme):
    def make(serial_number: str, instrument_model: str = "", at: dt.datetime | None = None) -> Record:
        record = start(serial_number=serial_number, instrument_model=instrument_model)
        enter(record, F1["inputs"])
        record = take(inspector, record, "submit")
        if at is not None:
            Record.objects.filter(pk=record.pk).update(submitted_at=at)
            record.refresh_from_db()
        return record

    return make


@pytest.fixture
def submitted(submit):
    return submit("SN-REVIEW-1", "JQ-1")


def _rows(client, **query) -> list[int]:
    response = client.get(reverse(WAITING), query)
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'<tr data-record="(\d+)"', response.content.decode())]


def _page(client, name: str, *args) -> str:
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_the_waiting_list_holds_only_what_waits_for_the_person(login, verifier, approver, submitted, start):
    start(serial_number="SN-DRAFT-1")  # a draft waits for nobody's review
    assert _rows(login(verifier)) == [submitted.pk]
    assert _rows(login(approver)) == []
    take(verifier, submitted, "verify")
    assert _rows(login(verifier)) == []
    assert _rows(login(approver)) == [submitted.pk]


def test_the_inspector_finds_a_returned_record_waiting_for_them(login, inspector, verifier, submitted):
    take(verifier, submitted, "return", reason="读数不清")
    assert _rows(login(inspector)) == [submitted.pk]


def test_the_waiting_list_sorts_by_name_number_time_and_item(login, verifier, submit):
    now = timezone.now()
    older = submit("SN-B", "ZZ-9", at=now - dt.timedelta(hours=2))
    newer = submit("SN-A", "AA-1", at=now - dt.timedelta(hours=1))
    client = login(verifier)
    assert _rows(client, order="name") == [newer.pk, older.pk]
    assert _rows(client, order="number") == sorted([older.pk, newer.pk],
                                                   key=lambda pk: Record.objects.get(pk=pk).raw_record_number)
    assert _rows(client, order="time") == [older.pk, newer.pk]
    assert _rows(client, order="-time") == [newer.pk, older.pk]
    assert _rows(client, order="item") == [older.pk, newer.pk]
    page = client.get(reverse(WAITING), {"order": "-time"}).content.decode()
    assert 'data-column="time" aria-sort="descending"' in page and 'data-column="name" aria-sort="none"' in page


def test_an_unknown_order_falls_back_to_time(login, verifier, submit):
    now = timezone.now()
    older = submit("SN-B", at=now - dt.timedelta(hours=2))
    newer = submit("SN-A", at=now - dt.timedelta(hours=1))
    assert _rows(login(verifier), order="inspector__password") == [older.pk, newer.pk]


def test_the_waiting_list_filters_by_item(login, verifier, submitted, dispenser):
    client = login(verifier)
    assert _rows(client, item=dispenser.code) == [submitted.pk]
    assert _rows(client, item="no-such-item") == []
    page = _page(client, WAITING)
    assert f'<option value="{dispenser.code}">' in page


def test_the_review_page_offers_the_verifiers_steps_with_what_each_asks(login, verifier, submitted):
    page = _page(login(verifier), REVIEW, submitted.pk)
    verify = re.search(r'<form class="review-step-form" id="step-verify"(.*?)</form>', page, re.S).group(0)
    assert 'data-handwriting="true"' in verify and 'data-password="true"' in verify
    assert 'class="signature-pad"' in verify and 'name="password"' in verify and 'name="reason"' not in verify
    back = re.search(r'<form class="review-step-form" id="step-return"(.*?)</form>', page, re.S).group(0)
    assert 'name="reason"' in back and 'class="signature-pad"' not in back and 'name="password"' not in back
    assert submitted.raw_record_number in page and 'id="preview-raw"' in page
    assert f'data-url="/api/workflow/records/{submitted.pk}/steps/verify/"' in page


def test_the_review_page_offers_no_step_to_whom_none_belongs(login, approver, inspector, submitted):
    assert 'id="review-no-steps"' in _page(login(approver), REVIEW, submitted.pk)
    own = _page(login(inspector), REVIEW, submitted.pk)
    assert 'id="step-withdraw"' in own and 'id="step-verify"' not in own


def test_a_person_who_may_not_read_the_record_cannot_open_its_review_page(login, outsider, submitted):
    assert login(outsider).get(reverse(REVIEW, args=[submitted.pk])).status_code == 404


def test_the_history_shows_each_step_with_its_reason_and_signature(login, verifier, inspector, submitted):
    client = login(verifier)
    assert api_step(client, submitted.pk, "return", reason="第2次读数不清").status_code == 200
    page = _page(client, REVIEW, submitted.pk)
    steps = re.findall(r'<li class="review-step" data-step="\d+" data-action="(\w+)"', page)
    assert steps == ["submit", "return"]
    assert "第2次读数不清" in page
    signature = submitted.signatures.get()
    assert f'data-signature="{signature.pk}" data-valid="true"' in page
    assert f'src="/api/workflow/signatures/{signature.pk}/image/"' in page


def test_the_history_says_what_changed_between_submissions_in_the_procedures_words(
        login, verifier, inspector, submitted):
    take(verifier, submitted, "return", reason="第2次读数不清")
    value_change_after_submission(actor=inspector, record=submitted, request_id=request_id(), field="runs", row=2,
                                  column="h", value="120.0", reason="重新读取")
    take(inspector, submitted, "submit")
    page = _page(login(verifier), REVIEW, submitted.pk)
    changes = re.findall(r'<table class="review-step-changes">(.*?)</table>', page, re.S)
    assert len(changes) == 1  # the resubmission, against the first submission
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", changes[0])
    assert len(cells) == 1 and cells[0][1:] == ("121.0", "120.0") and cells[0][0].startswith("测量次数")


def test_a_signature_shows_invalid_on_both_pages_once_the_record_is_changed_in_the_database(
        login, verifier, supervisor, submitted):
    take(verifier, submitted, "verify")
    Record.objects.filter(pk=submitted.pk).update(inputs={**submitted.inputs, "委托单位": "改过的单位"})
    for person, name in ((verifier, REVIEW), (supervisor, "desk:records_record_change")):
        page = _page(login(person), name, submitted.pk)
        assert page.count('data-valid="false"') == 2, name  # the inspector's and the verifier's
        assert 'class="review-signature signature-invalid"' in page
        assert 'data-valid="true"' not in page


def test_the_record_page_shows_the_same_history_block(login, supervisor, verifier, submitted):
    take(verifier, submitted, "verify")
    page = _page(login(supervisor), "desk:records_record_change", submitted.pk)
    assert 'id="review-history"' in page and page.count('class="review-step"') == 2
    assert f'href="{reverse(REVIEW, args=[submitted.pk])}"' in page


def test_the_header_count_counts_what_waits_only_on_desk_pages(verifier, submitted):
    request = RequestFactory().get(reverse("desk:index"))
    request.user = verifier
    context = waiting_count(request)
    assert int(str(context["workflow_waiting_count"])) == 1
    html = render_to_string("workflow/waiting_link.html", context)
    assert 'data-waiting-count="1"' in html and f'href="{reverse(WAITING)}"' in html
    elsewhere = RequestFactory().get("/api/workflow/waiting/")
    elsewhere.user = verifier
    assert waiting_count(elsewhere) == {}


def test_the_waiting_page_says_how_many_wait(login, verifier, submitted):
    assert 'id="waiting-total" data-count="1"' in _page(login(verifier), WAITING)


def test_the_waiting_list_asks_the_database_as_often_for_three_records_as_for_one(login, verifier, submit):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(verifier)
    submit("SN-Q-1")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(WAITING)).status_code == 200
        return len(captured.captured_queries)

    one = queries()
    submit("SN-Q-2")
    submit("SN-Q-3")
    assert queries() == one
