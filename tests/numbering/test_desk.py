"""The numbering pages of the Desk: schemes, set the starting number, gap report, issued numbers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metrology.core.models import AuditEvent
from metrology.numbering.models import IssuedNumber, NumberingScheme
from metrology.numbering.services import number_preview

from .conftest import DAY

pytestmark = pytest.mark.django_db


def _scheme_form(item, test_type, **overrides) -> dict:
    return {"name": "", "items": [item.pk], "test_types": [test_type.pk], "document_kinds": ["原始记录"], "prefix": "YS",
            "date_part": "YYYYMM", "separator": "-", "sequence_width": "3", "suffix": "", "reset": "monthly",
            "is_active": "on", **overrides}


def test_the_scheme_list_shows_the_next_number_and_every_page_opens(login, admin, scheme, allocate):
    issued = allocate(scheme)
    client = login(admin)
    page = client.get(reverse("desk:numbering_numberingscheme_changelist"))
    assert page.status_code == 200 and number_preview(scheme=scheme) in page.content.decode()
    for url in (reverse("desk:numbering_numberingscheme_add"),
                reverse("desk:numbering_numberingscheme_change", args=[scheme.pk]),
                reverse("desk:numbering_numberingscheme_set_next", args=[scheme.pk]),
                reverse("desk:numbering_numberingscheme_gaps", args=[scheme.pk]),
                reverse("desk:numbering_issuednumber_changelist"),
                reverse("desk:numbering_issuednumber_change", args=[issued.pk]),
                reverse("desk:numbering_issuednumber_void", args=[issued.pk])):
        assert client.get(url).status_code == 200, url


def test_a_scheme_added_in_the_desk_goes_through_the_service(login, admin, dispenser, verification):
    response = login(admin).post(reverse("desk:numbering_numberingscheme_add"),
                                 _scheme_form(dispenser, verification))
    assert response.status_code == 302
    scheme = NumberingScheme.objects.get()
    assert scheme.document_kinds == ["原始记录"] and list(scheme.items.all()) == [dispenser]
    assert number_preview(scheme=scheme, on=DAY) == "YS202503-001"
    assert AuditEvent.objects.filter(action="numbering_scheme.created", object_id=str(scheme.pk)).exists()


def test_a_reset_the_date_part_cannot_show_is_refused_on_its_field(login, admin, dispenser, verification):
    response = login(admin).post(reverse("desk:numbering_numberingscheme_add"),
                                 _scheme_form(dispenser, verification, date_part="YYYY"))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reset"]
    assert not NumberingScheme.objects.exists()


def test_a_clashing_pattern_is_refused_on_the_prefix(login, admin, scheme, dispenser, verification):
    form = _scheme_form(dispenser, verification, prefix="JD", date_part="YYYY", sequence_width="4",
                        reset="yearly")
    response = login(admin).post(reverse("desk:numbering_numberingscheme_add"), form)
    assert response.status_code == 200 and response.context["adminform"].form.errors["prefix"]


def test_setting_the_start_to_a_used_number_shows_the_refusal_on_the_field(login, admin, scheme, allocate):
    issued = allocate(scheme, on=DAY)
    response = login(admin).post(reverse("desk:numbering_numberingscheme_set_next", args=[scheme.pk]),
                                 {"next_sequence": "1", "on": DAY.isoformat(), "reason": "重新开始"})
    assert response.status_code == 200
    [message] = response.context["form"].errors["next_sequence"]
    assert "不能再次设定" in message and issued.number in message
    assert message in response.content.decode()
    assert number_preview(scheme=scheme, on=DAY) == "JD2025-0002"


def test_a_raised_start_shows_in_the_gap_report_with_its_reason(login, admin, scheme, allocate):
    allocate(scheme, on=DAY)
    client = login(admin)
    response = client.post(reverse("desk:numbering_numberingscheme_set_next", args=[scheme.pk]),
                           {"next_sequence": "50", "on": DAY.isoformat(), "reason": "接续纸质台账"})
    assert response.status_code == 302
    assert number_preview(scheme=scheme, on=DAY) == "JD2025-0050"
    allocate(scheme, on=DAY)
    page = client.get(reverse("desk:numbering_numberingscheme_gaps", args=[scheme.pk])).content.decode()
    assert "接续纸质台账" in page and 'class="gap-start_adjusted"' in page and "gap-unexplained" not in page


def test_issued_numbers_are_read_only_searchable_and_filterable(login, admin, scheme, allocate):
    first, second = allocate(scheme, reference="record:1"), allocate(scheme, reference="record:2")
    client = login(admin)
    listing = reverse("desk:numbering_issuednumber_changelist")
    found = client.get(listing, {"q": second.number})
    assert list(found.context["cl"].result_list) == [second]
    client.post(reverse("desk:numbering_issuednumber_void", args=[first.pk]), {"reason": "填错"})
    voided = client.get(listing, {"status__exact": "voided"})
    assert list(voided.context["cl"].result_list) == [first]
    assert client.get(reverse("desk:numbering_issuednumber_add")).status_code == 403
    assert client.post(reverse("desk:numbering_issuednumber_delete", args=[first.pk])).status_code == 403
    assert IssuedNumber.objects.count() == 2


def test_voiding_in_the_desk_needs_a_reason(login, admin, scheme, allocate):
    issued = allocate(scheme)
    void_page = reverse("desk:numbering_issuednumber_void", args=[issued.pk])
    response = login(admin).post(void_page, {"reason": ""})
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    issued.refresh_from_db()
    assert issued.status == "issued"


def test_people_without_the_numbering_permission_are_turned_away(login, inspector, scheme):
    client = login(inspector)
    for url in (reverse("desk:numbering_numberingscheme_changelist"),
                reverse("desk:numbering_numberingscheme_set_next", args=[scheme.pk]),
                reverse("desk:numbering_numberingscheme_gaps", args=[scheme.pk])):
        assert client.get(url).status_code == 403, url
