"""The designer's server side: checking as you type, test runs, saving, publishing (R-4.3.5.6–9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from metrology.doctype.files import load_definition
from metrology.doctype.models import Item, ProcedureVersion, TestType
from metrology.doctype.packs import pack_import

pytestmark = pytest.mark.django_db

PACK = Path(__file__).resolve().parents[2] / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json"


@pytest.fixture
def draft(admin):
    from metrology.doctype.services import version_new_draft

    published = pack_import(actor=admin, definition=load_definition(PACK), authorise=True, publish=True)[0]
    return version_new_draft(actor=admin, procedure=published.procedure)


def _post(client, name: str, version: ProcedureVersion, body: dict):
    url = reverse(f"desk:doctype_procedureversion_{name}", args=[version.pk])
    return client.post(url, json.dumps(body, ensure_ascii=False), content_type="application/json")


def test_people_without_the_permission_cannot_use_the_designer(login, inspector, draft):
    client = login(inspector)
    assert client.get(reverse("desk:doctype_procedureversion_design", args=[draft.pk])).status_code == 403
    assert _post(client, "check", draft, {"definition": draft.definition}).status_code == 403


def test_the_designer_opens_with_the_definition(login, admin, draft):
    page = login(admin).get(reverse("desk:doctype_procedureversion_design", args=[draft.pk])).content.decode()
    assert "definition-data" in page and "indication_error" in page and "保存草稿" in page


def test_check_locates_a_formula_error_in_a_grid_column(login, admin, draft):
    definition = draft.definition
    grid = next(f for f in definition["fields"] if f["key"] == "runs")
    next(c for c in grid["columns"] if c["key"] == "E")["expression"] = "=(V_J - V_Btt) / V_Bt * 100"
    problems = _post(login(admin), "check", draft, {"definition": definition}).json()["problems"]
    assert len(problems) == 1
    problem = problems[0]
    assert (problem["where"], problem["grid_column"], problem["line"], problem["column"]) == ("runs", "E", 1, 9)
    assert "V_Btt" in problem["message"] and "未知" in problem["message"]


def test_test_run_returns_every_intermediate_value(login, admin, draft):
    inputs = draft.definition["test_cases"][0]["inputs"]
    result = _post(login(admin), "test_run", draft, {"definition": draft.definition, "inputs": inputs}).json()
    assert result["ok"]
    assert result["result"]["runs"][0]["V_Bt"] == "20.0259075650"
    assert result["result"]["检定结论"] == "合格"


def test_test_run_names_the_bad_input(login, admin, draft):
    inputs = {**draft.definition["test_cases"][0]["inputs"], "V0": "二十"}
    result = _post(login(admin), "test_run", draft, {"definition": draft.definition, "inputs": inputs})
    assert result.status_code == 400
    assert result.json()["problems"][0]["where"] == "V0"


def test_a_draft_with_a_broken_formula_saves_with_its_problem_located(login, admin, draft):
    broken = {**draft.definition, "rules": [{"id": "x", "label": "x", "value": "=1 +", "operator": "<=",
                                             "limit": "=1"}]}
    response = _post(login(admin), "save", draft, {"definition": broken})
    body = response.json()
    assert response.status_code == 200 and body["ok"]
    assert [(p["where"], p["part"]) for p in body["problems"]] == [("rules.x", "value")]
    assert ProcedureVersion.objects.get(pk=draft.pk).definition == broken


def test_publishing_with_a_failing_test_case_is_refused_with_its_name(login, admin, draft):
    definition = draft.definition
    definition["test_cases"][1]["expected"]["检定结论"] = "合格"
    client = login(admin)
    assert _post(client, "save", draft, {"definition": definition}).status_code == 200
    response = _post(client, "publish", draft, {})
    assert response.status_code == 400 and "F2" in response.json()["message"]
    assert ProcedureVersion.objects.get(pk=draft.pk).status == "draft"


def test_bad_json_gets_a_clear_message(login, admin, draft):
    url = reverse("desk:doctype_procedureversion_check", args=[draft.pk])
    response = login(admin).post(url, "{not json", content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["message"]


def test_only_authorised_items_can_be_chosen_for_a_new_procedure(login, admin, draft):
    Item.objects.create(code="NO-AUTH", name="未授权量具", is_authorised=False)
    page = login(admin).get(reverse("desk:doctype_procedure_add")).content.decode()
    assert "燃油加油机" in page and "未授权量具" not in page


def test_a_new_procedure_opens_in_the_designer(login, admin, draft):
    item = Item.objects.get(code="JJG443-FD")
    sub_type = TestType.objects.get(parent__name="检定", name="使用中检查")
    response = login(admin).post(reverse("desk:doctype_procedure_add"),
                                 {"item": item.pk, "sub_type": sub_type.pk, "code": "FD-USE", "name": "使用中检查"})
    version = ProcedureVersion.objects.get(procedure__code="FD-USE")
    assert response.status_code == 302 and response["Location"].endswith(f"/{version.pk}/design/")
    assert version.status == "draft" and version.definition["sub_types"] == ["使用中检查"]


def test_diff_lists_what_changed_between_versions(login, admin, draft):
    from metrology.doctype.services import version_save_draft

    definition = draft.definition
    definition["tables"][0]["rows"][0]["beta_Y"] = "0.0013"
    version_save_draft(actor=admin, version=draft, definition=definition)
    page = login(admin).get(reverse("desk:doctype_procedure_diff", args=[draft.procedure_id])).content.decode()
    assert "油品膨胀系数.rows" in page and "0.0013" in page
