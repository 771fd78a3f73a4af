"""Lists are titled by what they list, say what to do when empty, and accept a preselected procedure (#9)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.urls import reverse

from metrology.doctype.packs import pack_import

pytestmark = pytest.mark.django_db

PACK = Path(__file__).resolve().parents[2] / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json"


def _procedure(admin):
    definition = json.loads(PACK.read_text(encoding="utf-8"))
    return pack_import(actor=admin, definition=definition, authorise=True, publish=True)[0].procedure


def test_a_list_is_titled_by_what_it_lists(login, admin):
    response = login(admin).get(reverse("desk:doctype_procedure_changelist"))
    title = str(response.context["title"])
    assert title == str(response.context["cl"].opts.verbose_name_plural)
    assert f"<h1>{title}</h1>" in response.content.decode()


def test_a_view_only_list_is_titled_the_same_way(login, make_person):
    manager = make_person("zhouba", "周八", "senior_manager")  # may see people, not change them
    response = login(manager).get(reverse("desk:accounts_person_changelist"))
    assert response.status_code == 200
    assert str(response.context["title"]) == str(response.context["cl"].opts.verbose_name_plural)


def test_an_empty_procedure_list_says_to_authorise_an_item_first_and_links_to_add(login, admin):
    response = login(admin).get(reverse("desk:doctype_procedure_changelist"))
    empty = response.context["empty_list"]
    assert empty["add_url"] == reverse("desk:doctype_procedure_add")
    page = response.content.decode()
    assert 'id="empty-list"' in page and str(empty["message"]) in page
    assert f'href="{reverse("desk:doctype_procedure_add")}"' in page


def test_an_empty_list_offers_no_add_link_to_someone_who_may_not_add(login, make_person):
    manager = make_person("zhouba", "周八", "senior_manager")  # may read regulations, not upload them
    response = login(manager).get(reverse("desk:regulations_regulation_changelist"))
    assert response.status_code == 200
    assert response.context["empty_list"]["add_url"] == ""
    assert reverse("desk:regulations_regulation_add") not in response.content.decode()


def test_an_empty_list_of_issued_numbers_has_a_message_but_no_add_link(login, admin):
    response = login(admin).get(reverse("desk:numbering_issuednumber_changelist"))
    assert response.context["empty_list"]["add_url"] == ""
    assert response.context["empty_list"]["message"]


def test_a_search_finding_nothing_is_not_mistaken_for_an_empty_list(login, admin):
    _procedure(admin)
    response = login(admin).get(reverse("desk:doctype_procedure_changelist") + "?q=没有这样的规程")
    assert response.context["cl"].result_count == 0
    assert "empty_list" not in response.context


def test_a_list_with_rows_has_no_empty_message(login, admin):
    _procedure(admin)
    response = login(admin).get(reverse("desk:doctype_procedure_changelist"))
    assert "empty_list" not in response.context and 'id="empty-list"' not in response.content.decode()


def test_the_numbering_scheme_form_accepts_a_preselected_procedure(login, admin):
    procedure = _procedure(admin)
    response = login(admin).get(reverse("desk:numbering_numberingscheme_add") + f"?procedure={procedure.pk}")
    assert response.status_code == 200
    initial = response.context["adminform"].form.initial
    assert initial["items"] == [procedure.item_id]
    assert initial["test_types"] == [procedure.sub_type.parent_id]  # the test type covers its sub-types


def test_a_preselected_procedure_that_does_not_exist_is_ignored(login, admin):
    response = login(admin).get(reverse("desk:numbering_numberingscheme_add") + "?procedure=999999")
    assert response.status_code == 200 and "item" not in response.context["adminform"].form.initial
