"""Issue 2 in a real browser (R-4.2.2.3–5, R-4.3.2.1): roles and permissions decide what people see."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from metrology.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Ziliao-Mima-2026"


def log_in(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")


def run_action(page, changelist: str, row_text: str, action: str) -> None:
    page.goto(changelist)
    page.locator("#result_list tr", has_text=row_text).locator("input.action-select").check()
    page.select_option("select[name=action]", action)
    page.click("button[name=index]")


def test_roles_and_permissions_decide_what_a_person_sees(new_page, admin):
    desk = new_page()
    log_in(desk, "admin", PASSWORD)
    expect(desk.locator("#site-name")).to_contain_text("计量检测数据与证书平台")

    # The administrator creates a role with two permissions.
    desk.goto("/desk/accounts/role/add/")
    desk.fill("#id_name", "资料员")
    desk.check("input[name=permissions][value=people_query]")
    desk.check("input[name=permissions][value=audit_query]")
    desk.click("input[name=_save]")
    expect(desk.locator(".messagelist .success")).to_have_count(1)

    # … and a person with a qualification and that role.
    desk.goto("/desk/accounts/person/add/")
    desk.fill("#id_username", "ziliao")
    desk.fill("#id_password1", NEW_PASSWORD)
    desk.fill("#id_password2", NEW_PASSWORD)
    desk.fill("#id_name", "资料员甲")
    desk.locator("label", has_text="资料员").locator("input").check()
    desk.fill("#id_qualifications-0-certificate_number", "JL-2025-0099")
    desk.fill("#id_qualifications-0-issue_date", "2025-01-01")
    desk.fill("#id_qualifications-0-issuing_body", "示范省市场监督管理局")
    desk.fill("#id_qualifications-0-valid_until", "2029-12-31")
    desk.fill("#id_qualifications-0-items", "燃油加油机")
    desk.click("input[name=_save]")
    expect(desk.locator(".messagelist .success")).to_have_count(1)

    # The person sees only what the two permissions allow.
    person = new_page()
    log_in(person, "ziliao", NEW_PASSWORD)
    menu = person.locator("#content-main")
    expect(menu).to_contain_text("人员")
    expect(menu).to_contain_text("审计日志")
    expect(menu).not_to_contain_text("角色")
    assert person.goto("/desk/accounts/role/").status == 403
    person.goto("/desk/accounts/person/")
    expect(person.locator("#result_list")).to_contain_text("ziliao")
    assert person.locator("a.addlink").count() == 0  # may look, not add

    # Disabling the role takes the access away.
    run_action(desk, "/desk/accounts/role/", "资料员", "disable_selected")
    expect(desk.locator(".messagelist .success")).to_have_count(1)
    assert person.goto("/desk/accounts/person/").status == 403
    person.goto("/desk/")
    expect(person.locator("#content-main")).not_to_contain_text("审计日志")

    # Disabling the person ends the session and refuses the next login with a clear message.
    run_action(desk, "/desk/accounts/person/", "ziliao", "disable_selected")
    expect(desk.locator(".messagelist .success")).to_have_count(1)
    person.goto("/desk/")
    expect(person).to_have_url(re.compile("/login/"))
    log_in(person, "ziliao", NEW_PASSWORD)
    expect(person.locator(".errornote")).to_contain_text("该账号已被停用")
