"""#9 in a real browser: the procedure's information (code, name, test type, sub-types, the documents
its conclusion gives, regulation, instrument, version, notes) is edited as a form, saved and reloaded
intact, without typing JSON; a test case picks the sub-type it is computed as.

The assertions read ids, data attributes and values rather than wording, so that they hold in
every language the page is shown in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metrology.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEFINITION = {
    "format_version": 1, "code": "BAL-1", "name": "电子天平", "test_type": "检定", "sub_types": ["首次检定"],
    "fields": [{"key": "e", "label": "示值误差", "type": "number"},
               {"key": "MPE", "label": "最大允许误差", "type": "formula",
                "expression": "=IF(检测子类型 = \"后续检定\", 1, 0.5)"}],
    "rules": [{"id": "error", "label": "示值误差", "value": "=ABS(e)", "operator": "<=", "limit": "=MPE"}],
    "test_cases": [{"name": "T1", "inputs": {"e": "0.8"}, "expected": {"MPE": "1"}}],
    "source": "kept as it is",
}


@pytest.fixture
def draft(admin):
    from metrology.doctype.models import Item, TestType
    from metrology.doctype.seeds import ensure_default_test_types
    from metrology.doctype.services import procedure_create

    ensure_default_test_types(TestType)  # transactional tests flush the seeded rows
    item = Item.objects.create(code="BAL", name="电子天平", is_authorised=True, authorisation_basis="[2024]示范第003号")
    sub_type = TestType.objects.get(parent__name="检定", name="首次检定")
    return procedure_create(actor=admin, item=item, sub_type=sub_type, code="BAL-1", name="电子天平",
                            definition=DEFINITION)


@pytest.fixture
def page(new_page, admin):
    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/desk/")
    return page


def open_designer(page, version) -> None:
    page.goto(f"/desk/doctype/procedureversion/{version.pk}/design/")
    expect(page.locator("#designer[data-ready='true']")).to_be_attached()


def meta(page, focus: str, tag: str = "input"):
    return page.locator(f"#meta {tag}[data-focus='meta:{focus}']")


def type_in(page, focus: str, value: str, tag: str = "input") -> None:
    meta(page, focus, tag).fill(value)
    meta(page, focus, tag).press("Tab")


def test_the_procedures_information_is_edited_without_json_and_reloads_intact(page, draft):
    open_designer(page, draft)
    type_in(page, "code", "")
    expect(page.locator("#meta [data-error-for='m:code']")).not_to_be_empty()  # a problem, at its input
    expect(meta(page, "code")).to_have_attribute("aria-invalid", "true")
    type_in(page, "code", "JJG1036-BAL")
    expect(page.locator("#meta [data-error-for='m:code']")).to_be_empty()
    type_in(page, "name", "电子天平检定")
    type_in(page, "test_type", "检定")

    page.click("#meta button[data-sub-type='后续检定']")  # one of the test type's sub-types, offered
    page.click("#meta-add-sub-type")  # and one typed
    type_in(page, "sub_types:2", "")
    expect(page.locator("#meta [data-error-for='m:sub_types']")).not_to_be_empty()  # an empty sub-type
    type_in(page, "sub_types:2", "使用中检查")
    expect(page.locator("#meta [data-error-for='m:sub_types']")).to_be_empty()

    meta(page, "kinds-mode:always").check()
    type_in(page, "kinds:always", "检测报告")
    meta(page, "kinds-mode:conclusion").check()
    expect(meta(page, "kinds:pass")).to_have_value("检定证书")
    type_in(page, "kinds:fail", "检定结果通知书")

    type_in(page, "regulation:code", "JJG 1036-2022")
    type_in(page, "regulation:title", "电子天平检定规程")
    type_in(page, "item:name", "电子天平")
    type_in(page, "item:period_months", "12")
    type_in(page, "version", "2022-1")
    type_in(page, "about", "示值误差按检测子类型取限值。", tag="textarea")

    case = page.locator(".test-case").first
    case.locator("select[data-context='sub_type']").select_option("后续检定")
    expect(case.locator(".badge.passed")).to_be_visible()  # computed as 后续检定: MPE 1

    page.click("#save-draft")
    expect(page.locator("#action-message .message-success")).to_be_visible()
    draft.refresh_from_db()
    stored = draft.definition
    assert stored["code"] == "JJG1036-BAL" and stored["name"] == "电子天平检定" and stored["test_type"] == "检定"
    assert stored["sub_types"] == ["首次检定", "后续检定", "使用中检查"]
    assert stored["document_kinds"] == {"pass": "检定证书", "fail": "检定结果通知书"}
    assert stored["regulation"] == {"code": "JJG 1036-2022", "title": "电子天平检定规程"}
    assert stored["item"] == {"name": "电子天平", "period_months": 12}
    assert stored["version"] == "2022-1" and stored["about"] == "示值误差按检测子类型取限值。"
    assert stored["test_cases"][0]["context"] == {"sub_type": "后续检定"}
    assert stored["source"] == "kept as it is" and stored["fields"] == DEFINITION["fields"]

    page.reload()
    expect(page.locator("#designer[data-ready='true']")).to_be_attached()
    expect(page.locator("#draft-notice")).to_be_empty()
    expect(meta(page, "code")).to_have_value("JJG1036-BAL")
    expect(meta(page, "sub_types:1")).to_have_value("后续检定")
    expect(meta(page, "sub_types:2")).to_have_value("使用中检查")
    expect(meta(page, "kinds-mode:conclusion")).to_be_checked()
    expect(meta(page, "kinds:fail")).to_have_value("检定结果通知书")
    expect(meta(page, "item:period_months")).to_have_value("12")
    expect(meta(page, "about", "textarea")).to_have_value("示值误差按检测子类型取限值。")
    expect(page.locator(".test-case select[data-context='sub_type']").first).to_have_value("后续检定")

    meta(page, "kinds-mode:default").check()  # back to what the test type gives
    page.locator("#meta li.sub-type").nth(2).locator("button.remove").click()
    page.click("#save-draft")
    expect(page.locator("#action-message .message-success")).to_be_visible()
    draft.refresh_from_db()
    assert "document_kinds" not in draft.definition
    assert draft.definition["sub_types"] == ["首次检定", "后续检定"]


def test_the_test_run_computes_as_the_sub_type_picked(page, draft):
    open_designer(page, draft)
    page.click("#meta button[data-sub-type='后续检定']")
    page.locator("#run-form input[data-focus='run:e']").fill("0.8")
    page.click("#run-test")
    expect(page.locator("#test-result")).to_contain_text("0.5")  # the procedure's own sub-type: 首次检定
    page.locator("#run-form select[data-context='sub_type']").select_option("后续检定")
    page.click("#run-test")
    expect(page.locator("#test-result .result-values")).to_contain_text("1")
    expect(page.locator("#test-result .result-values")).not_to_contain_text("0.5")
