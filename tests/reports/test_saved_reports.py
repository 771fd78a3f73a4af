"""Saved reports: private or shared, changed only by their owner, audited (R-4.2.5)."""

from __future__ import annotations

import pytest

from metrology.core.models import AuditEvent
from metrology.reports.query import ReportRefused
from metrology.reports.selectors import reports_open_to
from metrology.reports.services import report_delete, report_save

pytestmark = pytest.mark.django_db
SPEC = {"columns": ["client", "conclusion"], "filters": [{"column": "conclusion", "op": "eq", "value": "合格"}],
        "group_by": "client", "chart": "bar"}


def test_a_saved_report_keeps_its_definition_and_leaves_an_audit_row(statistician):
    report = report_save(actor=statistician, name="本月合格", spec=SPEC)
    assert report.spec == SPEC and not report.shared
    event = AuditEvent.objects.get(action="report.saved")
    assert event.after["name"] == "本月合格" and event.actor_id == statistician.pk


def test_a_private_report_is_open_only_to_its_owner_and_a_shared_one_to_everyone(statistician, make_person,
                                                                              supervisor):
    other = make_person("tongji2", "钱统计", "senior_manager")
    private = report_save(actor=statistician, name="私人", spec=SPEC)
    shared = report_save(actor=statistician, name="共享", spec=SPEC, shared=True)
    assert set(reports_open_to(statistician)) == {private, shared}
    assert set(reports_open_to(other)) == set(reports_open_to(supervisor)) == {shared}


def test_only_the_owner_changes_or_deletes_a_report(statistician, make_person):
    other = make_person("tongji2", "钱统计", "senior_manager")
    report = report_save(actor=statistician, name="共享", spec=SPEC, shared=True)
    with pytest.raises(ReportRefused, match="只有报表的创建人可以修改"):
        report_save(actor=other, name="改名", spec=SPEC, report=report)
    with pytest.raises(ReportRefused, match="只有报表的创建人可以删除"):
        report_delete(actor=other, report=report)
    report_delete(actor=statistician, report=report)
    assert AuditEvent.objects.filter(action="report.deleted").count() == 1


def test_a_supervisor_runs_reports_but_cannot_save_one(supervisor):
    with pytest.raises(ReportRefused, match="不能保存报表"):
        report_save(actor=supervisor, name="监督", spec=SPEC)


def test_names_are_required_and_unique_per_owner(statistician):
    with pytest.raises(ReportRefused, match="请为报表命名"):
        report_save(actor=statistician, name="  ", spec=SPEC)
    report_save(actor=statistician, name="月报", spec=SPEC)
    with pytest.raises(ReportRefused, match="您已有名为“月报”的报表"):
        report_save(actor=statistician, name="月报", spec=SPEC)


def test_a_definition_the_owner_could_not_run_is_not_saved(statistician):
    with pytest.raises(ReportRefused, match="筛选条件 1"):
        report_save(actor=statistician, name="坏", spec={"columns": ["client"],
                                                         "filters": [{"column": "client", "op": "like"}]})
    assert not AuditEvent.objects.filter(action="report.saved").exists()
