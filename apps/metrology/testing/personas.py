"""Constants the test personas share (fixtures live in tests/conftest.py)."""

from __future__ import annotations

PASSWORD = "Jiliang-2026"
