"""The report builder in a real browser (#13): a statistician builds a report with a picked and a typed
filter, runs it, sees its chart, saves it shared and exports it to an Excel file; the supervisor opens the
shared report, runs it, and has no way to save or export; axe finds nothing serious on the page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from metrology.testing.axe import axe_violations, violations_report
from metrology.testing.jobs import InProcessJobs
from metrology.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLANK_CANVAS = """canvas => {
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return false;
  return true;
}"""


CLIENTS = {"F1": "甲石油公司", "F2": "乙加油站", "F3": "甲石油公司", "F3-rounded": "丙物流公司",
           "S2": "乙加油站"}


@pytest.fixture
def records(db, inspector):
    """One draft per JJG 443 example (F1 and F3 pass, the others fail; S2 is 柴油), each for a client, as
    tests/reports/conftest.py makes them."""
    from metrology.doctype.models import TestType
    from metrology.doctype.seeds import ensure_default_test_types
    from metrology.records.services import value_save
    from metrology.testing.fuel import request_id
    from metrology.testing.review import fuel_dispenser, typed_in_draft

    ensure_default_test_types(TestType)  # transactional tests flush the seeded rows
    item, sub_type = fuel_dispenser()
    made = {}
    for example, client in CLIENTS.items():
        record = typed_in_draft(inspector=inspector, item=item, sub_type=sub_type, example=example)
        value_save(actor=inspector, record=record, request_id=request_id(), field="委托单位", value=client)
        made[example] = record
    return made


@pytest.fixture
def statistician(make_person):
    return make_person("tongji", "赵统计", "senior_manager")


def log_in(page, username, url):
    page.goto(f"/login/?next={url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{url}")
    expect(page.locator("#builder")).to_have_attribute("data-state", "ready")


def add_filter(page, column):
    page.click("#add-filter")
    row = page.locator(".reports-filter").last
    row.locator(".filter-column").select_option(column)
    return row


def test_a_statistician_builds_saves_and_exports_a_report_the_supervisor_may_only_run(
        new_page, records, statistician, supervisor, settings, tmp_path):
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = str(tmp_path / "files")
    jobs = InProcessJobs()
    page = new_page()
    failures = []
    page.on("response", lambda response: failures.append(response.url) if response.status >= 400 else None)
    page.on("pageerror", lambda error: failures.append(str(error)))
    log_in(page, statistician.username, reverse("desk:reports_builder"))

    # refused by the page itself, beside what it is about
    page.click("#run-report")
    expect(page.locator("#columns-error")).to_have_text("请至少选择一列。")

    # columns: searched by label, chosen in order
    page.fill("#column-search", "委托")
    page.locator('#column-choices input[value="client"]').check()
    page.fill("#column-search", "结论")
    page.locator('#column-choices input[value="conclusion"]').check()
    expect(page.locator("#chosen-columns li")).to_have_count(2)

    # one value picked from the list of values present, one typed
    picked = add_filter(page, "f:油品")
    expect(picked.locator(".filter-pick option", has_text="柴油")).to_have_count(1)
    picked.locator(".filter-pick").select_option("汽油")
    expect(picked.locator(".filter-text")).to_have_value("汽油")
    typed = add_filter(page, "client")
    typed.locator(".filter-op").select_option("contains")
    typed.locator(".filter-text").fill("石油")

    page.select_option("#group-by", "conclusion")
    page.select_option("#chart-kind", "bar")
    page.click("#run-report")
    expect(page.locator("#rows-total")).to_have_attribute("data-total", "2")  # F1 and F3: 汽油, 甲石油公司
    expect(page.locator("#rows-table tbody tr")).to_have_count(2)
    expect(page.locator("#groups-table tbody tr")).to_have_count(2)
    chart = page.evaluate("() => { const c = Chart.getChart(document.getElementById('group-chart'));"
                          " return c && {type: c.config.type, data: c.data.datasets[0].data,"
                          " labels: c.data.labels}; }")
    assert chart["type"] == "bar" and sorted(chart["data"]) == [1, 1]
    assert set(chart["labels"]) == {"合格", "不合格"}
    assert not page.locator("#group-chart").evaluate(BLANK_CANVAS)
    headers = page.locator("#rows-table thead th").all_inner_texts()
    page.select_option("#chart-kind", "pie")  # drawn again from the same result
    page.wait_for_function("() => Chart.getChart(document.getElementById('group-chart')).config.type === 'pie'")

    found = axe_violations(page)
    assert not found, violations_report(found)

    # saved as shared
    page.fill("#report-name", "甲石油汽油检定")
    page.check("#report-shared")
    page.click("#save-report")
    expect(page.locator("#save-status")).to_contain_text("甲石油汽油检定")
    expect(page.locator("#saved-list")).to_contain_text("甲石油汽油检定")
    from metrology.reports.models import SavedReport

    saved = SavedReport.objects.get(name="甲石油汽油检定")
    assert saved.shared and saved.owner == statistician and saved.spec["chart"] == "pie"
    assert [f["value"] for f in saved.spec["filters"]] == ["汽油", "石油"]

    # a refusal of the server is shown beside the name, and nothing built is lost
    page.click("#save-as-report")
    expect(page.locator("#name-error")).to_have_text("您已有名为“甲石油汽油检定”的报表。")
    expect(page.locator("#chosen-columns li")).to_have_count(2)
    expect(page.locator(".reports-filter")).to_have_count(2)
    assert SavedReport.objects.count() == 1
    assert [url.endswith(reverse("desk:reports_api_save")) for url in failures] == [True]  # that refusal (400)
    failures.clear()

    # exported to Excel, with a progress bar and then the link
    page.select_option("#export-format", "xlsx")
    page.click("#export-report")
    expect(page.locator("#export-progress-box")).to_be_visible()
    expect(page.locator("#builder")).to_have_attribute("data-export", "waiting")
    assert jobs.run() >= 1
    expect(page.locator("#export-ready")).to_be_visible()
    with page.expect_download() as download:
        page.click("#export-link")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as file:
        workbook = load_workbook(file, read_only=True)
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(rows[0]) == headers and len(rows) == 3
    assert failures == []

    # the supervisor opens it from the list of saved reports, runs it, and cannot save or export
    other = new_page()
    log_in(other, supervisor.username, reverse("desk:reports_builder"))
    other.locator("#saved-list a", has_text="甲石油汽油检定").click()
    other.wait_for_url(f"**{reverse('desk:reports_builder_saved', args=[saved.pk])}")
    expect(other.locator("#builder")).to_have_attribute("data-state", "ready")
    expect(other.locator("#read-only-notice")).to_be_visible()
    other.click("#run-report")
    expect(other.locator("#rows-total")).to_have_attribute("data-total", "2")
    for button in ("#save-report", "#save-as-report", "#export-report", "#delete-report"):
        expect(other.locator(button)).to_have_count(0)
    refused = other.evaluate("""async (url) => {
      const token = document.getElementById("builder").dataset.csrfToken;
      const response = await fetch(url, {method: "POST", headers: {"Content-Type": "application/json",
        "X-CSRFToken": token}, body: JSON.stringify({name: "监督员的报表", spec: {columns: ["client"]}})});
      return {status: response.status, body: await response.json()};
    }""", reverse("desk:reports_api_save"))
    assert refused["status"] == 403 and refused["body"]["ok"] is False
    assert not SavedReport.objects.filter(owner=supervisor).exists()

    # the dashboard draws its chart of records by state, and axe finds nothing serious there either
    other.goto(reverse("desk:reports_dashboard"))
    expect(other.locator('#table-states tr[data-state="draft"] td')).to_have_text("5")  # every record is a draft
    other.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('chart-states'))")
    assert not other.locator("#chart-states").evaluate(BLANK_CANVAS)
    found = axe_violations(other)
    assert not found, violations_report(found)
