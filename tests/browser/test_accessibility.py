"""#9 in a real browser: axe-core finds nothing serious or critical on the Desk's main pages, on a
desktop and on a 1024 px tablet, in light and dark colours (axe-core from npm, see
apps/metrology/testing/axe.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from metrology.testing.axe import axe_violations, violations_report
from metrology.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPO = Path(__file__).resolve().parents[2]
JJG443 = REPO / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json"
CERTIFICATE = REPO / "tests" / "data" / "templates" / "certificate_jjg443.docx"
SCREENS = {
    "desktop": ({"width": 1280, "height": 800}, "light"),
    "tablet": ({"width": 1024, "height": 768}, "light"),
    "tablet-dark": ({"width": 1024, "height": 768}, "dark"),  # Django's admin follows the system's theme
}


@pytest.fixture
def desk_pages(admin, settings, tmp_path) -> dict[str, str]:
    """The pages to check: a JJG 443 procedure published with a layout, and its next version as a
    draft with fields, a grid, limit tables and rules open in the designer."""
    from metrology.doctype.files import load_definition
    from metrology.doctype.models import TestType
    from metrology.doctype.packs import pack_import
    from metrology.doctype.seeds import ensure_default_test_types
    from metrology.doctype.services import version_new_draft
    from metrology.print_formats.services import layout_upload

    settings.MEDIA_ROOT = str(tmp_path / "files")
    ensure_default_test_types(TestType)  # transactional tests flush the seeded rows
    published = pack_import(actor=admin, definition=load_definition(JJG443), authorise=True, publish=True)[0]
    procedure = published.procedure
    draft = version_new_draft(actor=admin, procedure=procedure)
    assert draft.status == "draft" and any(field["type"] == "grid" for field in draft.definition["fields"])
    assert draft.definition["rules"] and draft.definition["tables"]
    layout = layout_upload(actor=admin, procedure=procedure, kind="检定证书",
                           data=CERTIFICATE.read_bytes(), filename="certificate_jjg443.docx").layout
    return {
        "Desk home": reverse("desk:index"),
        "procedure list": reverse("desk:doctype_procedure_changelist"),
        "people list": reverse("desk:accounts_person_changelist"),
        "designer": reverse("desk:doctype_procedureversion_design", args=[draft.pk]),
        "layout page": reverse("desk:print_formats_layout_change", args=[layout.pk]),
    }


@pytest.mark.parametrize("viewport, color_scheme", SCREENS.values(), ids=SCREENS.keys())
def test_the_desk_home_a_list_the_designer_and_a_layout_have_no_serious_accessibility_violations(
        new_page, desk_pages, viewport, color_scheme):
    page = new_page()
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=color_scheme)
    urls = {"login page": "/login/", **desk_pages}
    found = {}

    page.goto(urls["login page"])
    found["login page"] = axe_violations(page)
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/desk/")
    for name, url in desk_pages.items():
        response = page.goto(url)
        assert response.status == 200, f"{name}: {url} answered {response.status}"
        page.wait_for_load_state("networkidle")  # the designer renders and checks its draft by script
        found[name] = axe_violations(page)

    found = {name: violations for name, violations in found.items() if violations}
    assert not found, "\n\n".join(f"== {name} ({urls[name]}) ==\n{violations_report(violations)}"
                                  for name, violations in found.items())
