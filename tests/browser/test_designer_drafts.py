"""#9 in a real browser: a designer draft saves as it is, nothing typed is lost on a reload or an
expired session, failures are said, late answers to an older check are ignored, and a refused
publish names each differing value.

The assertions read ids, data attributes and values rather than wording, so that they hold in
every language the page is shown in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metrology.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEFINITION = {
    "format_version": 1, "code": "SUM-1", "name": "求和示例", "test_type": "检定",
    "fields": [{"key": "a", "label": "甲", "type": "number"}, {"key": "b", "label": "乙", "type": "number"},
               {"key": "c", "label": "和", "type": "formula", "expression": "=a + b"}],
    "rules": [{"id": "upper", "label": "和的上限", "value": "=c", "operator": "<=", "limit": "=10"}],
    "test_cases": [{"name": "T1", "inputs": {"a": "2.25", "b": "3"}, "expected": {"c": "9.75"}}],
}


@pytest.fixture
def draft(admin):
    from metrology.doctype.models import Item, TestType
    from metrology.doctype.seeds import ensure_default_test_types
    from metrology.doctype.services import procedure_create

    ensure_default_test_types(TestType)  # transactional tests flush the seeded rows
    item = Item.objects.create(code="SUM", name="求和量具", is_authorised=True, authorisation_basis="[2024]示范第002号")
    sub_type = TestType.objects.filter(parent__isnull=False).order_by("pk").first()
    return procedure_create(actor=admin, item=item, sub_type=sub_type, code="SUM-1", name="求和示例",
                            definition=DEFINITION)


def log_in(page) -> None:
    page.goto("/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/desk/")


def open_designer(page, version) -> None:
    page.goto(f"/desk/doctype/procedureversion/{version.pk}/design/")
    expect(page.locator("#designer[data-ready='true']")).to_be_attached()


def edit_field(page, n: int) -> None:
    page.locator("#fields > tr").nth(n).locator("button.edit").click()


def panel(page, suffix: str):
    return page.locator(f"#field-panel input[data-focus$=':{suffix}']")


def wait_for(page, condition) -> None:
    for _ in range(100):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("the page never sent the request")


@pytest.fixture
def page(new_page, admin):
    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page)
    return page


def test_an_incomplete_draft_saves_with_its_problems_and_reloads_intact(page, draft):
    open_designer(page, draft)
    edit_field(page, 2)
    incomplete = '=a * LOOKUP("系数表.k")'  # the table is not made yet
    panel(page, "expression").fill(incomplete)
    expect(page.locator("#problems li.problem")).to_contain_text("系数表")
    expect(page.locator("#fields > tr").nth(2).locator("[data-marker-for='f:c']")).not_to_be_empty()

    page.click("#save-draft")
    expect(page.locator("#action-message .message-success")).to_be_visible()
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.definition["fields"][2]["expression"] == incomplete

    page.reload()
    expect(page.locator("#designer[data-ready='true']")).to_be_attached()
    expect(page.locator("#draft-notice")).to_be_empty()  # saved: nothing left to restore
    expect(page.locator("#problems li.problem")).to_contain_text("系数表")
    edit_field(page, 2)
    expect(panel(page, "expression")).to_have_value(incomplete)


def test_a_refused_publish_names_each_differing_value(page, draft):
    open_designer(page, draft)
    case = page.locator(".test-case").first
    expect(case.locator(".badge.failed")).to_be_visible()  # ✗ after the first check
    expect(case.locator(".differences")).to_contain_text("9.75")
    expect(case.locator("input[data-path='t:T1:exp:c']")).to_have_attribute("aria-invalid", "true")

    page.click("#publish")
    refusal = page.locator("#action-message")
    expect(refusal.locator(".message-error")).to_be_visible()
    expect(refusal.locator(".message-details")).to_contain_text("9.75")  # expected
    expect(refusal.locator(".message-details")).to_contain_text("5.25")  # computed
    expect(refusal.locator(".message-details")).to_contain_text("和")  # the field, by its label
    draft.refresh_from_db()
    assert draft.status == "draft"

    case.locator("input[data-path='t:T1:exp:c']").fill("5.25")
    expect(case.locator(".badge.passed")).to_be_visible()


def test_unsaved_work_survives_a_reload_and_an_expired_session(page, draft):
    open_designer(page, draft)
    edit_field(page, 0)
    panel(page, "label").fill("甲（改）")
    panel(page, "label").press("Tab")
    expect(page.locator("#dirty-state")).not_to_be_empty()

    page.reload()  # the browser asks first (beforeunload); the dialog is accepted
    expect(page.locator("#designer[data-ready='true']")).to_be_attached()
    expect(page.locator("#draft-notice #discard-local-draft")).to_be_visible()
    expect(page.locator("#fields > tr").first).to_contain_text("甲（改）")

    page.context.clear_cookies()  # the session is gone
    page.click("#save-draft")
    expect(page.locator("#action-message .message-error")).to_be_visible()
    expect(page.locator("#action-message a[href*='/login/']")).to_be_visible()
    draft.refresh_from_db()
    assert draft.definition["fields"][0]["label"] == "甲"

    log_in(page)
    open_designer(page, draft)
    expect(page.locator("#fields > tr").first).to_contain_text("甲（改）")
    page.click("#save-draft")
    expect(page.locator("#action-message .message-success")).to_be_visible()
    draft.refresh_from_db()
    assert draft.definition["fields"][0]["label"] == "甲（改）"

    edit_field(page, 1)
    panel(page, "label").fill("乙（未保存）")
    page.reload()
    expect(page.locator("#fields > tr").nth(1)).to_contain_text("乙（未保存）")
    page.click("#discard-local-draft")
    expect(page.locator("#fields > tr").nth(1)).not_to_contain_text("乙（未保存）")
    expect(page.locator("#dirty-state")).to_be_empty()


def test_failures_are_said_and_a_late_answer_to_an_older_check_is_ignored(page, draft):
    open_designer(page, draft)
    page.route("**/design/save/", lambda route: route.abort())
    page.click("#save-draft")
    expect(page.locator("#action-message .message-error")).to_be_visible()
    page.unroute("**/design/save/")
    page.route("**/design/save/", lambda route: route.fulfill(
        status=500, content_type="application/json", body='{"ok": false, "message": "Disk full (test)"}'))
    page.click("#save-draft")
    expect(page.locator("#action-message .message-error")).to_contain_text("Disk full (test)")
    page.unroute("**/design/save/")

    held = []
    page.route("**/design/check/", lambda route: held.append(route))
    edit_field(page, 2)
    expression = panel(page, "expression")
    expression.fill("=a + bb")  # an unknown name: this check's answer comes last
    wait_for(page, lambda: len(held) == 1)
    expression.fill("=a + b")
    wait_for(page, lambda: len(held) == 2)
    held[1].continue_()
    expect(page.locator("#problems li.ok")).to_be_visible()
    held[0].continue_()
    page.wait_for_timeout(1000)  # the older answer (naming bb) arrives, and is not shown
    expect(page.locator("#problems li.problem")).to_have_count(0)
    expect(page.locator("#field-panel [data-error-for='f:c:expression']")).to_be_empty()
