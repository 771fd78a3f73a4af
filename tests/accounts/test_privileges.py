"""Nobody gains or hands out power they do not hold (#8, R-4.2.2.3–5)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from metrology.accounts.models import Person
from metrology.accounts.services import people, roles
from metrology.core.errors import ApplicationError
from metrology.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kexue-Jiliang-9"


@pytest.fixture
def people_manager(make_person, default_roles):
    """Manages people, but not roles: the persona of #8's escalation."""
    role = roles.role_create(actor=None, name="人事", permissions=["people_query", "people_manage"])
    person = make_person("renshi", "人事甲")
    people.person_set_roles(actor=None, person=person, roles=[role])
    return Person.objects.get(pk=person.pk)


@pytest.fixture
def api():
    def as_person(person):
        client = APIClient()
        client.force_authenticate(person)
        return client

    return as_person


def _role_codes(person) -> set[str]:
    return set(Person.objects.get(pk=person.pk).roles.values_list("code", flat=True))


def test_a_people_manager_cannot_make_themselves_administrator_over_the_api(api, people_manager):
    response = api(people_manager).patch(f"/api/people/{people_manager.pk}/",
                                         {"roles": ["system_admin"]}, format="json")
    assert response.status_code == 400
    assert "system_admin" not in _role_codes(people_manager)


def test_a_people_manager_cannot_make_themselves_administrator_in_the_desk(login, people_manager, default_roles):
    client = login(people_manager)
    page = client.get(reverse("desk:accounts_person_change", args=[people_manager.pk])).content.decode()
    assert 'name="roles"' not in page  # shown, not editable
    data = {
        "username": "renshi", "is_active": "on", "name": "人事甲", "gender": "", "birth_date": "",
        "id_number": "", "education": "", "title": "", "position": "", "phone": "",
        "roles": [default_roles["system_admin"].pk],
        "qualifications-TOTAL_FORMS": "0", "qualifications-INITIAL_FORMS": "0",
        "qualifications-MIN_NUM_FORMS": "0", "qualifications-MAX_NUM_FORMS": "1000",
    }
    client.post(reverse("desk:accounts_person_change", args=[people_manager.pk]), data)
    assert "system_admin" not in _role_codes(people_manager)


def test_a_people_manager_cannot_give_roles_to_a_new_person(people_manager, default_roles):
    with pytest.raises(ApplicationError):
        people.person_create(actor=people_manager, username="xinren", password=NEW_PASSWORD, name="新人",
                             roles=[default_roles["inspector"]])


def test_a_people_manager_cannot_reset_an_administrators_password(api, login, people_manager, admin):
    response = api(people_manager).patch(f"/api/people/{admin.pk}/", {"password": NEW_PASSWORD}, format="json")
    assert response.status_code == 400
    assert Person.objects.get(pk=admin.pk).check_password(PASSWORD)
    page = login(people_manager).get(reverse("desk:accounts_person_password", args=[admin.pk]))
    assert page.status_code == 403
    login(people_manager).post(reverse("desk:accounts_person_password", args=[admin.pk]),
                               {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert Person.objects.get(pk=admin.pk).check_password(PASSWORD)


def test_a_people_manager_cannot_edit_or_disable_an_administrator(people_manager, admin):
    with pytest.raises(ApplicationError):
        people.person_update(actor=people_manager, person=admin, phone="110")
    with pytest.raises(ApplicationError):
        people.person_disable(actor=people_manager, person=admin)
    assert Person.objects.get(pk=admin.pk).is_active


def test_a_people_manager_still_manages_ordinary_people(people_manager, inspector):
    people.person_update(actor=people_manager, person=inspector, phone="13800000000")
    people.person_set_password(actor=people_manager, person=inspector, password=NEW_PASSWORD)
    assert Person.objects.get(pk=inspector.pk).check_password(NEW_PASSWORD)


def test_a_role_manager_cannot_grant_a_privileged_permission_they_lack(make_person):
    limited = roles.role_create(actor=None, name="角色管理", permissions=["roles_manage", "people_query"])
    manager = make_person("jiaose", "角色甲")
    people.person_set_roles(actor=None, person=manager, roles=[limited])
    manager = Person.objects.get(pk=manager.pk)
    with pytest.raises(ApplicationError):
        roles.role_create(actor=manager, name="看身份证", permissions=["people_view_id_number"])
    other = roles.role_create(actor=None, name="其他", permissions=["people_query"])
    with pytest.raises(ApplicationError):
        roles.role_set_permissions(actor=manager, role=other, codes=["people_query", "people_manage"])


def test_a_role_manager_cannot_give_themselves_a_permission_they_lack(admin, default_roles):
    with pytest.raises(ApplicationError):
        people.person_set_roles(actor=admin, person=admin,
                                roles=[*admin.roles.all(), default_roles["approver"]])
    with pytest.raises(ApplicationError):
        roles.role_set_permissions(actor=admin, role=default_roles["system_admin"],
                                   codes=[*default_roles["system_admin"].permission_codes(), "certificates_approve"])
    assert "approver" not in _role_codes(admin)


def test_the_administrator_still_gives_work_roles_to_others(admin, verifier, default_roles):
    people.person_set_roles(actor=admin, person=verifier, roles=[default_roles["inspector"]])
    assert _role_codes(verifier) == {"inspector"}


def test_the_api_refuses_deleting_or_disabling_oneself(api, admin, make_person):
    """#8: the Desk refused it, the API did not."""
    make_person("admin2", "管理员乙", "system_admin")  # so the last-role-manager guard is not what refuses
    client = api(admin)
    response = client.post(f"/api/people/{admin.pk}/disable/", {}, format="json")
    assert response.status_code == 400 and response.json()["detail"]
    response = client.delete(f"/api/people/{admin.pk}/")
    assert response.status_code == 400 and response.json()["detail"]
    assert Person.objects.get(pk=admin.pk).is_active
