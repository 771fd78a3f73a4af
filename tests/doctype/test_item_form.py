"""An item's regulations are picked from the regulation library, not typed as JSON (#9)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from metrology.doctype.forms import ItemForm
from metrology.doctype.models import Item
from metrology.doctype.services import item_save
from metrology.regulations.services import regulation_upload
from metrology.testing.documents import docx_of_paragraphs

pytestmark = pytest.mark.django_db

ITEM = {"code": "JJG443", "name": "燃油加油机", "authorisation_basis": "(2024)量标示证字第001号",
        "is_authorised": "on", "period_months": "12"}


@pytest.fixture
def library(admin, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")

    def add(code: str, title: str, **dates):
        file = SimpleUploadedFile("r.docx", docx_of_paragraphs(f"{title}的正文。"))
        return regulation_upload(actor=admin, file=file, code=code, title=title, **dates)

    return {
        "443": add("JJG 443-2023", "燃油加油机检定规程", effective_date=dt.date(2023, 9, 1)),
        "old": add("JJG 443-2015", "燃油加油机", effective_date=dt.date(2016, 1, 1),
                   withdrawal_date=dt.date(2023, 9, 1)),
        "1059": add("JJF 1059.1-2012", "测量不确定度评定与表示"),
    }


def _choices(form: ItemForm) -> dict[str, str]:
    return {code: str(label) for code, label in form.fields["regulation_codes"].choices}


def test_the_library_is_offered_with_code_title_and_status(library):
    choices = _choices(ItemForm())
    assert list(choices) == ["JJF 1059.1-2012", "JJG 443-2015", "JJG 443-2023"]
    assert "JJG 443-2023" in choices["JJG 443-2023"] and "燃油加油机检定规程" in choices["JJG 443-2023"]
    assert str(library["old"].get_status_display()) in choices["JJG 443-2015"]


def test_picked_regulations_are_stored_as_a_list_of_codes(admin, library):
    form = ItemForm(data={**ITEM, "regulation_codes": ["JJG 443-2023", "JJF 1059.1-2012"]})
    assert form.is_valid(), form.errors
    item = item_save(actor=admin, item=form.save(commit=False))
    item.refresh_from_db()
    assert item.regulation_codes == ["JJG 443-2023", "JJF 1059.1-2012"]


def test_a_stored_code_the_library_does_not_know_is_shown_chosen_and_kept(admin, library):
    item = item_save(actor=admin, item=Item(code="JJG443", name="燃油加油机",
                                            regulation_codes=["JJG 9999-2020", "jjg443—2023"]))
    form = ItemForm(instance=item)
    assert form.initial["regulation_codes"] == ["JJG 9999-2020", "JJG 443-2023"]  # the library's spelling
    assert "JJG 9999-2020" in _choices(form)
    kept = ItemForm(instance=item, data={**ITEM, "regulation_codes": ["JJG 9999-2020", "JJG 443-2023",
                                                                      "JJF 1059.1-2012"]})
    assert kept.is_valid(), kept.errors
    assert kept.cleaned_data["regulation_codes"] == ["JJG 9999-2020", "JJG 443-2023", "JJF 1059.1-2012"]


def test_an_unknown_code_is_removed_by_leaving_it_out(admin, library):
    item = item_save(actor=admin, item=Item(code="JJG443", name="燃油加油机", regulation_codes=["JJG 9999-2020"]))
    form = ItemForm(instance=item, data={**ITEM, "regulation_codes": ["JJG 443-2023"]})
    assert form.is_valid(), form.errors
    assert form.save().regulation_codes == ["JJG 443-2023"]


def test_a_code_typed_in_that_is_neither_stored_nor_in_the_library_is_refused(library):
    form = ItemForm(data={**ITEM, "regulation_codes": ["JJG 9999-2020"]})
    assert not form.is_valid() and "regulation_codes" in form.errors


def test_a_withdrawn_regulation_newly_picked_is_refused_naming_the_current_edition(library):
    form = ItemForm(data={**ITEM, "regulation_codes": ["JJG 443-2015"]})
    assert not form.is_valid()
    assert "JJG 443-2023" in " ".join(form.errors["regulation_codes"])


def test_a_withdrawn_regulation_already_cited_may_stay(admin, library):
    item = item_save(actor=admin, item=Item(code="JJG443", name="燃油加油机", regulation_codes=["JJG 443-2015"]))
    form = ItemForm(instance=item, data={**ITEM, "regulation_codes": ["JJG 443-2015"]})
    assert form.is_valid(), form.errors


def test_the_form_renders_a_searchable_choice_not_a_json_box(library):
    html = str(ItemForm()["regulation_codes"])
    assert "<select" in html and "multiple" in html and "selectfilter" in html


def test_the_desk_builds_its_item_page_from_the_form(rf, admin, library):
    from metrology.core.desk import desk_site
    from metrology.doctype.admin import ItemAdmin

    request = rf.get("/")
    request.user = admin
    item_page = type("ItemPage", (ItemAdmin,), {"form": ItemForm})(Item, desk_site)  # as `form = ItemForm` does
    form = item_page.get_form(request)()
    assert isinstance(form, ItemForm)
    assert "JJG 443-2023" in dict(form.fields["regulation_codes"].choices)
    assert "selectfilter" in str(form["regulation_codes"])
