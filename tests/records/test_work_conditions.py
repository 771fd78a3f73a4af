"""The place and environmental conditions of the work on a raw record (#12 item 1, JJF 1069 / ISO/IEC 17025
7.8): noted by the record's own inspector while it is in their hands, audited, refused in Chinese otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from metrology.core.errors import ApplicationError
from metrology.core.models import AuditEvent
from metrology.records.conditions import record_conditions_set
from metrology.records.models import Record

from metrology.testing.fuel import api_start, fuel_example
from metrology.testing.signing import api_step, take

pytestmark = pytest.mark.django_db

F1 = fuel_example("F1")
SITE = {"place": "示范加油站（城东站）", "temperature": "20.5 ℃", "humidity": "55 %RH"}


def _stored(record: Record) -> dict[str, str]:
    record.refresh_from_db()
    return {"place": record.place, "temperature": record.temperature, "humidity": record.humidity}


def test_the_inspector_notes_the_conditions_and_an_audit_row_keeps_old_and_new(start, inspector):
    record = start()
    record_conditions_set(actor=inspector, record=record, request_id="c-1", **SITE)
    assert _stored(record) == SITE
    record_conditions_set(actor=inspector, record=record, place="  本所实验室  ", temperature="21.0 ℃",
                          humidity="55 %RH")
    assert _stored(record) == {"place": "本所实验室", "temperature": "21.0 ℃", "humidity": "55 %RH"}
    first, second = AuditEvent.objects.filter(action="record.conditions_set", object_id=str(record.pk)).order_by("id")
    assert first.actor_id == inspector.pk and first.after == {**SITE, "request_id": "c-1"}
    assert second.before == {"place": SITE["place"], "temperature": "20.5 ℃"}
    assert second.after == {"place": "本所实验室", "temperature": "21.0 ℃", "request_id": ""}


def test_saving_the_same_conditions_again_writes_no_second_audit_row(start, inspector):
    record = start()
    record_conditions_set(actor=inspector, record=record, **SITE)
    record_conditions_set(actor=inspector, record=record, **SITE)
    assert AuditEvent.objects.filter(action="record.conditions_set").count() == 1


def test_conditions_are_refused_once_the_record_is_submitted_and_accepted_again_when_withdrawn(
        start, enter, inspector, raw_record_scheme):
    record = start()
    enter(record, F1["inputs"])
    record = take(inspector, record, "submit")
    with pytest.raises(ApplicationError, match="本记录已提交，工作条件不能再更改。"):
        record_conditions_set(actor=inspector, record=record, **SITE)
    assert _stored(record) == {"place": "", "temperature": "", "humidity": ""}
    record = take(inspector, record, "withdraw", reason="忘记填写工作条件")
    record_conditions_set(actor=inspector, record=record, **SITE)
    assert _stored(record) == SITE


def test_another_inspector_cannot_note_the_conditions_of_a_record(start, inspector, make_person):
    record = start()
    other = make_person("lisi", "李四", "inspector")
    with pytest.raises(ApplicationError, match="只有本记录的检定员才能录入或修改其数据。"):
        record_conditions_set(actor=other, record=record, **SITE)
    assert not AuditEvent.objects.filter(action="record.conditions_set").exists()


def test_a_person_without_entry_permission_is_refused(start, verifier):
    record = start()
    with pytest.raises(ApplicationError, match="您没有录入原始记录的权限。"):
        record_conditions_set(actor=verifier, record=record, **SITE)


@pytest.mark.parametrize(("field", "label", "limit"), [
    ("place", "检定地点", 200), ("temperature", "环境温度", 50), ("humidity", "相对湿度", 50)])
def test_too_long_a_condition_is_refused_naming_the_field(start, inspector, field, label, limit):
    record = start()
    given = {**SITE, field: "长" * (limit + 1)}
    with pytest.raises(ApplicationError, match=f"^{label}太长，最多 {limit} 个字符。$") as refused:
        record_conditions_set(actor=inspector, record=record, **given)
    assert refused.value.field == field
    assert _stored(record) == {"place": "", "temperature": "", "humidity": ""}
    record_conditions_set(actor=inspector, record=record, **{**SITE, field: "长" * limit})
    assert getattr(Record.objects.get(pk=record.pk), field) == "长" * limit


def test_a_condition_given_as_a_number_is_refused_naming_the_field(start, inspector):
    record = start()
    with pytest.raises(ApplicationError, match="^环境温度必须是文字。$"):
        record_conditions_set(actor=inspector, record=record, **{**SITE, "temperature": 20.5})


def test_the_api_notes_the_conditions_and_the_record_answers_them(phone, inspector, initial):
    client, _device = phone(inspector)
    record = api_start(client, initial)
    assert record["conditions"] == {"place": "", "temperature": "", "humidity": ""}
    saved = client.post(f"/api/records/{record['id']}/conditions/", {**SITE, "request_id": "r-1"}, format="json")
    assert saved.status_code == 200, saved.json()
    assert saved.json() == SITE
    assert client.get(f"/api/records/{record['id']}/").json()["conditions"] == SITE
    assert client.get(f"/api/records/{record['id']}/entry/").json()["record"]["conditions"] == SITE
    assert AuditEvent.objects.get(action="record.conditions_set").after["request_id"] == "r-1"


def test_the_api_refuses_too_long_a_temperature_in_chinese_under_its_field(phone, inspector, initial):
    client, _device = phone(inspector)
    record = api_start(client, initial)
    refused = client.post(f"/api/records/{record['id']}/conditions/", {**SITE, "temperature": "2" * 51},
                          format="json")
    assert refused.status_code == 400
    assert refused.json() == {"temperature": ["环境温度太长，最多 50 个字符。"]}


def test_the_api_refuses_the_conditions_of_a_submitted_record(phone, inspector, initial, raw_record_scheme):
    from metrology.testing.fuel import api_save, entry_order

    client, _device = phone(inspector)
    record = api_start(client, initial)
    for value in entry_order(F1["inputs"]):
        assert api_save(client, record["id"], **value).status_code == 200
    assert api_step(client, record["id"], "submit").status_code == 200
    refused = client.post(f"/api/records/{record['id']}/conditions/", SITE, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"detail": "本记录已提交，工作条件不能再更改。"}


def test_the_standards_list_and_a_records_standards_give_measuring_range_and_accuracy(
        phone, inspector, initial):
    from metrology.records.models import Standard
    from metrology.records.services import standard_save

    standard = standard_save(actor=None, standard=Standard(
        name="标准金属量器 20 L", certificate_number="BZ-2025-001", measuring_range="20 L",
        accuracy="二等，MPE：±0.025 %", valid_until=dt.date.today() + dt.timedelta(days=365)))
    client, _device = phone(inspector)
    listed = client.get("/api/standards/").json()["results"]
    assert [(s["measuring_range"], s["accuracy"]) for s in listed] == [("20 L", "二等，MPE：±0.025 %")]
    record = api_start(client, initial)
    used = client.post(f"/api/records/{record['id']}/standards/", {"standard": standard.pk}, format="json").json()
    assert [(s["measuring_range"], s["accuracy"]) for s in used["standards"]] == [("20 L", "二等，MPE：±0.025 %")]


def test_the_desk_record_page_shows_the_conditions_read_only(login, supervisor, start, inspector):
    from django.urls import reverse

    record = start()
    record_conditions_set(actor=inspector, record=record, **SITE)
    page = login(supervisor).get(reverse("desk:records_record_change", args=[record.pk])).content.decode()
    conditions = page.split('class="record-conditions"')[1].split("</table>")[0]
    for label, value in (("检定地点", SITE["place"]), ("环境温度", "20.5 ℃"), ("相对湿度", "55 %RH")):
        assert f'<th scope="row">{label}</th><td>{value}</td>' in conditions
    assert 'name="place"' not in page


def test_the_device_manager_keeps_measuring_range_and_accuracy_in_the_equipment_list(login, device_manager):
    from django.urls import reverse

    from metrology.records.models import Standard

    manager = device_manager
    response = login(manager).post(reverse("desk:records_standard_add"), {
        "name": "标准金属量器 20 L", "measuring_range": "20 L", "accuracy": "二等",
        "certificate_number": "BZ-2026-050", "valid_until": "2027-01-04"})
    assert response.status_code == 302, response.content.decode()[:2000]
    standard = Standard.objects.get(certificate_number="BZ-2026-050")
    assert (standard.measuring_range, standard.accuracy) == ("20 L", "二等")
    listed = login(manager).get(reverse("desk:records_standard_changelist")).content.decode()
    assert "测量范围" in listed and "准确度等级／最大允许误差／测量不确定度" in listed and "二等" in listed
