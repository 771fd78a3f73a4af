"""The report builder and dashboard pages in the Desk (R-4.2.5): who may open them, a saved report opened
by its owner and by others, and the buttons each person is shown."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from metrology.reports.services import report_save

pytestmark = pytest.mark.django_db

SPEC = {"columns": ["client", "conclusion"],
        "filters": [{"column": "client", "op": "contains", "value": "石油"}],
        "group_by": "conclusion", "aggregate": "count", "chart": "pie"}


def page_data(response) -> dict:
    return json_data(response.content.decode(), "builder-data")


def json_data(text: str, name: str) -> dict:
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', text)
    return json.loads(found.group(1))


def test_the_builder_renders_in_chinese_for_a_statistician_with_every_button(login, statistician):
    response = login(statistician).get(reverse("desk:reports_builder"))
    assert response.status_code == 200
    text = response.content.decode()
    for words in ("报表设计器", "筛选条件", "添加筛选条件", "排序", "分组", "汇总方式", "计数",
                  "柱状图", "饼图", "运行", "共享", "导出"):
        assert words in text, words
    for button in ('id="save-report"', 'id="save-as-report"', 'id="export-report"'):
        assert button in text
    data = page_data(response)
    assert data["report"] is None and data["maySave"] is True
    operators = ("eq", "ne", "contains", "in", "between", "empty", "not_empty")
    assert [data["texts"]["ops"][op] for op in operators] == [
        "等于", "不等于", "包含", "属于", "介于", "为空", "不为空"]
    assert data["urls"]["run"] == reverse("desk:reports_api_run")
    assert "<script>" not in text  # the policy allows no inline script: texts travel as JSON data


def test_someone_without_reports_query_is_refused_both_pages(login, outsider, inspector):
    for person in (outsider, inspector):
        client = login(person)
        assert client.get(reverse("desk:reports_builder")).status_code == 403
        assert client.get(reverse("desk:reports_dashboard")).status_code == 403


def test_a_saved_report_opens_with_its_definition_for_its_owner(login, statistician):
    report = report_save(actor=statistician, name="甲公司合格情况", spec=SPEC, shared=False)
    response = login(statistician).get(reverse("desk:reports_builder_saved", args=[report.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "报表：甲公司合格情况" in text
    assert page_data(response)["report"]["spec"] == SPEC
    assert page_data(response)["report"]["mine"] is True
    assert 'id="save-report"' in text and 'id="delete-report"' in text and 'id="read-only-notice"' not in text


def test_a_private_report_of_someone_else_is_not_found(login, statistician, make_person):
    report = report_save(actor=statistician, name="私人报表", spec=SPEC, shared=False)
    colleague = make_person("tongji2", "钱统计", "senior_manager")
    assert login(colleague).get(reverse("desk:reports_builder_saved", args=[report.pk])).status_code == 404
    missing = reverse("desk:reports_builder_saved", args=[report.pk + 1000])
    assert login(statistician).get(missing).status_code == 404


def test_a_shared_report_opens_read_only_for_a_colleague_who_may_only_save_a_copy(login, statistician,
                                                                                  make_person):
    report = report_save(actor=statistician, name="共享报表", spec=SPEC, shared=True)
    colleague = make_person("tongji2", "钱统计", "senior_manager")
    text = login(colleague).get(reverse("desk:reports_builder_saved", args=[report.pk])).content.decode()
    assert "此报表由 赵统计 共享：您可以运行，但不能修改。" in text
    assert 'id="save-as-report"' in text and 'id="export-report"' in text
    assert 'id="save-report"' not in text and 'id="delete-report"' not in text
    assert re.search(r'<fieldset id="definition"[^>]*disabled', text)


def test_a_supervisor_opens_a_shared_report_without_save_or_export_buttons(login, statistician, supervisor):
    report = report_save(actor=statistician, name="共享报表", spec=SPEC, shared=True)
    response = login(supervisor).get(reverse("desk:reports_builder_saved", args=[report.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'id="run-report"' in text and "运行" in text
    for button in ("save-report", "save-as-report", "export-report", "delete-report", "report-name"):
        assert f'id="{button}"' not in text, button
    assert page_data(response)["maySave"] is False


def test_the_dashboard_renders_its_sections_for_a_statistician(login, statistician, reported):
    response = login(statistician).get(reverse("desk:reports_dashboard"))
    assert response.status_code == 200
    text = response.content.decode()
    for words in ("统计看板", "各状态的在办记录", "合格率", "本月", "本年", "30 天内到期需检定的器具"):
        assert words in text, words
    assert 'id="chart-states"' in text and 'id="table-states"' in text
    charts = json_data(text, "dashboard-charts")
    assert sum(charts["states"]["values"]) == len(reported)


def test_the_desk_home_and_the_saved_reports_list_lead_to_both_pages(login, statistician, supervisor,
                                                                     inspector):
    for person in (statistician, supervisor):
        client = login(person)
        home = client.get(reverse("desk:index")).content.decode()
        assert f'href="{reverse("desk:reports_builder")}"' in home and "报表设计器" in home
        assert f'href="{reverse("desk:reports_dashboard")}"' in home and "统计看板" in home
        listing = client.get(reverse("desk:reports_savedreport_changelist")).content.decode()
        assert 'id="report-builder-link"' in listing and 'id="dashboard-link"' in listing
    assert "报表设计器" not in login(inspector).get(reverse("desk:index")).content.decode()
