"""One scheme serves sets of items, test types and document kinds; two active schemes never overlap."""

from __future__ import annotations

import pytest
from django.db.models import Exists, OuterRef
from django.urls import reverse

from metrology.core.errors import ApplicationError
from metrology.core.models import AuditEvent
from metrology.doctype.document_kinds import DocumentKind
from metrology.doctype.models import Item, Procedure, TestType
from metrology.numbering.models import NumberingScheme
from metrology.numbering.selectors import scheme_for, schemes_covering
from metrology.numbering.services import scheme_create, scheme_update

from .conftest import DAY

pytestmark = pytest.mark.django_db
CERTIFICATE = DocumentKind.CERTIFICATE


@pytest.fixture
def gauge(db):
    return Item.objects.create(code="JJG52", name="弹性元件式一般压力表", is_authorised=True)


@pytest.fixture
def calibration(db):
    return TestType.objects.get_or_create(parent=None, name="校准")[0]


def _institute_wide(**parts):
    defaults = {"items": [], "test_types": [], "document_kinds": [CERTIFICATE], "prefix": "JDZS",
                "date_part": "YYYY", "separator": "-", "sequence_width": 5}
    return scheme_create(actor=None, **{**defaults, **parts})


def test_one_scheme_numbers_several_items_from_one_sequence(dispenser, gauge, verification, allocate):
    scheme = _institute_wide(items=[dispenser, gauge], test_types=[verification])
    for item in (dispenser, gauge):
        assert scheme_for(item=item, test_type=verification, document_kind=CERTIFICATE) == scheme
    assert [allocate(scheme).number for _ in range(2)] == ["JDZS2025-00001", "JDZS2025-00002"]
    assert set(scheme.items.all()) == {dispenser, gauge}
    assert scheme.name.startswith("燃油加油机、弹性元件式一般压力表 · 检定 · ")  # JJG443 before JJG52


def test_an_empty_item_set_numbers_every_item_even_one_added_later(verification, initial_verification):
    scheme = _institute_wide(test_types=[verification])
    later = Item.objects.create(code="JJG1", name="后加的项目", is_authorised=True)
    assert scheme_for(item=later, test_type=initial_verification, document_kind=CERTIFICATE) == scheme
    assert scheme_for(item=later, test_type=initial_verification, document_kind=DocumentKind.NOTICE) is None


def test_an_empty_test_type_set_numbers_every_test_type(dispenser, calibration, initial_verification):
    scheme = _institute_wide(items=[dispenser])
    for test_type in (calibration, initial_verification):
        assert scheme_for(item=dispenser, test_type=test_type, document_kind=CERTIFICATE) == scheme


def test_a_scheme_names_at_least_one_known_document_kind(dispenser):
    for kinds in ([], ["发票"]):
        with pytest.raises(ApplicationError) as refused:
            _institute_wide(document_kinds=kinds)
        assert refused.value.field == "document_kinds"
    assert not NumberingScheme.objects.exists()


def test_the_old_single_value_keywords_still_make_a_scheme_of_one_of_each(dispenser, verification):
    scheme = scheme_create(actor=None, item=dispenser, test_type=verification, document_kind=CERTIFICATE,
                           prefix="JD", date_part="YYYY", separator="-", sequence_width=4)
    assert (list(scheme.items.all()), list(scheme.test_types.all()), scheme.document_kinds) == (
        [dispenser], [verification], [CERTIFICATE])
    assert scheme.name.startswith("燃油加油机 · 检定 · ")
    event = AuditEvent.objects.get(action="numbering_scheme.created")
    assert event.after["items"] == [dispenser.pk] and event.after["document_kinds"] == [CERTIFICATE]


def test_two_active_schemes_numbering_the_same_item_type_and_kind_are_refused_naming_the_other(
        make_scheme, dispenser, gauge, verification):
    first = make_scheme()
    for overlapping in ({"items": []}, {"items": [gauge, dispenser], "test_types": [verification]},
                        {"items": [dispenser], "test_types": []}):
        with pytest.raises(ApplicationError) as refused:
            _institute_wide(**overlapping)
        assert first.name in refused.value.message and refused.value.field == "items"
    other = _institute_wide(items=[gauge])  # another item: no overlap
    with pytest.raises(ApplicationError) as refused:
        scheme_update(actor=None, scheme=other, items=[gauge, dispenser])
    assert first.name in refused.value.message
    assert list(NumberingScheme.objects.get(pk=other.pk).items.all()) == [gauge]


def test_schemes_for_different_kinds_or_test_types_do_not_overlap(make_scheme, dispenser, calibration):
    make_scheme()
    _institute_wide(items=[dispenser], document_kinds=[DocumentKind.NOTICE])
    _institute_wide(items=[dispenser], test_types=[calibration], prefix="JZ")
    assert NumberingScheme.objects.count() == 3


def test_a_sub_type_scheme_goes_before_its_test_type_s_and_every_type_clashes_with_both(
        make_scheme, dispenser, verification, initial_verification):
    general = make_scheme()
    own = make_scheme(test_type=initial_verification, prefix="SJ")
    assert scheme_for(item=dispenser, test_type=initial_verification, document_kind=CERTIFICATE) == own
    assert scheme_for(item=dispenser, test_type=verification, document_kind=CERTIFICATE) == general
    with pytest.raises(ApplicationError):
        _institute_wide(items=[dispenser])


def test_an_inactive_scheme_does_not_clash_until_it_is_made_active_again(make_scheme, dispenser, verification):
    first = make_scheme()
    scheme_update(actor=None, scheme=first, is_active=False)
    replacement = _institute_wide(items=[dispenser])
    assert scheme_for(item=dispenser, test_type=verification, document_kind=CERTIFICATE) == replacement
    with pytest.raises(ApplicationError) as refused:
        scheme_update(actor=None, scheme=first, is_active=True)
    assert replacement.name in refused.value.message


def test_changing_the_sets_is_audited_with_the_members_before_and_after(make_scheme, admin, dispenser, gauge,
                                                                        allocate):
    scheme = make_scheme()
    allocate(scheme, on=DAY)
    scheme_update(actor=admin, scheme=scheme, items=[dispenser, gauge], document_kinds=[CERTIFICATE, "校准证书"])
    event = AuditEvent.objects.get(action="numbering_scheme.updated")
    assert event.before == {"items": [dispenser.pk], "document_kinds": [CERTIFICATE]}
    assert event.after == {"items": sorted([dispenser.pk, gauge.pk]), "document_kinds": [CERTIFICATE, "校准证书"]}
    assert scheme_for(item=gauge, test_type=scheme.test_types.get(), document_kind="校准证书") == scheme


def test_procedures_find_the_active_schemes_covering_them(dispenser, gauge, verification, initial_verification,
                                                          calibration):
    made = [Procedure.objects.create(item=item, sub_type=sub_type, code=f"P{n}", name=f"规程{n}")
            for n, (item, sub_type) in enumerate([(dispenser, initial_verification), (gauge, initial_verification),
                                                  (dispenser, calibration)])]

    def numbered() -> list[bool]:
        covering = schemes_covering(item=OuterRef("item"), sub_type=OuterRef("sub_type"),
                                    parent=OuterRef("sub_type__parent"))
        rows = Procedure.objects.filter(pk__in=[p.pk for p in made]).order_by("pk")
        return list(rows.annotate(numbered=Exists(covering)).values_list("numbered", flat=True))

    assert numbered() == [False, False, False]
    every_item = _institute_wide(test_types=[verification])  # covers 首次检定 through its test type
    assert numbered() == [True, True, False]
    _institute_wide(items=[dispenser], test_types=[], document_kinds=[DocumentKind.NOTICE], prefix="TZ")
    assert numbered() == [True, True, True]
    scheme_update(actor=None, scheme=every_item, is_active=False)
    assert numbered() == [True, False, True]


def test_the_desk_form_refuses_an_overlap_and_names_the_other_scheme(login, admin, make_scheme, dispenser,
                                                                     verification):
    first = make_scheme()
    form = {"name": "", "items": [], "test_types": [verification.pk], "document_kinds": [CERTIFICATE],
            "prefix": "QY", "date_part": "YYYY", "separator": "-", "sequence_width": "4", "suffix": "",
            "reset": "yearly", "is_active": "on"}
    response = login(admin).post(reverse("desk:numbering_numberingscheme_add"), form)
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["items"]
    assert first.name in message
    assert NumberingScheme.objects.count() == 1


def test_the_designer_link_and_a_procedure_preselect_the_sets(login, admin, dispenser, verification):
    client = login(admin)
    url = reverse("desk:numbering_numberingscheme_add")
    initial = client.get(url, {"item": dispenser.pk, "test_type": verification.pk}).context["adminform"].form.initial
    assert (initial["items"], initial["test_types"]) == ([dispenser.pk], [verification.pk])


def test_widening_a_scheme_in_the_desk_goes_through_the_service_with_its_audit_row(login, admin, make_scheme,
                                                                                   dispenser, gauge, verification):
    scheme = make_scheme()
    form = {"name": "全所检定证书", "items": [dispenser.pk, gauge.pk], "test_types": [verification.pk],
            "document_kinds": [CERTIFICATE], "prefix": "JD", "date_part": "YYYY", "separator": "-",
            "sequence_width": "4", "suffix": "", "reset": "yearly", "is_active": "on"}
    response = login(admin).post(reverse("desk:numbering_numberingscheme_change", args=[scheme.pk]), form)
    assert response.status_code == 302
    assert scheme_for(item=gauge, test_type=verification, document_kind=CERTIFICATE) == scheme
    event = AuditEvent.objects.get(action="numbering_scheme.updated", object_id=str(scheme.pk))
    assert event.after == {"name": "全所检定证书", "items": sorted([dispenser.pk, gauge.pk])}
    assert event.actor_id == admin.pk
