"""Probe every Desk list and API list as each persona for masked or secret data (#8).

The attack of #8: `?id_number__startswith=…` and `?password__startswith=` / `__gte=` on the people
list recovered masked ID numbers and Argon2 hashes one character at a time. Every list is walked
with `__startswith`, `__gte` and ordering on every model field; a list must refuse (400) any lookup
it does not offer, and nothing it answers may depend on a value the viewer may not see.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from metrology.accounts.services.people import person_update
from metrology.core.desk import SECRET_FIELDS, desk_site

pytestmark = pytest.mark.django_db

PACK = Path(__file__).resolve().parents[2] / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json"
VALID_ID = "11010519491231002X"
PERSONAS = ("admin", "senior_manager", "inspector", "verifier", "approver", "supervisor", "outsider")
REFUSED = (400, 403, 302)
NO_MATCH = "~~~~"  # sorts after digits and letters, starts no value


@pytest.fixture
def personas(admin, inspector, verifier, approver, supervisor, outsider, make_person):
    from metrology.doctype.packs import pack_import

    person_update(actor=admin, person=admin, id_number=VALID_ID)
    pack_import(actor=admin, definition=json.loads(PACK.read_text(encoding="utf-8")), authorise=True, publish=True)
    return {
        "admin": admin, "inspector": inspector, "verifier": verifier, "approver": approver,
        "supervisor": supervisor, "outsider": outsider,
        # sees people, but not full ID numbers: the viewer of #8's attack
        "senior_manager": make_person("zhouba", "周八", "senior_manager"),
    }


def _hidden_for(person) -> frozenset[str]:
    if person.has_perm("metrology.people_view_id_number"):
        return SECRET_FIELDS
    return SECRET_FIELDS | {"id_number"}


def _desk_lists():
    for model, model_admin in desk_site._registry.items():
        url = reverse(f"desk:{model._meta.app_label}_{model._meta.model_name}_changelist")
        yield model, model_admin, url


def _secret_values(model, hidden: frozenset[str]) -> dict[str, str]:
    """The real value of each hidden field on some row, so a leak would show as a match."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.name in hidden:
            value = model._default_manager.exclude(**{field.name: None}).values_list(field.name, flat=True).first()
            if value not in (None, ""):
                values[field.name] = str(value)
    return values


def _count(response) -> int:
    return response.context["cl"].result_count


def _order_clause(response) -> str:
    sql = str(response.context["cl"].queryset.query)
    return sql.rsplit("ORDER BY", 1)[-1] if "ORDER BY" in sql else ""


@pytest.mark.parametrize("persona", PERSONAS)
def test_desk_lists_refuse_lookups_they_do_not_offer_and_leak_nothing(client, personas, persona):
    viewer = personas[persona]
    client.force_login(viewer, backend="metrology.accounts.backends.RoleBackend")
    hidden = _hidden_for(viewer)
    for model, model_admin, url in _desk_lists():
        if client.get(url).status_code in REFUSED:
            continue
        fake_request = type("R", (), {"user": viewer})()
        offered = model_admin.offered_lookups(fake_request)
        for field in model._meta.concrete_fields:
            for lookup in (f"{field.name}__startswith", f"{field.name}__gte"):
                status = client.get(url, {lookup: "1"}).status_code
                assert status in REFUSED or lookup in offered, f"{persona}: {url}?{lookup} answered {status}"
        for name, value in _secret_values(model, hidden).items():
            for lookup, real in ((f"{name}__startswith", value[:4]), (f"{name}__gte", value)):
                hit, miss = client.get(url, {lookup: real}), client.get(url, {lookup: NO_MATCH})
                assert hit.status_code in REFUSED or _count(hit) == _count(miss), f"{persona}: {url}?{lookup}"
            hit, miss = client.get(url, {"q": value[:6]}), client.get(url, {"q": NO_MATCH})
            if hit.status_code not in REFUSED:
                assert _count(hit) == _count(miss), f"{persona}: {url}?q= finds rows by {name}"
        columns = len(model_admin.get_list_display(fake_request))
        for index in range(columns + 1):
            for order in (str(index), f"-{index}"):
                response = client.get(url, {"o": order})
                if response.status_code in REFUSED:
                    continue
                clause = _order_clause(response)
                for name in hidden:
                    assert not re.search(rf'\b{name}\b', clause), f"{persona}: {url}?o={order} orders by {name}"


def _api_lists():
    from metrology.urls import api

    for prefix, viewset, _basename in api.registry:
        yield viewset.queryset.model, f"/api/{prefix}/"


def _api_rows(response) -> list:
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_lists_ignore_undeclared_filters_and_leak_nothing(personas, persona):
    viewer = personas[persona]
    client = APIClient()
    client.force_authenticate(viewer)
    hidden = _hidden_for(viewer)
    for model, url in _api_lists():
        baseline = client.get(url)
        if baseline.status_code in REFUSED:
            continue
        rows = _api_rows(baseline)
        for field in model._meta.concrete_fields:
            for lookup in (f"{field.name}__startswith", f"{field.name}__gte"):
                response = client.get(url, {lookup: "1"})
                assert response.status_code in REFUSED or _api_rows(response) == rows, f"{persona}: {url}?{lookup}"
            for order in (field.name, f"-{field.name}"):
                response = client.get(url, {"ordering": order})
                assert response.status_code in REFUSED or _api_rows(response) == rows, f"{persona}: ordering={order}"
        for name, value in _secret_values(model, hidden).items():
            hit, miss = client.get(url, {"search": value[:6]}), client.get(url, {"search": NO_MATCH})
            assert _api_rows(hit) == _api_rows(miss), f"{persona}: {url}?search= finds rows by {name}"


def test_the_attack_of_issue_8_is_refused(client, personas):
    """#8: a senior manager recovered a full ID number through `id_number__startswith`."""
    client.force_login(personas["senior_manager"], backend="metrology.accounts.backends.RoleBackend")
    url = reverse("desk:accounts_person_changelist")
    for lookup, value in (("id_number__startswith", VALID_ID[:7]), ("password__startswith", "md5"),
                          ("password__gte", "a")):
        assert client.get(url, {lookup: value}).status_code == 400
    assert client.get(url, {"is_active__exact": "1"}).status_code == 200  # offered filters still work
