"""Roles and permissions (R-4.2.2.3, R-4.2.2.4)."""

from __future__ import annotations

import pytest

from metrology.accounts.models import Person, Role
from metrology.accounts.services import people, roles
from metrology.core.errors import ApplicationError
from metrology.core.models import AuditEvent
from metrology.core.permissions import PERMISSIONS

pytestmark = pytest.mark.django_db

STANDARD_ROLES = {"高层管理员", "系统管理员", "计量员", "核验员", "审批员", "文档管理员", "设备管理员", "政府监督员"}


def test_the_eight_roles_of_the_standard_are_seeded_with_permissions(default_roles):
    assert STANDARD_ROLES <= set(Role.objects.values_list("name", flat=True))
    assert "certificates_approve" in default_roles["approver"].permission_codes()
    assert "records_enter" in default_roles["inspector"].permission_codes()
    assert "certificates_approve" not in default_roles["inspector"].permission_codes()
    supervisor_codes = default_roles["supervisor"].permission_codes()
    assert supervisor_codes and all(code.endswith("_query") for code in supervisor_codes)


def test_new_role_grants_exactly_its_permissions(admin, make_person):
    role = roles.role_create(actor=admin, name="资料员", permissions=["people_query", "audit_query"])
    person = make_person("ziliao", "资料员甲")
    people.person_set_roles(actor=admin, person=person, roles=[role])
    person = Person.objects.get(pk=person.pk)
    assert person.get_all_permissions() == {"metrology.people_query", "metrology.audit_query"}
    assert not person.has_perm("metrology.people_manage")


def test_revoking_and_granting_write_one_audit_row_each(admin):
    role = roles.role_create(actor=admin, name="临时", permissions=["people_query"])
    roles.role_set_permissions(actor=admin, role=role, codes=["reports_query"])
    assert AuditEvent.objects.get(action="role.permissions_granted").after == {"permissions": ["reports_query"]}
    assert AuditEvent.objects.get(action="role.permissions_revoked").after == {"permissions": ["people_query"]}


def test_unknown_permission_is_refused(admin):
    with pytest.raises(ApplicationError) as caught:
        roles.role_create(actor=admin, name="坏角色", permissions=["launch_rockets"])
    assert caught.value.field == "permissions"
    assert not Role.objects.filter(name="坏角色").exists()


def test_disabled_role_grants_nothing(admin, inspector, default_roles):
    roles.role_disable(actor=admin, role=default_roles["inspector"], reason="调整")
    assert Person.objects.get(pk=inspector.pk).get_all_permissions() == set()
    roles.role_enable(actor=admin, role=default_roles["inspector"])
    assert Person.objects.get(pk=inspector.pk).has_perm("metrology.records_enter")


def test_the_last_role_able_to_manage_roles_cannot_be_disabled(admin, default_roles):
    with pytest.raises(ApplicationError):
        roles.role_disable(actor=admin, role=default_roles["system_admin"])
    with pytest.raises(ApplicationError):
        roles.role_set_permissions(actor=admin, role=default_roles["system_admin"], codes=["people_query"])
    assert Role.objects.get(code="system_admin").is_enabled


def test_every_catalogue_permission_has_a_label_and_module():
    from metrology.core.permissions import MODULES

    for permission in PERMISSIONS.values():
        assert str(permission.label) and permission.module in MODULES
