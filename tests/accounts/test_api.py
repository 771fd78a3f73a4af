"""People and roles over the JSON API, with the Desk's permission checks (R-4.2.2.3–5)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from metrology.accounts.models import Person
from metrology.core.models import AuditEvent
from metrology.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"


@pytest.fixture
def api():
    def as_person(person):
        client = APIClient()
        client.force_authenticate(person)
        return client

    return as_person


def test_token_is_issued_for_account_and_password(client, admin):
    response = APIClient().post("/api/token/", {"username": "admin", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    listing = APIClient(HTTP_AUTHORIZATION=f"Token {token}").get("/api/people/")
    assert listing.status_code == 200


def test_disabled_person_gets_no_token(admin, inspector):
    from metrology.accounts.services.people import person_disable

    person_disable(actor=admin, person=inspector)
    response = APIClient().post("/api/token/", {"username": "zhangsan", "password": PASSWORD}, format="json")
    assert response.status_code in (401, 403)
    assert "停用" in response.json()["detail"]


def test_anonymous_requests_are_refused():
    assert APIClient().get("/api/people/").status_code in (401, 403)


def test_people_need_people_permissions(api, inspector, supervisor):
    assert api(inspector).get("/api/people/").status_code == 403
    assert api(inspector).get("/api/roles/").status_code == 403


def test_query_permission_reads_but_cannot_write(api, make_person):
    reader = make_person("zhouba", "周八", "senior_manager")
    assert api(reader).get("/api/people/").status_code == 200
    response = api(reader).post("/api/people/", {"username": "x1", "name": "x", "password": PASSWORD})
    assert response.status_code == 403


def test_id_numbers_are_masked_without_the_permission(api, admin, make_person):
    from metrology.accounts.services.people import person_update

    person_update(actor=admin, person=admin, id_number=VALID_ID)
    reader = make_person("zhouba", "周八", "senior_manager")
    rows = {row["username"]: row for row in api(reader).get("/api/people/").json()["results"]}
    assert rows["admin"]["id_number"] == "110***********002X"
    rows = {row["username"]: row for row in api(admin).get("/api/people/").json()["results"]}
    assert rows["admin"]["id_number"] == VALID_ID


def test_administrator_creates_a_person_and_the_change_is_audited(api, admin):
    response = api(admin).post("/api/people/", {
        "username": "xinren", "name": "新人", "password": "Kexue-Jiliang-9", "roles": ["inspector"],
    }, format="json")
    assert response.status_code == 201, response.json()
    person = Person.objects.get(username="xinren")
    assert person.roles.get().code == "inspector"
    assert AuditEvent.objects.filter(action="person.created", actor=admin, object_id=str(person.pk)).exists()


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"username": "xinren", "name": "新人", "password": "Kexue-Jiliang-9", "id_number": "110105194912310021"},
         "id_number"),
        ({"username": "Admin", "name": "新人", "password": "Kexue-Jiliang-9"}, "username"),
        ({"username": "xinren", "name": "新人", "password": "12345678"}, "password"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(api, admin, payload, field):
    count = Person.objects.count()
    response = api(admin).post("/api/people/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Person.objects.count() == count


def test_role_permissions_are_granted_and_the_role_disabled(api, admin):
    client = api(admin)
    created = client.post("/api/roles/", {"name": "资料员", "code": "archivist",
                                          "permissions": ["people_query"]}, format="json")
    assert created.status_code == 201, created.json()
    role_id = created.json()["id"]
    updated = client.patch(f"/api/roles/{role_id}/", {"permissions": ["people_query", "audit_query"]}, format="json")
    assert updated.json()["permissions"] == ["audit_query", "people_query"]
    disabled = client.post(f"/api/roles/{role_id}/disable/", {"reason": "合并岗位"}, format="json")
    assert disabled.json()["is_enabled"] is False


def test_refused_change_returns_the_reason(api, admin, default_roles):
    response = api(admin).post(f"/api/roles/{default_roles['system_admin'].pk}/disable/", {}, format="json")
    assert response.status_code == 400
    assert "管理角色和权限" in response.json()["detail"]


def test_openapi_document_lists_people_and_roles(login, admin):
    response = login(admin).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/people/" in paths and "/api/roles/{id}/disable/" in paths


def test_api_documentation_page_is_served_without_internet(login, admin):
    page = login(admin).get("/api/docs/").content.decode()
    assert "swagger" in page.lower() and "cdn" not in page.lower()
