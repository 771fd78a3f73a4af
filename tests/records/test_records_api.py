"""The records API does what the services do, with the same checks (#10 item 10)."""

from __future__ import annotations

import datetime as dt

import pytest

from metrology.numbering.models import IssuedNumber
from metrology.records.models import Record, RecordValue

from metrology.testing.fuel import api_save, api_start, entry_order, fuel_example
from metrology.testing.signing import api_step

pytestmark = pytest.mark.django_db

F1 = fuel_example("F1")


@pytest.fixture
def api(phone):
    """A client logged in as the person on an enabled phone: record writes need a device session."""
    return lambda person: phone(person)[0]


def test_an_inspector_starts_a_task_enters_f1_and_submits_it(api, inspector, initial, raw_record_scheme):
    client = api(inspector)
    assert [row["sub_type_name"] for row in client.get("/api/records/startable/").json()] == [
        "检定 · 首次检定", "检定 · 后续检定"]
    record = api_start(client, initial)
    for value in entry_order(F1["inputs"]):
        response = api_save(client, record["id"], **value)
        assert response.status_code == 200, response.json()
    live = response.json()["live"]
    assert (live["检定结论"], live["complete"]) == ("合格", True)
    assert client.get(f"/api/records/{record['id']}/results/").json()["检定结论"] == "合格"
    assert [r["id"] for r in client.get("/api/records/").json()["results"]] == [record["id"]]
    submitted = api_step(client, record["id"], "submit").json()
    assert submitted["state"] == "submitted"
    assert submitted["raw_record_number"] == f"YS{dt.date.today().year}-0001"
    assert RecordValue.objects.filter(record_id=record["id"], device=f"phone-of-the-test-{inspector.username}").count() == len(
        entry_order(F1["inputs"]))


def test_an_api_submission_that_skips_a_step_is_refused(api, inspector, initial, raw_record_scheme):
    client = api(inspector)
    record = api_start(client, initial)
    skipped = api_save(client, record["id"], field="runs", row=1, column="V_J", value="20.02")
    assert skipped.status_code == 400
    for value in entry_order(F1["inputs"])[:5]:
        assert api_save(client, record["id"], **value).status_code == 200
    refused = api_step(client, record["id"], "submit")
    assert refused.status_code == 400
    assert Record.objects.get(pk=record["id"]).state == Record.State.DRAFT
    assert not IssuedNumber.objects.exists()


def test_an_inspector_without_a_valid_qualification_cannot_start_over_the_api(api, make_person, initial):
    unqualified = make_person("nocert", "无证员", "inspector")
    client = api(unqualified)
    assert client.get("/api/records/startable/").json() == []
    response = client.post("/api/records/", {"item": "JJG443-FD", "sub_type": initial.pk}, format="json")
    assert response.status_code == 400
    assert not Record.objects.exists()


def test_a_person_without_entry_permission_cannot_start(api, verifier, initial):
    response = api(verifier).post("/api/records/", {"item": "JJG443-FD", "sub_type": initial.pk}, format="json")
    assert response.status_code == 403


def test_a_repeated_api_save_with_the_same_request_id_changes_nothing(api, inspector, initial):
    client = api(inspector)
    record = api_start(client, initial)
    body = {"field": "油品", "value": "汽油", "request_id": "phone-42"}
    first = client.post(f"/api/records/{record['id']}/values/", body, format="json").json()
    again = client.post(f"/api/records/{record['id']}/values/", body, format="json").json()
    assert (first["repeated"], again["repeated"], again["saved"]) == (False, True, first["saved"])
    assert RecordValue.objects.filter(record_id=record["id"], request_id="phone-42").count() == 1


def test_an_api_change_after_submission_needs_a_reason(api, inspector, initial, raw_record_scheme):
    client = api(inspector)
    record = api_start(client, initial)
    for value in entry_order(F1["inputs"]):
        api_save(client, record["id"], **value)
    api_step(client, record["id"], "submit")
    assert api_save(client, record["id"], field="V0", value="20.000", reason="按证书更正").status_code == 400  # under review
    api_step(client, record["id"], "withdraw", reason="V0 抄错")
    assert api_save(client, record["id"], field="V0", value="20.000").status_code == 400
    changed = api_save(client, record["id"], field="V0", value="20.000", reason="按证书更正")
    assert changed.status_code == 200
    assert Record.objects.get(pk=record["id"]).inputs["V0"] == "20.000"


def test_an_expired_standard_is_refused_over_the_api(api, inspector, initial, make_standard):
    client = api(inspector)
    record = api_start(client, initial)
    expired = make_standard(certificate_number="BZ-2020-009", valid_until=dt.date.today() - dt.timedelta(days=3))
    valid = make_standard()
    assert [s["id"] for s in client.get("/api/standards/").json()["results"]] == [valid.pk]
    assert client.post(f"/api/records/{record['id']}/standards/", {"standard": expired.pk},
                       format="json").status_code == 400
    used = client.post(f"/api/records/{record['id']}/standards/", {"standard": valid.pk}, format="json")
    assert [s["certificate_number"] for s in used.json()["standards"]] == ["BZ-2025-001"]
