"""The record's context in the designer (issue #9, item 6): a test run, a check and a publish compute
with the procedure's own item, test type and sub-type, a picked sub-type or a case's own one over
it; the procedure's information is located at its inputs; the result keys come from the engine."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from metrology.doctype.engine import FAIL, PASS
from metrology.doctype.engine.definition import RESULT_KEYS
from metrology.doctype.models import Item, ProcedureVersion, TestType
from metrology.doctype.services import procedure_create, version_publish

pytestmark = pytest.mark.django_db


def by_sub_type_definition() -> dict:
    """One definition for 首次检定 and 后续检定, whose limit is looked up by the record's sub-type."""
    return {
        "format_version": 1, "code": "BAL", "name": "电子天平检定", "test_type": "检定",
        "sub_types": ["首次检定", "后续检定"],
        "fields": [
            {"key": "示值误差", "label": "示值误差", "type": "number", "required": True},
            {"key": "MPE", "label": "最大允许误差", "type": "formula",
             "expression": "=LOOKUP(\"最大允许误差\", 检测子类型)"},
            {"key": "称量", "label": "检测项目", "type": "formula", "expression": "=检测项目"},
        ],
        "tables": [{"name": "最大允许误差", "keys": ["检测子类型"], "values": ["mpe"],
                    "rows": [{"检测子类型": "首次检定", "mpe": "0.5"}, {"检测子类型": "后续检定", "mpe": "1.0"}]}],
        "rules": [{"id": "error", "label": "示值误差", "value": "=ABS(示值误差)", "operator": "<=", "limit": "=MPE"}],
        "test_cases": [
            {"name": "首次", "inputs": {"示值误差": "0.8"}, "expected": {"MPE": "0.5", "检定结论": "不合格"}},
            {"name": "后续", "context": {"sub_type": "后续检定"}, "inputs": {"示值误差": "0.8"},
             "expected": {"MPE": "1.0", "检定结论": "合格"}},
        ],
    }


@pytest.fixture
def balance(admin):
    item = Item.objects.create(code="BAL", name="电子天平", is_authorised=True)
    sub_type = TestType.objects.get(parent__name="检定", name="首次检定")
    return procedure_create(actor=admin, item=item, sub_type=sub_type, code="BAL-首次检定", name="电子天平检定",
                            definition=by_sub_type_definition())


def _post(client, name: str, version: ProcedureVersion, body: dict):
    url = reverse(f"desk:doctype_procedureversion_{name}", args=[version.pk])
    return client.post(url, json.dumps(body, ensure_ascii=False), content_type="application/json")


def _test_run(client, version: ProcedureVersion, **extra) -> dict:
    body = {"definition": by_sub_type_definition(), "inputs": {"示值误差": "0.8"}, **extra}
    return _post(client, "test_run", version, body).json()


def test_a_test_run_with_a_sub_type_gives_that_sub_types_limit(login, admin, balance):
    client = login(admin)
    later = _test_run(client, balance, context={"sub_type": "后续检定"})
    first = _test_run(client, balance, context={"sub_type": "首次检定"})
    assert later["ok"] and first["ok"]
    assert later["result"]["MPE"] == "1.0" and later["result"]["检定结论"] == "合格"
    assert first["result"]["MPE"] == "0.5" and first["result"]["检定结论"] == "不合格"


def test_a_test_run_without_a_sub_type_computes_as_the_procedures_own_record(login, admin, balance):
    result = _test_run(login(admin), balance)["result"]
    assert result["MPE"] == "0.5"  # the procedure is the 首次检定 one
    assert result["称量"] == "电子天平"  # 检测项目: the item's name


def test_a_test_run_with_a_context_that_is_not_an_object_is_refused_at_the_context(login, admin, balance):
    answer = _post(login(admin), "test_run", balance,
                   {"definition": by_sub_type_definition(), "inputs": {"示值误差": "0.8"}, "context": "后续检定"})
    assert answer.status_code == 400
    assert [problem["where"] for problem in answer.json()["problems"]] == ["context"]


def test_check_runs_each_case_as_its_own_sub_type_or_the_procedures(login, admin, balance):
    body = _post(login(admin), "check", balance, {"definition": by_sub_type_definition()}).json()
    assert body["ok"] and body["problems"] == []
    assert [(case["name"], case["passed"]) for case in body["case_results"]] == [("首次", True), ("后续", True)]


def test_publishing_computes_the_cases_as_a_record_of_the_procedure(admin, balance):
    published = version_publish(actor=admin, version=balance)
    assert published.status == ProcedureVersion.Status.PUBLISHED


def test_problems_of_the_procedures_information_name_the_input_they_belong_to(login, admin, balance):
    definition = {**by_sub_type_definition(), "code": "", "sub_types": ["首次检定", ""],
                  "document_kinds": {"pass": "检定证书"}}
    body = _post(login(admin), "check", balance, {"definition": definition}).json()
    located = {(problem["where"], problem["attribute"]) for problem in body["problems"]}
    assert located == {("procedure", "code"), ("procedure", "sub_types"), ("document_kinds", None)}


def test_the_page_takes_the_result_keys_and_the_suggestions_from_the_engine(login, admin, balance):
    page = login(admin).get(reverse("desk:doctype_procedureversion_design", args=[balance.pk]))
    conclusion, failed_items, *_others = RESULT_KEYS
    assert page.context["result_keys"] == {"conclusion": conclusion, "failedItems": failed_items,
                                           "pass": PASS, "fail": FAIL}
    choices = page.context["choices"]
    assert {"检定", "校准", "期间核查", "测试"} <= set(choices["testTypes"])
    assert {"检定证书", "检定结果通知书", "校准证书", "检测报告"} == set(choices["documentKinds"])
    html = page.content.decode()
    assert 'id="designer-keys"' in html and 'id="designer-choices"' in html and 'id="designer-context"' in html
