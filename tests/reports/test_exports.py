"""Exports of a report (R-4.2.5.5, R-4.3.13.5): the .xlsx, read back by openpyxl and by LibreOffice, the
.csv and the .zip hold what the report builder shows for the same definition — numbers as numbers, dates
as dates, a client typed as “=1+1” as text — made by a job on the database queue (and on Redis + RQ),
for the person who asked only."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from metrology.certificates.models import Certificate
from metrology.core.models import AuditEvent
from metrology.records.models import Record
from metrology.records.services import value_save
from metrology.reports.columns import columns_for
from metrology.reports.models_export import ReportExport
from metrology.reports.query import report_parse, report_rows
from metrology.testing.fuel import request_id
from metrology.testing.jobs import InProcessJobs
from metrology.workflow.models import RecordStep

pytestmark = pytest.mark.django_db

START = reverse("desk:reports_api_export")
SPEC = {"columns": ["client", "f:示值误差", "f:油品", "date", "conclusion", "serial"],
        "filters": [{"column": "f:示值误差", "op": "between", "value": ["-1", "1"]}],
        "order": [{"column": "date"}]}
NUMBERS, DATES = {"f:示值误差"}, {"date"}
TEXT_CELLS = ("s", "inlineStr")  # as openpyxl reads a shared or an inline string back
# Typed in after the examples: a client that a spreadsheet would run as a formula, dates to sort by.
TYPED = {"F1": {"检定日期": "2026-11-02", "产品出厂编号": "-12"}, "F2": {"检定日期": "2026-11-05"},
         "F3": {"检定日期": "2026-10-30"}, "F3-rounded": {"检定日期": "2026-11-20", "委托单位": "=1+1"},
         "S2": {"检定日期": "2026-11-11"}}
RQ_REDIS_URL = "redis://127.0.0.1:6379/12"  # this file's own Redis database (tests/jobs uses 13, RQ suite 15)
QUEUES = {
    "database": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    "rq": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
}


@pytest.fixture
def jobs(settings, tmp_path) -> InProcessJobs:
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return InProcessJobs()


@pytest.fixture(params=sorted(QUEUES))
def each_queue(request, settings, tmp_path) -> InProcessJobs:
    """The job queue as the database backend, then as Redis + RQ, whichever the suite's site uses."""
    backend = request.param
    settings.MEDIA_ROOT = str(tmp_path / "files")
    jobs_config = {"backend": backend, **({"redis_url": RQ_REDIS_URL} if backend == "rq" else {})}
    settings.SITE = dataclasses.replace(settings.SITE, config={**settings.SITE.config, "jobs": jobs_config})
    settings.TASKS = QUEUES[backend]
    settings.RQ_QUEUES = {"default": {"URL": RQ_REDIS_URL, "DEFAULT_TIMEOUT": 600}} if backend == "rq" else {}
    if backend == "rq":
        import django_rq

        django_rq.get_connection("default").flushdb()
    return InProcessJobs()


@pytest.fixture
def records(reported, inspector) -> dict[str, Record]:
    for example, values in TYPED.items():
        for field, value in values.items():
            value_save(actor=inspector, record=reported[example], request_id=request_id(), field=field, value=value)
        reported[example].refresh_from_db()
    return reported


def screen(person, spec=SPEC) -> list[dict]:
    """The rows as the report builder shows them (report_rows, as api.run answers)."""
    total, rows = report_rows(Record.objects.all(), report_parse(spec, columns_for(person)), limit=1000)
    assert total == len(rows) == 5
    return rows


def labels(person, spec=SPEC) -> list[str]:
    return [str(column.label) for column in report_parse(spec, columns_for(person)).columns]


def ask(client, capture, spec=SPEC, format="xlsx", name="月度报表"):
    with capture(execute=True):
        response = client.post(START, {"spec": spec, "format": format, "name": name}, content_type="application/json")
    return response


def made(client, jobs, capture, **given) -> tuple[ReportExport, bytes]:
    """Ask for an export, run the queue, download the file."""
    response = ask(client, capture, **given)
    assert response.status_code == 200, response.content.decode()
    answer = response.json()["export"]
    assert (answer["state"], answer["done"], answer["url"]) == ("waiting", 0, "")
    assert jobs.run() == 1
    state = client.get(answer["state_url"]).json()["export"]
    assert state["state"] == "done", state
    export = ReportExport.objects.get(pk=answer["id"])
    download = client.get(state["url"])
    assert download.status_code == 200
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == export.sha256
    assert "filename*=utf-8''" in download["Content-Disposition"]  # the Chinese name, RFC 5987
    return export, data


def assert_same_as_screen(rows: list[list], shown: list[dict], person) -> None:
    """Spreadsheet rows (typed or text) against the screen, column by column: numbers equal to 1e-9."""
    ids = SPEC["columns"]
    assert len(rows) == len(shown)
    for row, on_screen in zip(rows, shown, strict=True):
        for column, value in zip(ids, row, strict=True):
            expected = on_screen[column]
            if column in NUMBERS:
                assert abs(Decimal(str(value)) - Decimal(expected)) < Decimal("1e-9"), (column, value, expected)
            elif column in DATES:
                value = value.date() if isinstance(value, dt.datetime) else value
                assert str(value or "") == expected, (column, value, expected)
            else:
                assert (value or "") == expected, (column, value, expected)


def read_xlsx(data: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[cell for cell in row] for row in sheet.iter_rows()]


def test_an_exported_workbook_reads_back_as_the_report_shows_it(
        each_queue, records, statistician, login, django_capture_on_commit_callbacks):
    client = login(statistician)
    export, data = made(client, each_queue, django_capture_on_commit_callbacks)
    assert (export.format, export.done, export.total, export.requested_by) == ("xlsx", 5, 5, statistician)
    cells = read_xlsx(data)
    header, body = cells[0], cells[1:]
    assert [cell.value for cell in header] == labels(statistician)
    assert [cell.value for cell in header][3:] == ["检定日期", "检定结论", "产品出厂编号"]
    assert all(cell.font.b and cell.fill.fgColor.rgb.endswith("DCE6F1") for cell in header)
    assert_same_as_screen([[cell.value for cell in row] for row in body], screen(statistician), statistician)
    for row in body:
        assert row[1].data_type == "n" and isinstance(row[1].value, float)
        assert row[3].is_date and row[3].number_format == "yyyy-mm-dd"
    formula_like = [row[0] for row in body if row[0].value == "=1+1"]
    assert len(formula_like) == 1 and formula_like[0].data_type in TEXT_CELLS
    assert [(row[5].value, row[5].data_type in TEXT_CELLS) for row in body if row[5].value] == [("-12", True)]
    sheet_xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and 'state="frozen"' in sheet_xml and "<col " in sheet_xml
    event = AuditEvent.objects.get(action="report.exported")
    assert (event.actor, event.object_id, event.after["format"], event.after["rows"]) == \
        (statistician, str(export.pk), "xlsx", 5)


def test_libreoffice_reads_the_workbook_as_the_report_shows_it(
        jobs, records, statistician, login, django_capture_on_commit_callbacks, tmp_path):
    _export, data = made(login(statistician), jobs, django_capture_on_commit_callbacks)
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is needed to read the workbook as a spreadsheet program does"
    (tmp_path / "report.xlsx").write_bytes(data)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path / "out"),
                    str(tmp_path / "report.xlsx")], check=True, timeout=120, capture_output=True)
    text = (tmp_path / "out" / "report.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == labels(statistician)
    assert_same_as_screen(rows[1:], screen(statistician), statistician)  # "=1+1" is not 2


def test_the_csv_export_is_the_report_in_utf8_with_a_bom_and_formulas_quoted(
        jobs, records, statistician, login, django_capture_on_commit_callbacks):
    _export, data = made(login(statistician), jobs, django_capture_on_commit_callbacks, format="csv")
    assert data.startswith("\ufeff".encode())  # Excel opens the Chinese right
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == labels(statistician)
    shown = screen(statistician)
    quoted = [row for row in rows[1:] if row[0] == "'=1+1"]
    assert len(quoted) == 1 and [row[5] for row in rows[1:] if row[5]] == ["'-12"]
    for row in rows[1:]:
        row[0], row[5] = row[0].removeprefix("'"), row[5].removeprefix("'")
    assert_same_as_screen(rows[1:], shown, statistician)


def _certificate(record: Record, number: str, approver, *, raw: bool) -> Certificate:
    """An issued certificate of the record with small stored PDFs (its issuing is tested elsewhere)."""
    pdf, raw_pdf = f"%PDF-1.7 {number}".encode(), f"%PDF-1.7 raw {number}".encode()
    approval = RecordStep.objects.create(record=record, action="approve", label="批准", from_state="verified",
                                         to_state="approved", actor=approver)
    return Certificate.objects.create(
        record=record, approval=approval, kind="certificate", number=number, state=Certificate.State.ISSUED,
        numbered_at=timezone.now(), issued_at=timezone.now(),
        pdf=default_storage.save(f"certificates/{number}.pdf", ContentFile(pdf)),
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        raw_record_pdf=default_storage.save(f"certificates/{number}-raw.pdf", ContentFile(raw_pdf)) if raw else "",
        raw_record_sha256=hashlib.sha256(raw_pdf).hexdigest() if raw else "")


def test_a_zip_holds_the_workbook_and_the_certificates_of_the_rows(
        jobs, records, statistician, approver, login, django_capture_on_commit_callbacks):
    kept = _certificate(records["F1"], "JD-2026-00001", approver, raw=True)
    _certificate(records["F2"], "JD-2026-00002", approver, raw=False)
    spec = {**SPEC, "filters": [{"column": "client", "op": "eq", "value": "甲石油公司"}]}  # F1 and F3, not F2
    export, data = made(login(statistician), jobs, django_capture_on_commit_callbacks, spec=spec, format="zip")
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert set(archive.namelist()) == {"月度报表.xlsx", "证书/JD-2026-00001.pdf", "证书/JD-2026-00001-原始记录.pdf"}
    assert archive.read("证书/JD-2026-00001.pdf") == b"%PDF-1.7 JD-2026-00001"
    assert hashlib.sha256(archive.read("证书/JD-2026-00001.pdf")).hexdigest() == kept.pdf_sha256
    body = [[cell.value for cell in row] for row in read_xlsx(archive.read("月度报表.xlsx"))[1:]]
    assert sorted(row[0] for row in body) == ["甲石油公司", "甲石油公司"]
    assert (export.done, export.total) == (4, 4)  # two rows, two files


def test_a_person_who_may_only_query_reports_cannot_export_or_download(
        jobs, records, statistician, supervisor, login, django_capture_on_commit_callbacks):
    export, _data = made(login(statistician), jobs, django_capture_on_commit_callbacks)
    client = login(supervisor)
    refused = ask(client, django_capture_on_commit_callbacks)
    assert refused.status_code == 403 and refused.json()["message"] == "您没有执行此操作的权限。"
    assert client.get(reverse("desk:reports_export_download", args=[export.pk])).status_code == 403
    assert ReportExport.objects.count() == 1


def test_nobody_else_sees_or_downloads_an_export(
        jobs, records, statistician, make_person, login, django_capture_on_commit_callbacks):
    export, _data = made(login(statistician), jobs, django_capture_on_commit_callbacks)
    colleague = make_person("tongji2", "钱统计", "senior_manager")
    client = login(colleague)
    state = client.get(reverse("desk:reports_api_export_state", args=[export.pk]))
    assert state.status_code == 404 and state.json()["message"] == "找不到您的这项导出。"
    assert client.get(reverse("desk:reports_export_download", args=[export.pk])).status_code == 404


def test_an_export_not_finished_cannot_be_downloaded_yet(
        jobs, records, statistician, login, django_capture_on_commit_callbacks):
    client = login(statistician)
    answer = ask(client, django_capture_on_commit_callbacks).json()["export"]
    assert (answer["state"], answer["state_label"], answer["total"]) == ("waiting", "等待中", 5)
    assert client.get(reverse("desk:reports_export_download", args=[answer["id"]])).status_code == 404


def test_a_certificate_missing_from_storage_fails_the_export_and_says_which_in_chinese(
        jobs, records, statistician, approver, login, django_capture_on_commit_callbacks):
    lost = _certificate(records["F1"], "JD-2026-00007", approver, raw=False)
    default_storage.delete(lost.pdf)
    client = login(statistician)
    answer = ask(client, django_capture_on_commit_callbacks, format="zip").json()["export"]
    jobs.run()
    state = client.get(answer["state_url"]).json()["export"]
    assert (state["state"], state["state_label"], state["url"]) == ("failed", "失败", "")
    assert state["error"] == "存储中找不到证书 JD-2026-00007 的文件 证书/JD-2026-00007.pdf。"
    assert not ReportExport.objects.get(pk=answer["id"]).file


def test_a_definition_or_format_that_cannot_be_exported_is_refused_in_chinese_before_anything_is_queued(
        jobs, records, statistician, login, django_capture_on_commit_callbacks):
    client = login(statistician)
    unknown = ask(client, django_capture_on_commit_callbacks, spec={"columns": ["drop table"]})
    assert unknown.status_code == 400 and "drop table" in unknown.json()["message"]
    assert unknown.json()["message"].startswith("第 1 列")
    pdf = ask(client, django_capture_on_commit_callbacks, format="pdf")
    assert pdf.status_code == 400 and pdf.json()["field"] == "format"
    assert pdf.json()["message"] == "请选择文件格式：Excel（.xlsx）、CSV（.csv）或附带证书的压缩包（.zip）。"
    assert not ReportExport.objects.exists() and not AuditEvent.objects.filter(action="report.exported").exists()
    assert jobs.queued() == 0


def test_a_zip_needs_the_permission_to_query_certificates(
        jobs, records, make_person, login, django_capture_on_commit_callbacks):
    from metrology.accounts.models import Role, RoleGrant

    role = Role.objects.create(code="reports_export_only", name="只导出报表")
    for code in ("reports_query", "reports_export"):
        RoleGrant.objects.create(role=role, code=code)
    person = make_person("daochu", "孙导出")
    person.roles.add(role)
    client = login(person)
    refused = ask(client, django_capture_on_commit_callbacks, spec={"columns": ["client"]}, format="zip")
    assert refused.status_code == 400
    assert refused.json()["message"] == "您不能查询证书，所以不能随报表导出证书；请只导出表格。"
    assert ask(client, django_capture_on_commit_callbacks, spec={"columns": ["client"]}).status_code == 200


def test_progress_is_told_as_the_rows_are_written(jobs, records, statistician, login, monkeypatch,
                                                 django_capture_on_commit_callbacks):
    from metrology.reports import exports

    seen = []
    update = exports.Progress.step

    def step(progress):
        update(progress)
        seen.append(ReportExport.objects.get(pk=progress.export_id).done)

    monkeypatch.setattr(exports, "PROGRESS_EVERY", 2)
    monkeypatch.setattr(exports.Progress, "step", step)
    made(login(statistician), jobs, django_capture_on_commit_callbacks, format="csv")
    assert seen == [0, 2, 2, 4, 4]


def test_the_workbook_writer_keeps_large_numbers_odd_text_and_local_times_as_they_are(tmp_path, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    from metrology.reports.columns import Column
    from metrology.reports.exports import write_xlsx

    columns = [Column("a", "甲"), Column("b", "乙", "number"), Column("c", "丙", "date")]
    seen_at = dt.datetime(2026, 12, 3, 1, 30, tzinfo=dt.UTC)  # 09:30 in Beijing
    rows = [("@SUM(A1)", Decimal("123456789012"), dt.date(2026, 12, 3)),
            ("+86\x07 电话", Decimal("-0.0000001234"), None),
            ("\t=cmd|' /C calc'!A0", Decimal("100.0000000000"), dt.date(1999, 1, 1)),
            ("<a & b>", 7, seen_at)]
    target = Path(tmp_path / "t.xlsx")
    with target.open("wb") as handle:
        write_xlsx(handle, columns, rows, title="a/b:c")
    sheet = load_workbook(target).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [["@SUM(A1)", 123456789012, dt.datetime(2026, 12, 3)],
                      ["+86 电话", -1.234e-07, None],
                      ["\t=cmd|' /C calc'!A0", 100, dt.datetime(1999, 1, 1)],
                      ["<a & b>", 7, dt.datetime(2026, 12, 3, 9, 30)]]
    assert sheet.title == "a_b_c"
    assert all(row[0].data_type in TEXT_CELLS for row in sheet.iter_rows(min_row=2))
