"""#8 in a real browser: under the Content-Security-Policy the Desk, the designer and the API docs
still work, and the browser reports no blocked script or style."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metrology.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def draft_version(admin):
    from metrology.doctype.files import load_definition
    from metrology.doctype.packs import bundled_packs, pack_import
    from metrology.doctype.seeds import ensure_default_test_types
    from metrology.doctype.models import TestType

    ensure_default_test_types(TestType)  # transactional tests flush the seeded rows
    return pack_import(actor=admin, definition=load_definition(bundled_packs()[0]), authorise=True)[0]


def test_pages_work_under_the_policy_without_violations(page, admin, draft_version):
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("pageerror", lambda error: violations.append(str(error)))

    response = page.goto("/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("计量检测数据与证书平台")

    page.goto("/desk/accounts/person/add/")  # the admin's own scripts: inlines, filters, calendars
    expect(page.locator(".add-row a").first).to_be_visible()
    page.locator(".add-row a").first.click()

    page.goto(f"/desk/doctype/procedureversion/{draft_version.pk}/design/")
    expect(page.locator("#fields > tr").first).to_be_visible()  # rendered by designer.js
    page.click("#add-field")

    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Metrology platform API")

    assert violations == []
