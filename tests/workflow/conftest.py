"""Fixtures of the review chain: a complete F1 record of inspector 张三, and one waiting at each step."""

from __future__ import annotations

import pytest

from metrology.testing.fuel import fuel_example
from metrology.testing.signing import take

F1 = fuel_example("F1")


@pytest.fixture
def complete(start, enter, raw_record_scheme):
    def make(**identifiers):
        record = start(**identifiers)
        enter(record, F1["inputs"])
        record.refresh_from_db()
        return record

    return make


@pytest.fixture
def submitted(complete, inspector):
    return take(inspector, complete(), "submit")


@pytest.fixture
def verified(submitted, verifier):
    return take(verifier, submitted, "verify")
