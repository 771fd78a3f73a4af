"""Issue 3 in a real browser (R-4.1.2.6, R-4.3.5.6–9): define, test-run, publish, edit as version 2."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from metrology.doctype.engine import compute
from metrology.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def authorised_item(db):
    from metrology.doctype.models import Item, TestType
    from metrology.doctype.seeds import ensure_default_test_types

    ensure_default_test_types(TestType)  # again: transactional tests flush the seeded rows
    return Item.objects.create(code="DEMO-1", name="示范量具", is_authorised=True, authorisation_basis="[2024]量标示范证字第001号")


def field_row(page, n: int):
    return page.locator("#fields > tr").nth(n)


def set_key(page, n: int, key: str) -> None:
    field_row(page, n).locator("input[data-path$=':key']").fill(key)
    field_row(page, n).locator("input[data-path$=':key']").press("Tab")  # re-render with the new key


def test_an_administrator_designs_tests_and_publishes_a_procedure(new_page, admin, authorised_item):
    from metrology.doctype.selectors import version_by_label

    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")

    page.goto("/desk/doctype/procedure/add/")
    page.select_option("#id_item", label=str(authorised_item))
    page.select_option("#id_sub_type", label="检定 · 首次检定")
    page.fill("#id_code", "DEMO-P")
    page.fill("#id_name", "示范量具检定")
    page.click("input[name=_save]")
    expect(page).to_have_url(re.compile(r"/design/$"))
    expect(page.locator("#version-status")).to_have_text("草稿")

    for _ in range(3):
        page.click("#add-field")
    set_key(page, 0, "a")
    set_key(page, 1, "b")
    set_key(page, 2, "c")
    field_row(page, 2).locator("select").select_option("formula")
    formula = field_row(page, 2).locator("input[data-path='f:c:expression']")

    formula.fill("=a + bb")  # a typo: shown at its position as it is typed
    error = page.locator("[data-error-for='f:c:expression']")
    expect(error).to_contain_text("bb")
    expect(error.locator("pre.caret")).to_contain_text("^")
    formula.fill("=a + b")
    expect(error).to_have_text("")

    page.click("#add-rule")
    rule = page.locator("#rules > tr").first
    rule.locator("input[data-path$=':label']").fill("c上限")
    rule.locator("input[data-path$=':value']").fill("=c")
    rule.locator("input[data-path$=':limit']").fill("=10")

    page.fill("#test-inputs", '{"a": "2", "b": "3"}')
    page.click("#run-test")
    expect(page.locator("#test-result")).to_contain_text("5")
    expect(page.locator("#test-result")).to_contain_text("合格")

    page.click("#add-test-case")
    case = page.locator(".test-case").first
    case.locator("textarea[data-path$=':inputs']").fill('{"a": "2", "b": "3"}')
    case.get_by_role("button", name=re.compile("试算|test run")).click()
    expect(case.locator("textarea[data-path$=':expected']")).to_have_value(re.compile('"c": "5"'))

    page.click("#publish")
    expect(page.locator("#version-status")).to_have_text("已发布")
    v1 = version_by_label("DEMO-P@1")
    assert v1.status == "published" and len(v1.definition["test_cases"]) == 1

    page.click("#new-draft")
    expect(page.locator("#version-status")).to_have_text("草稿")
    page.locator("input[data-path='f:c:expression']").fill("=a * b")
    page.click("#save-draft")
    expect(page.locator("#action-message")).to_have_text("草稿已保存。")

    v2 = version_by_label("DEMO-P@2")
    assert v2.status == "draft" and v2.definition["fields"][2]["expression"] == "=a * b"
    record_inputs = {"a": "2", "b": "3"}
    assert compute(version_by_label("DEMO-P@1").definition, record_inputs).to_json()["c"] == "5"
    assert compute(v2.definition, record_inputs).to_json()["c"] == "6"

    page.goto(f"/desk/doctype/procedure/{v1.procedure_id}/diff/?a=1&b=2")
    expect(page.locator("#diff")).to_contain_text("c.expression")
    expect(page.locator("#diff")).to_contain_text("=a * b")
