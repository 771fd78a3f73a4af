"""The JSON API as the phone uses it: writes only from a session on an authorised device, entry in
the fixed order, idempotent saves, the preview, and the OpenAPI schema (#10 items 3, 5, 7, 8, 10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rest_framework.test import APIClient

from metrology.devices.services import device_disable
from metrology.doctype.document_kinds import DocumentKind
from metrology.records.models import Record, RecordValue

from metrology.testing.fuel import api_save, api_start, entry_order, fuel_example
from metrology.testing.signing import api_step

pytestmark = pytest.mark.django_db

F1 = fuel_example("F1")
NOT_AUTHORISED = "该设备未获授权，请联系设备管理员"
TEMPLATES = Path(__file__).resolve().parents[1] / "data" / "templates"


def test_an_api_submission_that_skips_a_step_is_refused(phone, inspector, initial):
    client, _device = phone(inspector)
    record = api_start(client, initial)
    skipped = api_save(client, record["id"], field="runs", row=1, column="V_J", value="20.02")
    assert skipped.status_code == 400
    assert "第 2 步" in skipped.json()["field"][0]
    for value in entry_order(F1["inputs"])[:5]:
        assert api_save(client, record["id"], **value).status_code == 200
    refused = api_step(client, record["id"], "submit")
    assert refused.status_code == 400
    assert Record.objects.get(pk=record["id"]).state == Record.State.DRAFT
    assert not RecordValue.objects.filter(record_id=record["id"], field="runs").exists()


def test_a_disabled_devices_session_is_cut_off_at_its_next_request(phone, inspector, initial, device_manager):
    client, device = phone(inspector)
    record = api_start(client, initial)
    device_disable(actor=device_manager, device=device, reason="lost")
    response = api_save(client, record["id"], field="油品", value="汽油")
    assert response.status_code == 401
    assert response.json() == {"detail": NOT_AUTHORISED, "code": "device_not_authorised"}
    assert client.get("/api/records/").status_code == 403  # the session is gone: not logged in any more
    assert not RecordValue.objects.filter(record_id=record["id"], field="油品").exists()


def test_a_repeated_save_with_the_same_request_id_changes_nothing(phone, inspector, initial):
    client, device = phone(inspector)
    record = api_start(client, initial)
    body = {"field": "V0", "value": "20", "request_id": "phone-7-0001"}
    first = client.post(f"/api/records/{record['id']}/values/", body, format="json").json()
    again = client.post(f"/api/records/{record['id']}/values/", body, format="json").json()
    assert (first["repeated"], again["repeated"], again["saved"]) == (False, True, first["saved"])
    assert again["live"] == first["live"]
    saved = RecordValue.objects.get(record_id=record["id"], request_id="phone-7-0001")
    assert (saved.value, saved.device) == ("20", device.identifier)


def test_record_writes_need_a_session_on_an_authorised_device(inspector, initial):
    client = APIClient()
    client.force_authenticate(inspector)  # a token or a Desk session: no device
    response = client.post("/api/records/", {"item": "JJG443-FD", "sub_type": initial.pk}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == NOT_AUTHORISED
    assert client.get("/api/records/startable/").status_code == 200  # reading needs no device
    assert not Record.objects.exists()


def test_the_entry_gives_the_pinned_versions_fields_in_their_steps(phone, inspector, initial):
    client, _device = phone(inspector)
    record = api_start(client, initial)
    entry = client.get(f"/api/records/{record['id']}/entry/").json()
    steps = {field["key"]: field["step"] for field in entry["fields"]}
    assert (steps["委托单位"], steps["油品"], steps["V0"], steps["runs"]) == (0, 1, 1, 2)
    runs = next(field for field in entry["fields"] if field["key"] == "runs")
    assert runs["rows"] == {"min": 1, "max": 4}
    assert [(c["key"], c["computed"]) for c in runs["columns"]][:2] == [("V_J", False), ("h", False)]
    assert all("expression" not in field for field in entry["fields"])
    assert entry["live"]["open_step"] == 1 and entry["record"]["item_name"] == "燃油加油机"


def test_the_certificate_preview_is_asked_for_polled_and_fetched_as_pdf(
        phone, inspector, initial, fuel_versions, settings, tmp_path):
    from metrology.print_formats.services import layout_upload
    from metrology.testing.jobs import InProcessJobs

    settings.MEDIA_ROOT = str(tmp_path / "files")
    jobs = InProcessJobs()
    layout_upload(actor=None, procedure=fuel_versions[0].procedure, kind=DocumentKind.CERTIFICATE,
                  data=(TEMPLATES / "certificate_jjg443.docx").read_bytes(), filename="certificate_jjg443.docx")
    client, _device = phone(inspector)
    record = api_start(client, initial)
    early = client.post(f"/api/records/{record['id']}/preview/", {"kind": "检定证书"}, format="json")
    assert early.status_code == 400 and early.json()["kind"]  # no certificate before the verdict
    for value in entry_order(F1["inputs"]):
        api_save(client, record["id"], **value)
    asked = client.post(f"/api/records/{record['id']}/preview/", {"kind": "检定证书"}, format="json")
    assert asked.status_code == 202
    state_url = f"/api/records/{record['id']}/preview/{asked.json()['job']}/"
    assert client.get(state_url).json() == {"state": "waiting", "message": "", "pdf": None}
    assert client.get(f"{state_url}pdf/").status_code == 409
    jobs.run()
    done = client.get(state_url).json()
    assert done["state"] == "done" and done["pdf"].endswith(f"{state_url}pdf/")
    pdf = client.get(f"{state_url}pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_openapi_schema_generates_with_the_apps_endpoints(login, inspector):
    response = login(inspector).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/records/", "/api/records/startable/", "/api/records/{id}/entry/",
                 "/api/records/{id}/values/", "/api/workflow/records/{id}/steps/{action}/", "/api/records/{id}/preview/",
                 "/api/records/{id}/preview/{job}/", "/api/records/{id}/preview/{job}/pdf/",
                 "/api/devices/login/", "/api/devices/session/", "/api/devices/logout/"):
        assert path in paths, path


def test_audit_rows_written_from_a_phone_name_its_device_as_verified(phone, inspector, initial):
    from metrology.core.models import AuditEvent

    client, device = phone(inspector)
    record = client.post("/api/records/", {"item": "JJG443-FD", "sub_type": initial.pk}, format="json",
                         HTTP_X_DEVICE_ID="a-claim-the-server-ignores").json()
    event = AuditEvent.objects.get(action="record.started", object_id=str(record["id"]))
    assert (event.device, event.device_claimed) == (device.identifier, False)


def test_a_device_named_only_by_the_client_stays_marked_as_claimed(rf, inspector):
    from django.db import transaction

    from metrology.core.audit import audit_log
    from metrology.core.request_context import bind_request

    request = rf.get("/desk/", HTTP_X_DEVICE_ID="desk-pc-42")
    with bind_request(request), transaction.atomic():
        event = audit_log(actor=inspector, action="person.updated", obj=inspector)
    assert (event.device, event.device_claimed) == ("desk-pc-42", True)
