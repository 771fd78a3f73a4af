"""The procedure packs, loaded fresh for each test (tests may change them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

PACKS = Path(__file__).resolve().parents[2] / "apps" / "metrology" / "packs"


@pytest.fixture
def fuel_pack() -> dict:
    return json.loads((PACKS / "jjg443_fuel_dispenser.json").read_text(encoding="utf-8"))


@pytest.fixture
def gauge_pack() -> dict:
    return json.loads((PACKS / "jjg52_pressure_gauge.json").read_text(encoding="utf-8"))
