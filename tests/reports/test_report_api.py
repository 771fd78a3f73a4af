"""The report builder's JSON endpoints: permissions, refusals as JSON in Chinese, runs scoped and paged."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def post(client, name, body, *args):
    return client.post(reverse(f"desk:{name}", args=args), data=json.dumps(body), content_type="application/json")


def test_a_run_answers_rows_and_groups_of_the_definition(client, login, reported, statistician):
    login(statistician)
    answer = post(client, "reports_api_run", {"spec": {"columns": ["client", "f:油品"], "group_by": "f:油品",
                                                        "filters": [{"column": "conclusion", "op": "eq",
                                                                     "value": "不合格"}]}})
    data = answer.json()
    assert answer.status_code == 200 and data["total"] == 4
    assert {row["id"] for row in data["rows"]} == {reported[n].pk for n in ("F2", "F3", "F3-rounded", "S2")}
    assert {g["group"]: g["count"] for g in data["groups"]} == {"汽油": 3, "柴油": 1}
    assert [c["label"] for c in data["columns"]][0] == "委托单位"


def test_columns_are_found_by_label_and_values_are_offered_to_pick(client, login, reported, statistician):
    login(statistician)
    found = client.get(reverse("desk:reports_api_columns"), {"q": "油品"}).json()["columns"]
    assert "f:油品" in [c["id"] for c in found]
    assert all("油品" in c["label"] or "油品" in c["id"] for c in found)
    values = client.get(reverse("desk:reports_api_values"), {"column": "client"}).json()["values"]
    assert values == sorted(["甲石油公司", "乙加油站", "丙物流公司"])


def test_a_bad_definition_is_refused_in_chinese_as_json(client, login, reported, statistician):
    login(statistician)
    answer = post(client, "reports_api_run", {"spec": {"columns": ["client"], "filters": [
        {"column": "date", "op": "between", "value": ["2026-01-01"]}]}})
    assert answer.status_code == 400
    assert answer.json()["message"] == "筛选条件 1：“介于”需要起、止两个值。"


def test_without_the_permission_every_endpoint_answers_403_json(client, login, reported, inspector):
    login(inspector)  # records and certificates, no reports
    assert client.get(reverse("desk:reports_api_columns")).status_code == 403
    answer = post(client, "reports_api_run", {"spec": {"columns": ["client"]}})
    assert answer.status_code == 403 and answer.json()["message"] == "您没有执行此操作的权限。"


def test_a_supervisor_may_run_but_saving_is_refused(client, login, reported, supervisor):
    login(supervisor)
    assert post(client, "reports_api_run", {"spec": {"columns": ["client"]}}).status_code == 200
    assert post(client, "reports_api_save", {"name": "x", "spec": {"columns": ["client"]}}).status_code == 403


def test_an_expired_session_gets_401_json_not_a_login_page(client, reported):
    answer = post(client, "reports_api_run", {"spec": {"columns": ["client"]}})
    assert answer.status_code == 401 and "重新登录" in answer.json()["message"]


def test_a_saved_report_is_saved_opened_and_deleted_through_the_endpoints(client, login, reported, statistician):
    login(statistician)
    saved = post(client, "reports_api_save", {"name": "不合格统计", "shared": True,
                                               "spec": {"columns": ["client"], "group_by": "conclusion"}}).json()
    assert saved["ok"] and saved["report"]["shared"]
    listed = client.get(reverse("desk:reports_api_saved")).json()["reports"]
    assert [r["name"] for r in listed] == ["不合格统计"]
    assert post(client, "reports_api_delete", {}, saved["report"]["id"]).json()["ok"]
    assert client.get(reverse("desk:reports_api_saved")).json()["reports"] == []
