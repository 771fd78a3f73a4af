"""A government supervisor (政府监督员) reads, and nothing else (issue #13): every Desk page that adds,
changes or deletes refuses them, so do the JSON APIs and the main write endpoints (which accept the
same request from the people allowed), and nothing in the database moves. The built-in role holds
only the four read permissions, on new sites and, by migration, on existing ones left as shipped."""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pytest
from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from metrology.accounts.models import Role, RoleGrant
from metrology.certificates.models import Certificate
from metrology.core.desk import desk_site
from metrology.core.models import AuditEvent
from metrology.doctype.document_kinds import DocumentKind
from metrology.records.models import Record, Standard
from metrology.testing.fuel import entry_order, fuel_example, request_id
from metrology.testing.signing import api_step, take
from metrology.workflow.models import RecordStep

pytestmark = pytest.mark.django_db

READ_ONLY = {"records_query", "certificates_query", "reports_query", "audit_query"}
REPORT = {"name": "各委托单位检定数", "spec": {"columns": ["client"]}}


@pytest.fixture
def statistician(make_person):
    return make_person("tongji", "赵统计", "senior_manager")


@pytest.fixture
def site(submitted, start, approver, statistician, inspector):
    """Something of every kind a supervisor could try to change: procedures, numbering, records, a
    certificate, a standard, a device, a saved report, people, roles and audit rows."""
    from metrology.devices.services import device_seen
    from metrology.records.services import standard_save
    from metrology.reports.services import report_save

    draft = start(serial_number="SN-RO-DRAFT")
    approval = RecordStep.objects.create(record=submitted, action="approve", label="批准", from_state="verified",
                                         to_state="approved", actor=approver)
    certificate = Certificate.objects.create(
        record=submitted, approval=approval, kind=DocumentKind.CERTIFICATE, number="JD-RO-00001",
        state=Certificate.State.ISSUED, numbered_at=timezone.now(), issued_at=timezone.now())
    standard_save(actor=None, standard=Standard(name="标准金属量器 20 L", certificate_number="BZ-RO-1",
                                                valid_until=dt.date.today() + dt.timedelta(days=90)))
    device_seen(identifier="phone-of-the-read-only-test", name="张三的手机", imei="", person=inspector, user_agent="pytest")
    report_save(actor=statistician, **REPORT)
    return {"submitted": submitted, "draft": draft, "certificate": certificate}


@pytest.fixture
def submitted(start, enter, inspector, raw_record_scheme):
    record = start(serial_number="SN-RO-1", client="西湖区加油站")
    enter(record, fuel_example("F1")["inputs"])
    return take(inspector, record, "submit")


def _database() -> dict[str, list[dict]]:
    """Every row of every table of the platform's own models."""
    rows = {}
    for model in apps.get_models():
        if model.__module__.startswith("metrology.") and not model._meta.proxy:
            rows[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return rows


def _url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _request(person):
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = person
    return request


def test_the_built_in_supervisor_role_holds_only_the_read_permissions(default_roles):
    assert set(default_roles["supervisor"].permission_codes()) == READ_ONLY


def test_every_desk_page_that_adds_changes_or_deletes_refuses_a_supervisor(login, supervisor, site):
    client = login(supervisor)
    before, tried = _database(), []
    for model, model_admin in desk_site._registry.items():
        info = f"desk:{model._meta.app_label}_{model._meta.model_name}"
        first = model._default_manager.order_by("pk").first()
        pk = first.pk if first is not None else 1
        add, change, delete = _url(f"{info}_add"), _url(f"{info}_change", pk), _url(f"{info}_delete", pk)
        assert add and change and delete, info
        answers = {
            "add page": client.get(add).status_code,
            "add": client.post(add, {"name": "改", "code": "x"}).status_code,
            "change": client.post(change, {"name": "改", "code": "x"}).status_code,
            "delete page": client.get(delete).status_code,
            "delete": client.post(delete, {"post": "yes"}).status_code,
        }
        assert set(answers.values()) == {403}, (info, answers)
        if first is not None and model_admin.has_view_permission(_request(supervisor)):
            for action in ("delete_selected", *(model_admin.actions or ())):
                if set(getattr(getattr(model_admin, action, None), "allowed_permissions", ())) == {"view"}:
                    continue  # a reading action (a zip of certificates) is theirs to use
                answer = client.post(_url(f"{info}_changelist"), {"action": action, "_selected_action": [pk],
                                                                   "post": "yes"})
                assert answer.status_code in (200, 302), (info, action, answer.status_code)
        tried.append(model._meta.label)
    assert len(tried) == len(desk_site._registry) >= 15
    assert _database() == before


def test_the_json_apis_refuse_a_supervisors_writes_even_on_their_own_account(supervisor, site):
    client = APIClient()
    client.force_authenticate(supervisor)
    record = site["submitted"]
    before = _database()
    refused = {
        "add a person": client.post("/api/people/", {"username": "x1", "name": "某", "password": "Kexue-Jiliang-9"},
                                    format="json"),
        "clear own jurisdiction": client.patch(f"/api/people/{supervisor.pk}/", {"jurisdiction": ""}, format="json"),
        "disable a person": client.post(f"/api/people/{supervisor.pk}/disable/", {}, format="json"),
        "delete a person": client.delete(f"/api/people/{supervisor.pk}/"),
        "add a role": client.post("/api/roles/", {"name": "新角色", "permissions": ["records_edit"]}, format="json"),
        "change own role": client.patch(f"/api/roles/{supervisor.roles.get().pk}/",
                                        {"permissions": ["records_edit"]}, format="json"),
        "start a record": client.post("/api/records/", {"item": record.item.code, "sub_type": record.sub_type_id},
                                      format="json"),
        "save a value": client.post(f"/api/records/{record.pk}/values/",
                                    {"field": "油品", "value": "柴油", "request_id": request_id(), "reason": "改"},
                                    format="json"),
        "note conditions": client.post(f"/api/records/{record.pk}/conditions/", {"place": "现场"}, format="json"),
    }
    assert {name: r.status_code for name, r in refused.items()} == {name: 403 for name in refused}
    assert _database() == before


def test_a_supervisor_cannot_take_a_review_step_which_the_verifier_can(login, supervisor, verifier, site):
    from metrology.records.services import value_save

    record = site["draft"]  # its values are typed in below, so the step is one the verifier may take
    for value in entry_order(fuel_example("F1")["inputs"]):
        value_save(actor=record.inspector, record=record, request_id=request_id(), **value)
    take(record.inspector, record, "submit")
    rows = AuditEvent.objects.count()
    refused = api_step(login(supervisor), record.pk, "verify")
    assert refused.status_code in (400, 403), refused.content
    assert Record.objects.get(pk=record.pk).state == "submitted" and AuditEvent.objects.count() == rows
    accepted = api_step(login(verifier), record.pk, "verify")
    assert accepted.status_code == 200, accepted.content
    assert Record.objects.get(pk=record.pk).state == "verified"


def test_a_supervisor_cannot_void_a_certificate_nor_save_a_report_which_others_can(
        login, supervisor, statistician, site):
    certificate = site["certificate"]
    client = login(supervisor)
    void = client.post(reverse("certificate-void", args=[certificate.pk]), {"reason": "监督员试图作废"})
    assert void.status_code == 403
    assert Certificate.objects.get(pk=certificate.pk).state == Certificate.State.ISSUED
    save = client.post(reverse("desk:reports_api_save"), json.dumps(REPORT), content_type="application/json")
    assert save.status_code == 403 and save.json()["ok"] is False
    reports = apps.get_model("reports", "SavedReport").objects
    assert not reports.filter(owner=supervisor).exists()
    allowed = login(statistician).post(reverse("desk:reports_api_save"), json.dumps({**REPORT, "name": "另一张"}),
                                       content_type="application/json")
    assert allowed.status_code == 200 and reports.filter(owner=statistician, name="另一张").exists()


def test_a_supervisor_cannot_change_their_own_person_page(login, supervisor, default_roles):
    response = login(supervisor).post(reverse("desk:accounts_person_change", args=[supervisor.pk]), {
        "username": "jiandu", "is_active": "on", "name": "吴监督", "jurisdiction": "",
        "roles": [default_roles["system_admin"].pk], "qualifications-TOTAL_FORMS": "0",
        "qualifications-INITIAL_FORMS": "0", "qualifications-MIN_NUM_FORMS": "0",
        "qualifications-MAX_NUM_FORMS": "1000"})
    assert response.status_code == 403
    assert set(supervisor.roles.values_list("code", flat=True)) == {"supervisor"}


# -- the migration that takes the regulations from the role on existing sites ---------------------------

migration = importlib.import_module("metrology.accounts.migrations.0006_supervisor_reads_only_its_jurisdiction")


def _as_shipped_before(role: Role) -> None:
    RoleGrant.objects.get_or_create(role=role, code="regulations_query")
    Role.objects.filter(pk=role.pk).update(description=migration.OLD_DESCRIPTION)


def test_the_migration_takes_the_regulations_from_a_supervisor_role_left_as_shipped(default_roles):
    role = default_roles["supervisor"]
    _as_shipped_before(role)
    migration.forwards(apps, None)
    role.refresh_from_db()
    assert set(role.permission_codes()) == READ_ONLY
    assert role.description == migration.NEW_DESCRIPTION
    migration.backwards(apps, None)
    role.refresh_from_db()
    assert set(role.permission_codes()) == READ_ONLY | {"regulations_query"}


def test_the_migration_leaves_a_supervisor_role_the_institute_changed(default_roles):
    role = default_roles["supervisor"]
    _as_shipped_before(role)
    RoleGrant.objects.create(role=role, code="reports_export")
    migration.forwards(apps, None)
    assert set(role.permission_codes()) == READ_ONLY | {"regulations_query", "reports_export"}
