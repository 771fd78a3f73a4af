"""A layout's own page shows its lint notes and makes "upload a new version" the obvious path (#9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrology.doctype.files import load_definition
from metrology.doctype.packs import pack_import
from metrology.print_formats.models import Layout, LayoutVersion
from metrology.print_formats.services import layout_upload
from metrology.testing.documents import docx_of_paragraphs

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
CERTIFICATE = REPO / "tests" / "data" / "templates" / "certificate_jjg443.docx"


@pytest.fixture
def procedure(admin, layout_files):
    definition = load_definition(REPO / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json")
    return pack_import(actor=admin, definition=definition, authorise=True, publish=True)[0].procedure


@pytest.fixture
def layout(admin, procedure) -> Layout:
    return layout_upload(actor=admin, procedure=procedure, kind="检定证书", data=CERTIFICATE.read_bytes(),
                         filename="certificate_jjg443.docx").layout


def _page(client, layout: Layout) -> str:
    response = client.get(reverse("desk:print_formats_layout_change", args=[layout.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_layout_page_lists_every_lint_note_of_the_current_version(login, admin, layout):
    notes = layout.current().lint["notes"]
    assert len(notes) > 5  # more than the list column shows
    page = _page(login(admin), layout)
    assert 'class="lint-notes"' in page
    for note in notes:
        assert f"<li>{note}</li>" in page


def test_the_layout_page_offers_a_new_version_upload_and_lists_the_versions(login, admin, layout):
    page = _page(login(admin), layout)
    assert 'name="upload"' in page and 'name="_continue"' in page
    assert 'name="procedure"' not in page and 'name="kind"' not in page  # the binding is fixed here
    assert 'class="layout-versions"' in page and "certificate_jjg443.docx" in page


def test_uploading_on_the_layout_page_stores_the_next_version_and_returns_there(login, admin, layout):
    client = login(admin)
    data = docx_of_paragraphs("证书编号：{{ 证书编号 }}", "结论：{{ 检定结论 }}")
    url = reverse("desk:print_formats_layout_change", args=[layout.pk])
    response = client.post(url, {"upload": SimpleUploadedFile("v2.docx", data), "_continue": "1"})
    assert response.status_code == 302 and response.url == url
    assert list(layout.versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    assert Layout.objects.count() == 1
    assert "v2.docx" in _page(client, layout)


def test_a_refused_new_version_names_the_problem_and_stores_nothing(login, admin, layout):
    client = login(admin)
    data = docx_of_paragraphs("{{ 不存在的字段 }}")
    response = client.post(reverse("desk:print_formats_layout_change", args=[layout.pk]),
                           {"upload": SimpleUploadedFile("bad.docx", data), "_continue": "1"})
    assert response.status_code == 200 and "不存在的字段" in response.content.decode()
    assert LayoutVersion.objects.count() == 1


def test_the_list_links_each_layout_to_its_new_version_path(login, admin, layout):
    page = login(admin).get(reverse("desk:print_formats_layout_changelist")).content.decode()
    assert reverse("desk:print_formats_layout_change", args=[layout.pk]) in page


def test_adding_a_second_layout_for_the_same_binding_guides_to_the_new_version(login, admin, layout, procedure):
    client = login(admin)
    response = client.post(reverse("desk:print_formats_layout_add"), {
        "procedure": procedure.pk, "kind": "检定证书", "upload": SimpleUploadedFile("again.docx",
                                                                                  CERTIFICATE.read_bytes())})
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("desk:print_formats_layout_change", args=[layout.pk]) in page
    assert LayoutVersion.objects.count() == 1


def test_the_add_form_accepts_a_preselected_procedure_and_names_its_layouts(login, admin, layout, procedure):
    response = login(admin).get(reverse("desk:print_formats_layout_add") + f"?procedure={procedure.pk}")
    assert response.status_code == 200
    assert response.context["adminform"].form.initial["procedure"] == str(procedure.pk)
    page = response.content.decode()
    assert 'id="bound-layouts"' in page
    assert reverse("desk:print_formats_layout_change", args=[layout.pk]) in page


def test_a_new_layout_added_goes_to_its_own_page(login, admin, procedure):
    client = login(admin)
    data = docx_of_paragraphs("原始记录编号：{{ 原始记录编号 }}")
    response = client.post(reverse("desk:print_formats_layout_add"), {
        "procedure": procedure.pk, "kind": "原始记录", "upload": SimpleUploadedFile("raw.docx", data)})
    layout = Layout.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("desk:print_formats_layout_change", args=[layout.pk])
