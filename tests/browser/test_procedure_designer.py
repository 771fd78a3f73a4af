"""Issues 3 and 9 in a real browser (R-4.1.2.6, R-4.3.5.6–9): a procedure with a grid, a range-keyed
limit table, a per-row rule and a confirmed test case is built, test-run, published and edited as
version 2, and nowhere is JSON typed.

The assertions read ids, data attributes and values rather than wording, so that they hold in
every language the page is shown in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from metrology.doctype.engine import compute
from metrology.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What Excel or WPS puts on the clipboard for four rows of three cells.
LIMIT_ROWS = "1.6\t<0.9\t1.6\r\n1.6\t≥0.9\t2.5\r\n2.5\t＜0.9\t2.5\r\n2.5\t>=0.9\t4.0\r\n"


@pytest.fixture
def authorised_item(db):
    from metrology.doctype.models import Item, TestType
    from metrology.doctype.seeds import ensure_default_test_types

    ensure_default_test_types(TestType)  # again: transactional tests flush the seeded rows
    return Item.objects.create(code="DEMO-1", name="示范量具", is_authorised=True, authorisation_basis="[2024]量标示范证字第001号")


def log_in(page) -> None:
    page.goto("/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/desk/")


def panel(page, suffix: str, tag: str = "input"):
    return page.locator(f"#field-panel {tag}[data-focus$=':{suffix}']")


def set_panel(page, suffix: str, value: str) -> None:
    panel(page, suffix).fill(value)
    panel(page, suffix).press("Tab")  # commits: the list and the forms follow the new value


def add_field(page, key: str, type_: str, label: str = "") -> None:
    page.click("#add-field")
    set_panel(page, "key", key)
    if label:
        set_panel(page, "label", label)
    panel(page, "type", "select").select_option(type_)


def add_column(page, key: str, type_: str, expression: str = "") -> None:
    page.locator("#field-panel button[id^='add-column-']").click()
    set_panel(page, "key", key)
    panel(page, "type", "select").select_option(type_)
    if expression:
        set_panel(page, "expression", expression)


def paste(locator, text: str) -> None:
    locator.evaluate("""(input, text) => {
        const data = new DataTransfer();
        data.setData("text/plain", text);
        input.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
    }""", text)


def build_fields(page) -> None:
    add_field(page, "等级", "select", "准确度等级")
    for value in ("1.6", "2.5"):
        page.locator("#field-panel button[id^='add-option-']").click()
        page.locator("#field-panel input[data-focus*=':option:'][data-focus$=':value']").last.fill(value)
    add_field(page, "上限", "number", "测量上限")
    set_panel(page, "unit", "MPa")
    add_field(page, "points", "grid", "检定点")
    panel(page, "rows:fixed").check()
    set_panel(page, "rows:count", "2")
    panel(page, "rows:range").check()  # back to fewest / most rows: 1 to 20
    set_panel(page, "rows:min", "1")
    set_panel(page, "rows:max", "20")
    page.locator("#field-panel button[id^='add-column-']").click()
    set_panel(page, "key", "p")
    add_column(page, "r", "number")
    add_column(page, "E", "formula", "=r - pp")  # a typo: shown at its position as it is typed
    error = page.locator("#field-panel [data-error-for='f:points:E:expression']")
    expect(error).to_contain_text("pp")
    expect(error.locator("pre.caret")).to_contain_text("^")
    expect(panel(page, "expression")).to_have_attribute("aria-invalid", "true")
    set_panel(page, "expression", "=r - p")
    expect(error).to_have_text("")
    add_column(page, "MPE", "formula", '=上限 * LOOKUP("最大允许误差", 等级, p / 上限) / 100')


def build_limit_table(page) -> None:
    page.click("#add-table")
    card = page.locator(".table-card").first
    card.locator("input[data-path$=':name']").fill("最大允许误差")
    card.locator("input[data-path$=':name']").press("Tab")
    card.locator("input[data-focus$=':key:0:name']").fill("等级")
    card.locator("input[data-focus$=':key:0:name']").press("Tab")
    card.locator("button[id^='add-key-']").click()
    card.locator("input[data-focus$=':key:1:name']").fill("相对上限")
    card.locator("input[data-focus$=':key:1:name']").press("Tab")
    card.locator("select[data-focus$=':key:1:match']").select_option("range")
    card.locator("input[data-focus$=':value:0:name']").fill("百分比")
    card.locator("input[data-focus$=':value:0:name']").press("Tab")

    first_cell = card.locator(".limit-grid tbody tr").first.locator("input").first
    paste(first_cell, LIMIT_ROWS)
    expect(card.locator(".limit-grid tbody tr")).to_have_count(4)
    range_cell = card.locator(".limit-grid tbody tr").nth(1).locator("input").nth(1)
    expect(range_cell).to_have_value("≥0.9")
    range_cell.fill("0.9 or more")  # not a range: said at the cell, and kept as typed
    expect(range_cell).to_have_attribute("aria-invalid", "true")
    expect(range_cell.locator("xpath=following-sibling::div[1]")).to_contain_text("0.9 or more")
    range_cell.fill("＞＝0.9")
    expect(range_cell).not_to_have_attribute("aria-invalid", "true")


def build_rule(page) -> None:
    page.click("#add-rule")
    rule = page.locator(".rule-card").first
    rule.locator("input[data-focus$=':label']").fill("示值误差")
    rule.locator("select[data-focus$=':each']").select_option("points")
    value = rule.locator("input[data-formula='value']")
    value.fill("=ABS(")
    rule.locator("button[data-focus$=':insert:E']").click()
    page.keyboard.type(")")
    expect(value).to_have_value("=ABS(E)")
    limit = rule.locator("input[data-formula='limit']")
    limit.fill("=")
    rule.locator("button[data-focus$=':insert:MPE']").click()
    expect(limit).to_have_value("=MPE")


def run_and_copy_as_a_confirmed_test_case(page) -> None:
    page.locator("#run-form select[data-focus='run:等级']").select_option("1.6")
    page.fill("#run-form input[data-focus='run:上限']", "1.6")
    page.fill("#run-form input[data-focus='run:points:0:p']", "0.4")
    page.fill("#run-form input[data-focus='run:points:0:r']", "0.41")
    page.click("#run-form button[data-focus='run:points:add']")
    page.fill("#run-form input[data-focus='run:points:1:p']", "1.6")
    page.fill("#run-form input[data-focus='run:points:1:r']", "1.66")
    page.click("#run-test")
    result = page.locator("#test-result")
    expect(result.locator("tr.rule-row")).to_have_count(2)  # the per-row rule, row by row
    expect(result.locator("tr.rule-row.rule-failed")).to_have_count(1)
    expect(result.locator("tr.rule-row.rule-failed th")).to_contain_text("2")
    expect(result.locator(".failed-rows")).to_contain_text("2")
    expect(result).to_contain_text("0.0256")  # MPE of row 1: 1.6 × 1.6 % from the range < 0.9
    expect(result).to_contain_text("0.04")  # row 2 reads the band ≥ 0.9

    page.click("#copy-to-case")
    case = page.locator(".test-case").first
    expect(case.locator(".badge.unconfirmed")).to_be_visible()
    expect(case.locator("input[data-path$=':exp:points:2:E']")).to_have_value("0.06")
    case.locator("button[data-focus$=':confirm']").click()
    expect(case.locator(".badge.unconfirmed")).to_have_count(0)


def test_an_administrator_builds_tests_and_publishes_a_procedure_without_typing_json(
        new_page, admin, authorised_item):
    from metrology.doctype.selectors import version_by_label

    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page)

    page.goto("/desk/doctype/procedure/add/")
    page.select_option("#id_item", label=str(authorised_item))
    page.select_option("#id_sub_type", label="检定 · 首次检定")
    page.fill("#id_code", "DEMO-P")
    page.fill("#id_name", "示范量具检定")
    page.click("input[name=_save]")
    expect(page).to_have_url(re.compile(r"/design/$"))
    expect(page.locator("#version-status")).to_have_text("草稿")
    expect(page.locator("#designer[data-ready='true']")).to_be_attached()

    build_fields(page)
    build_limit_table(page)
    build_rule(page)
    run_and_copy_as_a_confirmed_test_case(page)

    page.click("#save-draft")
    expect(page.locator("#action-message .message-success")).to_be_visible()
    expect(page.locator(".test-case .badge.passed")).to_be_visible()
    expect(page.locator("#problems li.problem")).to_have_count(0)

    page.click("#publish")
    expect(page.locator("#version-status")).to_have_text("已发布")
    expect(page.locator("#bind-layout")).to_be_visible()
    v1 = version_by_label("DEMO-P@1")
    definition = v1.definition
    assert v1.status == "published"
    table = definition["tables"][0]
    assert table["keys"] == [{"column": "等级", "match": "exact"}, {"column": "相对上限", "match": "range"}]
    assert [row["相对上限"] for row in table["rows"]] == [{"lt": "0.9"}, {"ge": "0.9"}, {"lt": "0.9"}, {"ge": "0.9"}]
    assert definition["rules"][0]["each"] == "points" and definition["rules"][0]["value"] == "=ABS(E)"
    grid = next(field for field in definition["fields"] if field["key"] == "points")
    assert grid["rows"] == {"min": 1, "max": 20} and [c["key"] for c in grid["columns"]] == ["p", "r", "E", "MPE"]
    case = definition["test_cases"][0]
    assert case.get("confirmed", True) is True and case["expected"]["points"][1]["E"] == "0.06"

    page.click("#new-draft")
    expect(page.locator("#version-status")).to_have_text("草稿")
    expect(page.locator("#designer[data-ready='true']")).to_be_attached()
    expect(page.locator("#designer[data-ready='true']")).to_be_attached()
    page.locator("#fields > tr", has_text="MPE").locator("button.edit").click()
    panel(page, "expression").fill('=上限 * LOOKUP("最大允许误差", 等级, p / 上限) / 50')
    page.click("#save-draft")
    expect(page.locator("#action-message .message-success")).to_be_visible()

    v2 = version_by_label("DEMO-P@2")
    inputs = {"等级": "1.6", "上限": "1.6", "points": [{"p": "1.6", "r": "1.66"}]}
    assert compute(version_by_label("DEMO-P@1").definition, inputs).to_json()["points"][0]["MPE"] == "0.04"
    assert compute(v2.definition, inputs).to_json()["points"][0]["MPE"] == "0.08"

    page.goto(f"/desk/doctype/procedure/{v1.procedure_id}/diff/?a=1&b=2")
    expect(page.locator("#diff")).to_contain_text("/ 50")
