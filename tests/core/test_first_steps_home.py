"""The Desk home shows the institute's set-up path, each step done, next or not yet, from the database (#9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrology.doctype.models import Item
from metrology.doctype.packs import pack_import
from metrology.doctype.services import item_save
from metrology.numbering.services import scheme_create
from metrology.print_formats.services import layout_upload

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
PACK = REPO / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json"
CERTIFICATE = REPO / "tests" / "data" / "templates" / "certificate_jjg443.docx"


def _steps(client) -> dict[str, str]:
    response = client.get(reverse("desk:index"))
    assert response.status_code == 200
    return {step.code: step.state for step in response.context["setup_path"].steps}


def _published_procedures(admin) -> list:
    definition = json.loads(PACK.read_text(encoding="utf-8"))
    return [version.procedure for version in pack_import(actor=admin, definition=definition, authorise=True,
                                                          publish=True)]


def test_a_fresh_institute_is_told_to_authorise_an_item_first(login, admin):
    client = login(admin)
    assert _steps(client) == {"items": "next", "procedure": "later", "layouts": "later", "numbering": "later",
                              "people": "later"}
    page = client.get(reverse("desk:index")).content.decode()
    assert 'aria-current="step"' in page and reverse("desk:doctype_item_add") in page
    assert 'id="content-main"' in page  # Django's module list stays below


def test_each_step_done_moves_the_next_one_along(login, admin, make_person, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    client = login(admin)
    item_save(actor=admin, item=Item(code="TEST-1", name="试验项目", is_authorised=True))
    assert _steps(client)["items"] == "done" and _steps(client)["procedure"] == "next"

    first, second = _published_procedures(admin)  # 首次检定 and 后续检定
    steps = _steps(client)
    assert steps["procedure"] == "done" and steps["layouts"] == "next" and steps["numbering"] == "later"
    page = client.get(reverse("desk:index")).content.decode()
    assert f'{reverse("desk:print_formats_layout_add")}?procedure={first.pk}' in page

    for procedure in (first, second):
        assert _steps(client)["layouts"] == "next"  # every published procedure needs its layout
        layout_upload(actor=admin, procedure=procedure, kind="检定证书", data=CERTIFICATE.read_bytes(),
                      filename="certificate.docx")
    steps = _steps(client)
    assert steps["layouts"] == "done" and steps["numbering"] == "next"
    page = client.get(reverse("desk:index")).content.decode()
    assert f'{reverse("desk:numbering_numberingscheme_add")}?procedure={first.pk}' in page

    # one scheme of the test type 检定 covers both sub-types
    scheme_create(actor=admin, item=first.item, test_type=first.sub_type.parent, document_kind="检定证书",
                  prefix="JD")
    steps = _steps(client)
    assert steps["numbering"] == "done" and steps["people"] == "next"

    make_person("zs", "张三", "inspector")
    make_person("ls", "李四", "verifier")
    assert _steps(client)["people"] == "next"  # nobody may approve yet
    make_person("ww", "王五", "approver")
    assert set(_steps(client).values()) == {"done"}


def test_a_step_the_person_may_not_do_is_shown_without_its_link(login, make_person):
    templates_only = make_person("wendang", "赵六", "document_manager")
    response = login(templates_only).get(reverse("desk:index"))
    steps = {step.code: step for step in response.context["setup_path"].steps}
    assert steps["items"].state == "next" and steps["items"].url == ""
    assert reverse("desk:doctype_item_add") not in response.content.decode()
    assert str(steps["items"].responsible) in response.content.decode()  # who does it instead


def test_people_who_may_set_nothing_up_see_no_set_up_path(login, inspector):
    response = login(inspector).get(reverse("desk:index"))
    assert response.context["setup_path"] is None
    assert 'id="setup-path"' not in response.content.decode()


def test_the_set_up_path_asks_a_fixed_number_of_queries(login, admin):
    client = login(admin)
    _published_procedures(admin)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("desk:index"))
    for code in ("jjg52_pressure_gauge.json",):
        definition = json.loads((PACK.parent / code).read_text(encoding="utf-8"))
        pack_import(actor=admin, definition=definition, authorise=True, publish=True)
    with CaptureQueriesContext(connection) as more:
        client.get(reverse("desk:index"))
    assert len(more.captured_queries) == len(few.captured_queries)
