"""Shared personas: inspector 张三, verifier 李四, approver 王五, admin, supervisor, outsider."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA = REPO_ROOT / "tests" / "data"  # copies of the reference data: tests/data/README.md
from metrology.testing.personas import PASSWORD, qualify  # noqa: E402,F401


@pytest.fixture
def default_roles(db):
    from metrology.accounts.default_roles import ensure_default_roles
    from metrology.accounts.models import Role, RoleGrant

    from metrology.workflow.default_chain import ensure_default_workflow
    from metrology.workflow.models import Workflow, WorkflowState, WorkflowTransition

    ensure_default_roles(Role, RoleGrant)  # again: transactional tests flush the seeded rows
    ensure_default_workflow(Workflow, WorkflowState, WorkflowTransition)
    return {role.code: role for role in Role.objects.all()}


@pytest.fixture
def make_person(default_roles):
    from metrology.accounts.services.people import person_create

    def make(username: str, name: str, *role_codes: str, **profile):
        return person_create(
            actor=None, username=username, password=PASSWORD, name=name,
            roles=[default_roles[code] for code in role_codes], **profile,
        )

    return make


@pytest.fixture
def admin(make_person):
    return make_person("admin", "管理员", "system_admin", "senior_manager")


@pytest.fixture
def inspector(make_person):
    from metrology.accounts.services.qualifications import qualification_add

    person = make_person("zhangsan", "张三", "inspector")
    qualification_add(actor=None, person=person, certificate_number="JL-2024-0001",
                      issue_date=dt.date(2024, 3, 1), issuing_body="示范省市场监督管理局",
                      valid_until=dt.date(2029, 2, 28), items=["燃油加油机"])
    return person


@pytest.fixture
def verifier(make_person):
    return qualify(make_person("lisi", "李四", "verifier"), "JL-2024-0002")


@pytest.fixture
def approver(make_person):
    return qualify(make_person("wangwu", "王五", "approver"), "JL-2024-0003")


@pytest.fixture
def supervisor(make_person):
    return make_person("jiandu", "吴监督", "supervisor")


@pytest.fixture
def outsider(make_person):
    return make_person("outsider", "局外人")


@pytest.fixture
def login(client):
    def as_person(person):
        client.force_login(person, backend="metrology.accounts.backends.RoleBackend")
        return client

    return as_person


@pytest.fixture(autouse=True)
def audit_checkpoints_of_this_test(settings, tmp_path):
    """Each test's database starts a chain of its own, so it gets its own checkpoint file (#8)."""
    settings.METROLOGY_AUDIT_CHECKPOINTS = tmp_path / "audit-checkpoints.log"


@pytest.fixture(autouse=True)
def empty_cache_after_each_test():
    """Counters kept in the cache (wrong signing passwords) must not reach the next test."""
    yield
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 costs ~0.2 s a hash by design; tests that check hashing ask for it explicitly."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cli_sites(tmp_path):
    import os

    from metrology.testing.cli_sites import CliSites

    sites = CliSites(root=tmp_path / "sites", server_url=os.environ.get("METROLOGY_TEST_DATABASE_URL"))
    sites.root.mkdir()
    yield sites
    sites.drop_databases()


# -- the JJG 443 pack published, and phones logged in through the device login (records, mobile) --

@pytest.fixture
def fuel_versions(db):
    from metrology.doctype.packs import pack_import
    from metrology.testing.fuel import fuel_pack

    return pack_import(actor=None, definition=fuel_pack(), authorise=True, publish=True)


@pytest.fixture
def dispenser(fuel_versions):
    return fuel_versions[0].procedure.item


@pytest.fixture
def initial(fuel_versions):
    return fuel_versions[0].procedure.sub_type  # 首次检定


@pytest.fixture
def device_manager(make_person):
    return make_person("sunqi", "孙七", "device_manager")


@pytest.fixture
def phone(device_manager):
    """An APIClient on an enabled phone of the person's own, logged in: (client, device)."""
    from rest_framework.test import APIClient

    from metrology.devices.services import device_enable, device_seen

    def log_in(person, identifier: str | None = None):
        identifier = identifier or f"phone-of-the-test-{person.username}"
        device = device_seen(identifier=identifier, name=f"{person.name}的手机", imei="", person=person,
                             user_agent="pytest")
        if not device.is_enabled:
            device = device_enable(actor=device_manager, device=device)
        client = APIClient()
        response = client.post("/api/devices/login/", {
            "username": person.username, "password": PASSWORD, "device_identifier": identifier,
            "device_name": device.name}, format="json")
        assert response.status_code == 200, response.json()
        return client, device

    return log_in


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
    from metrology.testing.fuel import entry_order, request_id

    def type_in(record, inputs, person=None):
        outcome = None
        for value in entry_order(inputs):
            outcome = value_save(actor=person or inspector, record=record, request_id=request_id(), **value)
        return outcome

    return type_in


@pytest.fixture
def complete(start, enter, raw_record_scheme):
    """A record of inspector 张三 with every value of example F1 entered, not submitted."""
    from metrology.testing.fuel import fuel_example

    def make(**identifiers):
        record = start(**identifiers)
        enter(record, fuel_example("F1")["inputs"])
        record.refresh_from_db()
        return record

    return make
