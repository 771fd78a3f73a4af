"""Drafts save as they are; publishing needs no problems and passing, person-confirmed test cases
(issue #9, items 4 and 5; R-4.3.5.6–7)."""

from __future__ import annotations

import copy
import json

import pytest
from django.urls import reverse

from metrology.core.models import AuditEvent
from metrology.doctype.errors import ProcedureRefused
from metrology.doctype.models import Item, ProcedureVersion, TestType
from metrology.doctype.services import procedure_create

pytestmark = pytest.mark.django_db


def scale_definition() -> dict:
    """A digital scale: a grid of loads, a range-keyed limit table and a rule on every row."""
    return {
        "format_version": 1, "code": "SCALE", "name": "电子秤检定", "test_type": "检定", "sub_types": ["首次检定"],
        "fields": [
            {"key": "runs", "label": "示值误差", "type": "grid", "rows": {"min": 1, "max": 5}, "columns": [
                {"key": "m", "label": "载荷", "type": "number", "required": True},
                {"key": "I", "label": "示值", "type": "number", "required": True},
                {"key": "E", "label": "误差", "type": "formula", "expression": "=I - m"}]},
            {"key": "最大误差", "label": "最大误差", "type": "formula", "expression": "=MAXABS(runs.E)"},
        ],
        "tables": [{"name": "最大允许误差", "keys": [{"column": "载荷", "match": "range"}], "values": ["mpe"],
                    "rows": [{"载荷": {"lt": "500"}, "mpe": "0.5"}, {"载荷": {"ge": "500"}, "mpe": "1.0"}]}],
        "rules": [{"id": "point_error", "label": "示值误差", "value": "=ABS(E)", "operator": "<=",
                   "limit": "=LOOKUP(\"最大允许误差.mpe\", m)", "each": "runs"}],
        "test_cases": [{"name": "T1", "inputs": {"runs": [{"m": "100", "I": "100.2"}, {"m": "600", "I": "600.3"}]},
                        "expected": {"runs": [{"E": "0.2"}, {"E": "0.3"}], "最大误差": "0.3", "检定结论": "合格"}}],
    }


@pytest.fixture
def scale(admin):
    item = Item.objects.create(code="SCALE", name="电子秤", is_authorised=True)
    sub_type = TestType.objects.get(parent__name="检定", name="首次检定")
    return procedure_create(actor=admin, item=item, sub_type=sub_type, code="SCALE-首次检定", name="电子秤检定",
                            definition=scale_definition())


def _post(client, name: str, version: ProcedureVersion, body: dict):
    url = reverse(f"desk:doctype_procedureversion_{name}", args=[version.pk])
    return client.post(url, json.dumps(body, ensure_ascii=False), content_type="application/json")


def _with_unknown_table() -> dict:
    definition = scale_definition()
    definition["rules"][0]["limit"] = "=LOOKUP(\"尚未建立的表.mpe\", m)"
    return definition


def test_a_draft_naming_a_table_not_yet_made_saves_and_reloads_intact(login, admin, scale):
    client = login(admin)
    definition = _with_unknown_table()
    answer = _post(client, "save", scale, {"definition": definition, "change_note": "先写规则"})
    body = answer.json()
    assert answer.status_code == 200 and body["ok"]
    assert body["message"] == "草稿已保存，尚有 1 个问题，发布前须解决。"
    assert body["problems"][0]["where"] == "rules.point_error" and "尚未建立的表" in body["problems"][0]["message"]
    assert body["case_results"] == []
    stored = ProcedureVersion.objects.get(pk=scale.pk)
    assert stored.definition == definition and stored.fingerprint == body["fingerprint"]
    page = client.get(reverse("desk:doctype_procedureversion_design", args=[scale.pk]))
    assert page.context["definition_json"] == definition


def test_publishing_a_draft_with_problems_is_refused_naming_them(login, admin, scale):
    client = login(admin)
    _post(client, "save", scale, {"definition": _with_unknown_table()})
    answer = _post(client, "publish", scale, {})
    body = answer.json()
    assert answer.status_code == 400 and not body["ok"]
    assert "1 个问题" in body["message"] and "尚未建立的表" in body["problems"][0]["message"]
    assert ProcedureVersion.objects.get(pk=scale.pk).status == "draft"


def test_a_definition_that_is_not_an_object_is_refused_and_nothing_changes(login, admin, scale):
    answer = _post(login(admin), "save", scale, {"definition": ["fields"]})
    assert answer.status_code == 400
    assert answer.json()["ok"] is False and answer.json()["problems"] == [] and "JSON" in answer.json()["message"]
    assert ProcedureVersion.objects.get(pk=scale.pk).fingerprint == scale.fingerprint


def test_saving_writes_its_audit_row(login, admin, scale):
    definition = _with_unknown_table()
    answer = _post(login(admin), "save", scale, {"definition": definition})
    event = AuditEvent.objects.get(action="procedure.draft_saved")
    assert event.after["fingerprint"] == answer.json()["fingerprint"] != scale.fingerprint
    assert event.before["fingerprint"] == scale.fingerprint


def test_a_clean_save_says_so_and_reports_each_test_case(login, admin, scale):
    body = _post(login(admin), "save", scale, {"definition": scale_definition()}).json()
    assert body["message"] == "草稿已保存。" and body["problems"] == []
    assert body["case_results"] == [{"name": "T1", "confirmed": True, "passed": True, "error": None,
                                     "differences": []}]


def test_a_file_import_still_refuses_an_incomplete_procedure_but_the_desk_may_start_one(admin):
    item = Item.objects.create(code="SCALE", name="电子秤", is_authorised=True)
    sub_type = TestType.objects.get(parent__name="检定", name="首次检定")
    with pytest.raises(ProcedureRefused):
        procedure_create(actor=admin, item=item, sub_type=sub_type, code="S-1", name="电子秤",
                         definition=_with_unknown_table())
    version = procedure_create(actor=admin, item=item, sub_type=sub_type, code="S-1", name="电子秤",
                               definition=_with_unknown_table(), allow_problems=True)
    assert version.status == "draft" and version.definition == _with_unknown_table()


def test_a_procedure_started_in_the_desk_opens_as_a_draft_that_saves_incomplete(login, admin):
    item = Item.objects.create(code="SCALE", name="电子秤", is_authorised=True)
    sub_type = TestType.objects.get(parent__name="检定", name="首次检定")
    client = login(admin)
    client.post(reverse("desk:doctype_procedure_add"),
                {"item": item.pk, "sub_type": sub_type.pk, "code": "SCALE-NEW", "name": "电子秤检定"})
    version = ProcedureVersion.objects.get(procedure__code="SCALE-NEW")
    assert _post(client, "save", version, {"definition": _with_unknown_table()}).json()["ok"]


# -- test cases: ✓/✗, unconfirmed cases, refusals naming each differing value ------------------

def test_check_reports_each_case_with_the_differing_value_by_row_and_column(login, admin, scale):
    definition = scale_definition()
    definition["test_cases"][0]["expected"]["runs"][1]["E"] = "0.30"
    definition["test_cases"][0]["inputs"]["runs"][1]["I"] = "600.31"
    definition["test_cases"].append({**copy.deepcopy(scale_definition()["test_cases"][0]), "name": "T2",
                                     "confirmed": False})
    body = _post(login(admin), "check", scale, {"definition": definition}).json()
    assert body["ok"] and body["problems"] == []
    first, second = body["case_results"]
    assert (first["name"], first["confirmed"], first["passed"]) == ("T1", True, False)
    assert (second["name"], second["confirmed"], second["passed"]) == ("T2", False, True)
    assert first["differences"] == [{
        "field": "runs", "field_label": "示值误差", "row": 2, "column": "E", "column_label": "误差",
        "expected": "0.30", "computed": "0.31",
        "message": "测试用例 T1：示值误差 第 2 行“误差”应为 0.30，计算得 0.31"}]


def test_check_computes_no_case_results_while_there_are_problems(login, admin, scale):
    body = _post(login(admin), "check", scale, {"definition": _with_unknown_table()}).json()
    assert body["ok"] is False and body["problems"] and body["case_results"] == []


def test_a_refused_publish_names_each_differing_value(login, admin, scale):
    definition = scale_definition()
    definition["test_cases"][0]["expected"].update({"最大误差": "0.4", "检定结论": "不合格"})
    client = login(admin)
    _post(client, "save", scale, {"definition": definition})
    answer = _post(client, "publish", scale, {})
    body = answer.json()
    assert answer.status_code == 400
    assert "测试用例 T1：“最大误差”应为 0.4，计算得 0.3" in body["message"]
    assert "测试用例 T1：“检定结论”应为 不合格，计算得 合格" in body["message"]
    assert body["case_results"][0]["passed"] is False and len(body["case_results"][0]["differences"]) == 2
    assert ProcedureVersion.objects.get(pk=scale.pk).status == "draft"


def test_publishing_needs_a_confirmed_case_so_the_engine_does_not_vouch_for_itself(login, admin, scale):
    definition = scale_definition()
    definition["test_cases"][0]["confirmed"] = False
    client = login(admin)
    _post(client, "save", scale, {"definition": definition})
    answer = _post(client, "publish", scale, {})
    assert answer.status_code == 400 and "核对" in answer.json()["message"]
    assert answer.json()["case_results"][0]["confirmed"] is False
    definition["test_cases"][0]["confirmed"] = True
    _post(client, "save", scale, {"definition": definition})
    assert _post(client, "publish", scale, {}).json()["ok"]
    assert ProcedureVersion.objects.get(pk=scale.pk).status == "published"
    event = AuditEvent.objects.get(action="procedure.published")
    assert event.after["confirmed_test_cases"] == ["T1"]


def test_a_case_that_cannot_be_computed_names_the_error(login, admin, scale):
    definition = scale_definition()
    definition["test_cases"][0]["inputs"]["runs"][0]["I"] = "一百"
    client = login(admin)
    report = _post(client, "check", scale, {"definition": definition}).json()["case_results"][0]
    assert report["passed"] is False and report["differences"] == []
    assert report["error"].startswith("测试用例 T1 无法计算：") and "runs[1].I" in report["error"]
    _post(client, "save", scale, {"definition": definition})
    assert "无法计算" in _post(client, "publish", scale, {}).json()["message"]


def test_a_missing_grid_row_is_named_with_the_row_counts(login, admin, scale):
    definition = scale_definition()
    definition["test_cases"][0]["expected"]["runs"].append({"E": "0"})
    difference = _post(login(admin), "check", scale, {"definition": definition}).json()["case_results"][0][
        "differences"][0]
    assert difference["message"] == "测试用例 T1：“示值误差”应有 3 行，计算得 2 行"


def test_the_test_run_shows_each_row_of_a_per_row_rule(login, admin, scale):
    inputs = {"runs": [{"m": "100", "I": "100.2"}, {"m": "600", "I": "601.5"}]}
    body = _post(login(admin), "test_run", scale, {"definition": scale_definition(), "inputs": inputs}).json()
    rule = body["result"]["rule_results"][0]
    assert body["ok"] and rule["id"] == "point_error" and rule["passed"] is False
    assert [(row["row"], row["limit"], row["passed"]) for row in rule["rows"]] == [(1, "0.5", True),
                                                                                    (2, "1.0", False)]
