"""Desk lists ask the database a fixed number of times, however many rows they show (no N+1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrology.doctype.packs import pack_import

pytestmark = pytest.mark.django_db

PACKS = Path(__file__).resolve().parents[1] / "apps" / "metrology" / "packs"
LISTS = ("desk:accounts_role_changelist", "desk:accounts_person_changelist", "desk:doctype_procedure_changelist",
         "desk:doctype_procedureversion_changelist", "desk:print_formats_layout_changelist")


def _queries(client) -> dict[str, int]:
    counts = {}
    for name in LISTS:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name)).status_code == 200
        counts[name] = len(captured.captured_queries)
    return counts


def _import(admin, pack: str) -> None:
    definition = json.loads((PACKS / pack).read_text(encoding="utf-8"))
    pack_import(actor=admin, definition=definition, authorise=True, publish=True)


def test_list_pages_do_not_query_per_row(login, admin, make_person):
    client = login(admin)
    _import(admin, "jjg443_fuel_dispenser.json")
    make_person("a1", "甲", "inspector")
    few = _queries(client)
    _import(admin, "jjg52_pressure_gauge.json")
    for n in range(2, 6):
        make_person(f"a{n}", f"乙{n}", "verifier")
    assert _queries(client) == few
