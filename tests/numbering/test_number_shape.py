"""The parts that shape a number stay fixed while the period has numbers; starting numbers fit the width."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from metrology.core.errors import ApplicationError
from metrology.core.models import AuditEvent
from metrology.numbering.models import NumberingScheme
from metrology.numbering.services import number_preview, scheme_set_next, scheme_update

from .conftest import DAY

pytestmark = pytest.mark.django_db

SHAPE_CHANGES = [{"prefix": "JDX"}, {"date_part": "YYYYMM"}, {"separator": "/"}, {"sequence_width": 6},
                 {"suffix": "-Z"}]


@pytest.mark.parametrize("change", SHAPE_CHANGES, ids=lambda change: next(iter(change)))
def test_the_number_shape_cannot_change_once_the_current_period_has_a_number(scheme, allocate, admin, change):
    issued = allocate(scheme, on=timezone.localdate())
    audit_rows = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        scheme_update(actor=admin, scheme=scheme, **change)
    assert refused.value.field == next(iter(change))
    assert issued.number in refused.value.message
    stored = NumberingScheme.objects.get(pk=scheme.pk)
    assert stored.pattern_signature() == ("JD", "YYYY", "-", 4, "")
    assert AuditEvent.objects.count() == audit_rows


def test_the_shape_may_change_when_the_numbers_are_from_an_earlier_period(scheme, allocate, admin):
    allocate(scheme, on=DAY)  # 2025
    with pytest.raises(ApplicationError):
        scheme_update(actor=admin, scheme=scheme, on=DAY, prefix="JDX")
    scheme_update(actor=admin, scheme=scheme, on=dt.date(2026, 1, 1), prefix="JDX")
    assert allocate(scheme, on=dt.date(2026, 1, 2)).number == "JDX2026-0001"


def test_a_scheme_that_never_restarts_keeps_its_shape_once_any_number_is_issued(make_scheme, allocate, admin):
    scheme = make_scheme(date_part="", separator="", reset="never")
    allocate(scheme, on=dt.date(2020, 1, 1))
    with pytest.raises(ApplicationError) as refused:
        scheme_update(actor=admin, scheme=scheme, suffix="/J")
    assert refused.value.field == "suffix" and "JD0001" in refused.value.message


def test_what_does_not_shape_a_number_may_change_while_numbers_are_issued(scheme, allocate, admin, dispenser):
    allocate(scheme, on=timezone.localdate())
    scheme_update(actor=admin, scheme=scheme, name="全所检定证书", items=[], is_active=False)
    scheme.refresh_from_db()
    assert (scheme.name, list(scheme.items.all()), scheme.is_active) == ("全所检定证书", [], False)


def test_a_blank_name_is_made_again_from_what_the_scheme_numbers(scheme, admin):
    scheme_update(actor=admin, scheme=scheme, name=" ", items=[])
    assert NumberingScheme.objects.get(pk=scheme.pk).name.startswith(f"{gettext('every item')} · 检定 · ")


def test_a_starting_number_must_fit_the_width(scheme, admin):
    with pytest.raises(ApplicationError) as refused:
        scheme_set_next(scheme=scheme, actor=admin, next_sequence=12345, on=DAY, reason="接续")
    assert refused.value.field == "next_sequence" and "9999" in refused.value.message
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=9999, on=DAY, reason="接续")
    assert number_preview(scheme=scheme, on=DAY) == "JD2025-9999"


def test_a_width_the_next_sequence_no_longer_fits_is_refused(scheme, admin):
    scheme_set_next(scheme=scheme, actor=admin, next_sequence=500, reason="接续纸质台账")
    with pytest.raises(ApplicationError) as refused:
        scheme_update(actor=admin, scheme=scheme, sequence_width=2)
    assert refused.value.field == "sequence_width" and "500" in refused.value.message
    scheme_update(actor=admin, scheme=scheme, sequence_width=3)
    assert number_preview(scheme=scheme).endswith("-500")


def test_the_desk_shows_a_refused_shape_change_on_its_field(login, admin, scheme, allocate, dispenser,
                                                           verification):
    allocate(scheme, on=timezone.localdate())
    form = {"name": scheme.name, "items": [dispenser.pk], "test_types": [verification.pk],
            "document_kinds": scheme.document_kinds, "prefix": "JD", "date_part": "YYYY", "separator": "-",
            "sequence_width": "5", "suffix": "", "reset": "yearly", "is_active": "on"}
    response = login(admin).post(reverse("desk:numbering_numberingscheme_change", args=[scheme.pk]), form)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sequence_width"]
    assert NumberingScheme.objects.get(pk=scheme.pk).sequence_width == 4


def test_the_desk_refuses_a_starting_number_wider_than_the_sequence(login, admin, scheme):
    response = login(admin).post(reverse("desk:numbering_numberingscheme_set_next", args=[scheme.pk]),
                                 {"next_sequence": "12345", "on": DAY.isoformat(), "reason": "接续"})
    assert response.status_code == 200 and response.context["form"].errors["next_sequence"]
