from __future__ import annotations

import datetime as dt

import pytest

DAY = dt.date(2025, 3, 14)


@pytest.fixture
def dispenser(db):
    from metrology.doctype.models import Item

    return Item.objects.create(code="JJG443", name="燃油加油机", is_authorised=True)


@pytest.fixture
def verification(db):
    from metrology.doctype.models import TestType

    return TestType.objects.get_or_create(parent=None, name="检定")[0]


@pytest.fixture
def initial_verification(verification):
    from metrology.doctype.models import TestType

    return TestType.objects.get_or_create(parent=verification, name="首次检定")[0]


@pytest.fixture
def make_scheme(dispenser, verification):
    from metrology.doctype.document_kinds import DocumentKind
    from metrology.numbering.services import scheme_create

    def make(**parts):
        defaults = {"item": dispenser, "test_type": verification,
                    "document_kind": DocumentKind.CERTIFICATE, "prefix": "JD", "date_part": "YYYY",
                    "separator": "-", "sequence_width": 4, "suffix": "", "reset": "yearly"}
        return scheme_create(actor=None, **{**defaults, **parts})

    return make


@pytest.fixture
def scheme(make_scheme):
    return make_scheme()


@pytest.fixture
def allocate(admin):
    from django.db import transaction

    from metrology.numbering.services import number_allocate

    def issue(scheme, on=DAY, reference=""):
        with transaction.atomic():
            return number_allocate(scheme=scheme, actor=admin, on=on, reference=reference)

    return issue
