"""Fixtures of the records tests: standards. The published JJG 443 pack, a raw-record numbering scheme, starting
and typing in a record (`raw_record_scheme`, `start`, `enter`) and `phone` are in tests/conftest.py."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def make_standard(db):
    from metrology.records.models import Standard
    from metrology.records.services import standard_save

    def make(name="标准金属量器 20 L", certificate_number="BZ-2025-001", valid_until=None):
        valid_until = valid_until or dt.date.today() + dt.timedelta(days=365)
        return standard_save(actor=None, standard=Standard(name=name, certificate_number=certificate_number,
                                                            valid_until=valid_until))

    return make
