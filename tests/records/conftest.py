"""Fixtures of the records tests: a raw-record numbering scheme, starting and typing in a record, standards.
The published JJG 443 pack (`fuel_versions`, `dispenser`, `initial`) and `phone` are in tests/conftest.py."""

from __future__ import annotations

import datetime as dt

import pytest

from metrology.testing.fuel import entry_order, request_id


@pytest.fixture
def raw_record_scheme(dispenser, initial):
    from metrology.doctype.document_kinds import DocumentKind
    from metrology.numbering.services import scheme_create

    return scheme_create(actor=None, item=dispenser, test_type=initial.parent, document_kind=DocumentKind.RAW_RECORD,
                         prefix="YS", date_part="YYYY", separator="-", sequence_width=4)


@pytest.fixture
def start(inspector, dispenser, initial):
    from metrology.records.services import record_start

    def make(person=None, **identifiers):
        return record_start(actor=person or inspector, item=dispenser, sub_type=initial, **identifiers)

    return make


@pytest.fixture
def enter(inspector):
    from metrology.records.services import value_save

    def type_in(record, inputs, person=None):
        outcome = None
        for value in entry_order(inputs):
            outcome = value_save(actor=person or inspector, record=record, request_id=request_id(), **value)
        return outcome

    return type_in


@pytest.fixture
def make_standard(db):
    from metrology.records.models import Standard
    from metrology.records.services import standard_save

    def make(name="标准金属量器 20 L", certificate_number="BZ-2025-001", valid_until=None):
        valid_until = valid_until or dt.date.today() + dt.timedelta(days=365)
        return standard_save(actor=None, standard=Standard(name=name, certificate_number=certificate_number,
                                                            valid_until=valid_until))

    return make
