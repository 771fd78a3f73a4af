"""Fixtures of the review chain: an F1 record of inspector 张三 waiting at each step (`complete` is in
tests/conftest.py)."""

from __future__ import annotations

import pytest

from metrology.testing.signing import take


@pytest.fixture
def submitted(complete, inspector):
    return take(inspector, complete(), "submit")


@pytest.fixture
def verified(submitted, verifier):
    return take(verifier, submitted, "verify")
