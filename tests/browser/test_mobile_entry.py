"""#10 must-show, on a 390 × 844 phone: an unknown device is refused and listed as pending; once the
device manager enables it the inspector logs in, starts a fuel-dispenser task, enters example F1 step
by step with errors and the verdict shown as typed, loses the connection for three values, comes
back, reloads, and nothing is lost; then previews the certificate PDF and submits (signed by hand and
with the password, #11)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from metrology.testing.fuel import REPO_ROOT, fuel_example, fuel_pack
from metrology.testing.personas import PASSWORD
from metrology.testing.phone_pages import saved_on_the_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CERTIFICATE = REPO_ROOT / "tests" / "data" / "templates" / "certificate_jjg443.docx"
NOT_AUTHORISED = "该设备未获授权，请联系设备管理员"
F1 = fuel_example("F1")


@pytest.fixture
def fuel_dispenser(settings, tmp_path, inspector):
    """The JJG 443 pack published, a raw-record numbering scheme and a certificate layout bound to it."""
    from metrology.doctype.document_kinds import DocumentKind
    from metrology.doctype.packs import pack_import
    from metrology.numbering.services import scheme_create
    from metrology.print_formats.services import layout_upload

    settings.MEDIA_ROOT = str(tmp_path / "files")
    versions = pack_import(actor=None, definition=fuel_pack(), authorise=True, publish=True)
    procedure = versions[0].procedure
    scheme_create(actor=None, item=procedure.item, test_type=procedure.sub_type.parent,
                  document_kind=DocumentKind.RAW_RECORD, prefix="YS", date_part="YYYY", separator="-",
                  sequence_width=4)
    layout_upload(actor=None, procedure=procedure, kind=DocumentKind.CERTIFICATE, data=CERTIFICATE.read_bytes(),
                  filename=CERTIFICATE.name)
    return procedure


def phone_page(new_page):
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    return page


def log_in(page) -> None:
    page.fill("#login-username", "zhangsan")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")


def type_value(page, field: str, value: str, row: int | None = None, column: str = "") -> None:
    place = f"{field}|{row}|{column}" if row else field
    target = page.locator(f'[data-place="{place}"]')
    if target.evaluate("node => node.tagName") == "SELECT":
        target.select_option(value)
    else:
        target.fill(value)
        target.press("Tab")  # leaving the input saves at once (typing alone saves after a pause)


def test_an_inspector_enters_f1_on_an_authorised_phone_and_loses_nothing_offline(
        new_page, inspector, device_manager, fuel_dispenser):
    from metrology.devices.models import Device
    from metrology.records.models import Record, RecordValue
    from metrology.testing.jobs import InProcessJobs

    jobs = InProcessJobs()
    page = phone_page(new_page)
    page.goto("/m/")

    # First start: the app names the device; the login from this unknown device is refused.
    page.fill("#device-name", "张三的手机")
    page.click("#device-setup button[type=submit]")
    log_in(page)
    expect(page.locator("#login-message")).to_have_text(NOT_AUTHORISED)
    device = Device.objects.get()
    assert (device.state, device.name, device.tried_by) == (Device.State.PENDING, "张三的手机", inspector)
    assert device.identifier == page.evaluate("JSON.parse(localStorage.getItem('metrology.mobile.device')).identifier")

    # The device manager finds it among the pending devices on the Desk and enables it.
    desk = new_page()
    desk.goto("/login/")
    desk.fill("#id_username", device_manager.username)
    desk.fill("#id_password", PASSWORD)
    desk.click("input[type=submit]")
    desk.goto("/desk/devices/device/?state__exact=pending")
    expect(desk.locator("#result_list")).to_contain_text("张三的手机")
    desk.locator(f'#result_list a[href$="/{device.pk}/enable/"]').click()
    desk.click("input[type=submit]")
    expect(desk.locator(".messagelist")).to_contain_text("张三的手机")
    device.refresh_from_db()
    assert (device.state, device.approved_by) == (Device.State.ENABLED, device_manager)
    log_in(page)
    expect(page.locator("#who-name")).to_have_text("张三")
    worker = page.evaluate("navigator.serviceWorker.ready.then((registration) => registration.active.scriptURL)")
    assert worker.endswith("/m/sw.js")  # the app shell is kept for opening without a connection

    # A task on the fuel dispenser: item, then type and sub-type.
    page.select_option("#new-item", "JJG443-FD")
    page.select_option("#new-type", "检定")
    page.select_option("#new-sub-type", str(fuel_dispenser.sub_type.pk))
    page.click("#start-task")
    page.wait_for_url("**/m/#/record/*")
    record = Record.objects.get()
    assert (record.inspector, record.sub_type) == (inspector, fuel_dispenser.sub_type)
    measurements = page.locator('[data-place="runs|1|V_J"]')  # in the fieldset of step 2
    expect(measurements).to_be_disabled()  # step 2 opens only once step 1 is complete
    expect(page.locator('[data-place="V0"]')).to_have_attribute("inputmode", "decimal")

    # Step 1, with a wrong value first: its error shows on the field, in Chinese, then goes.
    type_value(page, "油品", "汽油")
    type_value(page, "量器材质", "不锈钢")
    type_value(page, "V0", "2000")
    expect(page.locator('[data-error-for="V0"]')).to_contain_text("不能大于 1000")
    type_value(page, "V0", F1["inputs"]["V0"])
    expect(page.locator('[data-error-for="V0"]')).to_have_text("")
    type_value(page, "h0", F1["inputs"]["h0"])
    expect(measurements).to_be_disabled()
    type_value(page, "d", F1["inputs"]["d"])
    expect(measurements).to_be_enabled()
    expect(page.locator("#verdict-value")).to_have_text("尚未完成")

    runs = F1["inputs"]["runs"]
    cells = [(number, column, value) for number, row in enumerate(runs, 1) for column, value in row.items()]
    online_cells, offline_cells = cells[:-3], cells[-3:]
    for number, column, value in online_cells:
        if not page.locator(f'[data-place="runs|{number}|{column}"]').count():
            page.click('[data-add-row="runs"]')
        type_value(page, "runs", value, number, column)
        if (number, column) == (1, "t_B"):  # the first run computes as soon as it is complete
            expect(page.locator('output[data-value="runs|1|E"]')).to_have_text("-0.03")  # E = -0.0295 at its display interval
            expect(page.locator("#verdict-value")).to_have_text("合格")  # one run is enough for a verdict
    expect(page.locator("#sync-state")).to_have_text("已保存")
    # "已保存" may show before the last value's request is answered: wait until the server has it.
    saved_on_the_server(page, lambda: len(Record.objects.get().inputs.get("runs", [])) == len(runs))

    # Three values without a connection: queued in the browser, the state says so.
    page.context.set_offline(True)
    for number, column, value in offline_cells:
        type_value(page, "runs", value, number, column)
    expect(page.locator("#sync-state")).to_contain_text("待同步 3 项")
    assert Record.objects.get().inputs["runs"][2] == {"V_J": "19.99"}

    page.context.set_offline(False)
    expect(page.locator("#sync-state")).to_have_text("已保存")
    expect(page.locator("#verdict-value")).to_have_text("合格")

    page.reload()
    expect(page.locator("#verdict-value")).to_have_text("合格")
    for number, column, value in cells:
        expect(page.locator(f'[data-place="runs|{number}|{column}"]')).to_have_value(value)
    stored = Record.objects.get()
    assert stored.inputs["runs"] == runs and stored.inputs["V0"] == F1["inputs"]["V0"]
    assert stored.conclusion == "合格"
    values = RecordValue.objects.filter(record=stored)
    assert values.count() == 5 + 1 + len(cells)  # V0 twice (2000, then 20); nothing doubled
    assert set(values.values_list("device", flat=True)) == {device.identifier}

    # The certificate previewed as PDF, made by a job.
    page.click("#preview-document")
    expect(page.locator("#preview")).to_contain_text("正在生成")
    deadline = time.monotonic() + 120
    while not page.locator("#open-preview").count() and time.monotonic() < deadline:
        jobs.run()
        page.wait_for_timeout(500)
    pdf_url = page.locator("#open-preview").get_attribute("href")
    pdf = page.request.get(pdf_url)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    # Submitting is the workflow's step, signed on the sheet: by hand, then the password.
    page.click("#submit-record")
    expect(page.locator("#signing-sheet[data-ready=true]")).to_have_attribute("data-action", "submit")
    box = page.locator("#signature-pad").bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 90, steps=8)
    page.mouse.up()
    page.fill("#sign-password", PASSWORD)
    page.click("#sign-submit")
    expect(page.locator("#action-message")).to_contain_text("原始记录编号 YS")
    assert Record.objects.get().state == Record.State.SUBMITTED
