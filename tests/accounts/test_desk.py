"""The back office (R-4.3.2.1 login; R-4.2.2.3–5 people and roles in the Desk)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metrology.accounts.models import Person, Qualification, Role
from metrology.core.models import AuditEvent
from metrology.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"


def _person_form(**overrides) -> dict:
    data = {
        "username": "xinren", "password1": "Kexue-Jiliang-9", "password2": "Kexue-Jiliang-9", "name": "新人",
        "gender": "", "birth_date": "", "id_number": "", "education": "", "title": "", "position": "",
        "phone": "",
        "qualifications-TOTAL_FORMS": "1", "qualifications-INITIAL_FORMS": "0",
        "qualifications-MIN_NUM_FORMS": "0", "qualifications-MAX_NUM_FORMS": "1000",
        "qualifications-0-certificate_number": "", "qualifications-0-issue_date": "",
        "qualifications-0-issuing_body": "", "qualifications-0-valid_until": "", "qualifications-0-items": "",
    }
    data.update(overrides)
    return data


def _field_errors(response, field: str) -> list[str]:
    return list(response.context["adminform"].form.errors.get(field, []))


def test_login_page_is_in_chinese(client):
    page = client.get(reverse("login")).content.decode()
    assert "用户名" in page or "账号" in page
    assert "密码" in page and "登录" in page


def test_root_leads_to_login_when_logged_out(client):
    response = client.get("/", follow=True)
    assert "/login/" in response.redirect_chain[-1][0]
    assert "密码" in response.content.decode()


def test_wrong_password_gets_a_clear_message(client, inspector):
    response = client.post(reverse("login"), {"username": "zhangsan", "password": "wrong-one"})
    assert "账号或密码不正确" in response.content.decode()


def test_disabled_person_is_refused_with_a_clear_message(client, inspector):
    from metrology.accounts.services.people import person_disable

    person_disable(actor=None, person=inspector)
    response = client.post(reverse("login"), {"username": "zhangsan", "password": PASSWORD})
    assert "该账号已被停用" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_lock_the_account(client, inspector, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "zhangsan", "password": "wrong-one"})
    response = client.post(reverse("login"), {"username": "zhangsan", "password": PASSWORD})
    assert response.status_code == 429
    assert "已锁定" in response.content.decode()


def test_disabling_a_person_ends_their_open_session(client, admin, inspector):
    from metrology.accounts.services.people import person_disable

    client.post(reverse("login"), {"username": "zhangsan", "password": PASSWORD})
    assert client.get(reverse("desk:index")).status_code == 200
    person_disable(actor=admin, person=inspector)
    assert client.get(reverse("desk:index")).status_code == 302


def test_index_shows_only_the_modules_a_person_may_use(login, admin, inspector, supervisor):
    admin_page = login(admin).get(reverse("desk:index")).content.decode()
    assert "权限管理" in admin_page and "人员" in admin_page and "角色" in admin_page
    supervisor_page = login(supervisor).get(reverse("desk:index")).content.decode()
    assert "审计日志" in supervisor_page and "角色" not in supervisor_page


def test_person_without_permission_cannot_open_people_or_roles(login, inspector):
    client = login(inspector)
    assert client.get(reverse("desk:accounts_person_changelist")).status_code == 403
    assert client.get(reverse("desk:accounts_role_changelist")).status_code == 403


def test_administrator_adds_a_person_with_role_and_qualification(login, admin, default_roles):
    data = _person_form(**{
        "id_number": VALID_ID, "roles": [default_roles["inspector"].pk],
        "qualifications-0-certificate_number": "Q-9", "qualifications-0-issue_date": "2024-01-01",
        "qualifications-0-issuing_body": "省局", "qualifications-0-valid_until": "2028-12-31",
        "qualifications-0-items": "燃油加油机\n压力表",
    })
    response = login(admin).post(reverse("desk:accounts_person_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = Person.objects.get(username="xinren")
    assert person.roles.get().code == "inspector"
    assert person.qualifications.get().items == ["燃油加油机", "压力表"]
    assert AuditEvent.objects.filter(action="person.created", actor=admin).exists()
    assert AuditEvent.objects.filter(action="person.roles_changed", actor=admin).exists()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"id_number": "110105194912310021"}, "id_number", "校验位"),
        ({"username": "ZhangSan"}, "username", "已被使用"),
        ({"password1": "12345678", "password2": "12345678"}, "password1", "密码"),
    ],
)
def test_bad_person_input_is_shown_on_its_field_and_nothing_is_saved(
    login, admin, inspector, overrides, field, message
):
    before = (Person.objects.count(), AuditEvent.objects.count())
    response = login(admin).post(reverse("desk:accounts_person_add"), _person_form(**overrides))
    assert response.status_code == 200
    errors = _field_errors(response, field)
    assert errors and any(message in error for error in errors), errors
    assert (Person.objects.count(), AuditEvent.objects.count()) == before


def test_qualification_ending_before_issue_is_shown_on_the_inline_and_nothing_is_saved(login, admin):
    data = _person_form(**{
        "qualifications-0-certificate_number": "Q-9", "qualifications-0-issue_date": "2024-05-01",
        "qualifications-0-issuing_body": "省局", "qualifications-0-valid_until": "2024-04-01",
    })
    response = login(admin).post(reverse("desk:accounts_person_add"), data)
    assert response.status_code == 200
    inline_errors = response.context["inline_admin_formsets"][0].formset.errors[0]
    assert "有效期" in " ".join(inline_errors.get("valid_until", [])) or "有效期" in str(inline_errors)
    assert not Person.objects.filter(username="xinren").exists()
    assert not Qualification.objects.exists() or not Qualification.objects.filter(certificate_number="Q-9")


def test_id_numbers_are_masked_for_people_without_the_permission(login, admin, make_person, default_roles):
    from metrology.accounts.services.people import person_update

    person_update(actor=admin, person=admin, id_number=VALID_ID)
    viewer = make_person("chakan", "查看员", "senior_manager")
    masked = login(viewer).get(reverse("desk:accounts_person_changelist")).content.decode()
    assert "110***********002X" in masked and VALID_ID not in masked
    form = login(viewer).get(reverse("desk:accounts_person_change", args=[admin.pk])).content.decode()
    assert VALID_ID not in form
    full = login(admin).get(reverse("desk:accounts_person_changelist")).content.decode()
    assert VALID_ID in full


def test_role_form_grants_and_disable_action_revokes(login, admin, make_person):
    client = login(admin)
    response = client.post(reverse("desk:accounts_role_add"), {
        "name": "资料员", "code": "", "description": "", "is_enabled": "on",
        "permissions": ["people_query", "audit_query"],
    })
    assert response.status_code == 302
    role = Role.objects.get(name="资料员")
    assert role.permission_codes() == ["audit_query", "people_query"]
    client.post(reverse("desk:accounts_role_changelist"), {
        "action": "disable_selected", "_selected_action": [role.pk],
    })
    assert not Role.objects.get(pk=role.pk).is_enabled


def test_disabling_the_last_role_manager_is_refused_with_a_message(login, admin, default_roles):
    response = login(admin).post(reverse("desk:accounts_role_changelist"), {
        "action": "disable_selected", "_selected_action": [default_roles["system_admin"].pk],
    }, follow=True)
    assert "可以管理角色和权限" in response.content.decode()
    assert Role.objects.get(code="system_admin").is_enabled


def test_deleting_a_referenced_person_disables_them(login, admin, inspector):
    from metrology.accounts.services.people import person_update

    person_update(actor=inspector, person=inspector, title="工程师")
    response = login(admin).post(reverse("desk:accounts_person_delete", args=[inspector.pk]), {"post": "yes"},
                                 follow=True)
    assert response.status_code == 200
    inspector.refresh_from_db()
    assert inspector.is_active is False


def test_administrator_sets_a_password_and_weak_ones_are_refused(login, admin, inspector):
    url = reverse("desk:accounts_person_password", args=[inspector.pk])
    weak = login(admin).post(url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and "密码" in weak.content.decode()
    ok = login(admin).post(url, {"new_password1": "Xin-Mima-2026", "new_password2": "Xin-Mima-2026"})
    assert ok.status_code == 302
    inspector.refresh_from_db()
    assert inspector.check_password("Xin-Mima-2026")
    assert AuditEvent.objects.filter(action="person.password_set", actor=admin).exists()
