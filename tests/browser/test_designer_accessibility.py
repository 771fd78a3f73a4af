"""#9 in a real browser on a 1024 px tablet: the designer at work (a field's side panel open, a test run
with per-row results, a test case copied from it, a limit table with a bad range) has no serious
or critical axe-core violation, in light and dark colours; every control has a name."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metrology.testing.axe import axe_violations, violations_report
from metrology.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def jjg52_draft(admin):
    from metrology.doctype.files import load_definition
    from metrology.doctype.models import TestType
    from metrology.doctype.packs import bundled_packs, pack_import
    from metrology.doctype.seeds import ensure_default_test_types

    ensure_default_test_types(TestType)  # transactional tests flush the seeded rows
    pack = next(path for path in bundled_packs() if "jjg52" in path.name)
    return pack_import(actor=admin, definition=load_definition(pack), authorise=True)[0]


@pytest.mark.parametrize("color_scheme", ["light", "dark"])
def test_the_designer_at_work_has_no_serious_accessibility_violations(new_page, jjg52_draft, color_scheme):
    page = new_page()
    page.set_viewport_size({"width": 1024, "height": 768})
    page.emulate_media(color_scheme=color_scheme)
    page.goto("/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/desk/")
    page.goto(f"/desk/doctype/procedureversion/{jjg52_draft.pk}/design/")
    expect(page.locator("#designer[data-ready='true']")).to_be_attached()

    page.locator("#fields > tr", has_text="points").first.locator("button.edit").click()
    expect(page.locator("#field-panel input[data-focus$=':key']")).to_have_value("points")
    page.locator(".test-case button[data-focus$=':to-run']").first.click()
    page.click("#run-test")
    expect(page.locator("#test-result tr.rule-row").first).to_be_visible()
    page.click("#copy-to-case")
    expect(page.locator(".test-case .badge.unconfirmed")).to_be_visible()
    range_cell = page.locator(".table-card .limit-grid tbody tr").first.locator("input.range")
    range_cell.fill("about 0.9")
    expect(range_cell).to_have_attribute("aria-invalid", "true")
    page.wait_for_load_state("networkidle")

    unnamed = page.evaluate("""() => [...document.querySelectorAll('#designer input, #designer select, #designer button')]
        .filter((node) => node.type !== 'hidden' && !(node.labels && node.labels.length) && !node.getAttribute('aria-label')
                 && !node.textContent.trim())
        .map((node) => node.outerHTML.slice(0, 120))""")
    assert unnamed == []
    violations = axe_violations(page)
    assert not violations, violations_report(violations)
