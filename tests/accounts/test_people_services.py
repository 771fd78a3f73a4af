"""People: add, validate, disable, enable, delete-or-deactivate (R-4.2.2.5), each audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from metrology.accounts.models import Person, Qualification
from metrology.accounts.services import people, qualifications
from metrology.core.audit import audit_chain_verify
from metrology.core.models import AuditEvent

from metrology.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"


def _create(**overrides):
    data = {"actor": None, "username": "newbie", "password": PASSWORD, "name": "新人"}
    return people.person_create(**{**data, **overrides})


def test_person_is_created_with_profile_roles_and_qualification(admin, default_roles):
    person = _create(
        actor=admin, gender="female", birth_date=dt.date(1949, 12, 31), id_number=VALID_ID.lower(),
        education="bachelor", title="工程师", position="检定员", roles=[default_roles["inspector"]],
        qualifications=[{"certificate_number": "Q-1", "issue_date": dt.date(2024, 1, 1),
                         "issuing_body": "省局", "valid_until": dt.date(2028, 1, 1), "items": ["燃油加油机"]}],
    )
    person.refresh_from_db()
    assert person.id_number == VALID_ID
    assert person.check_password(PASSWORD)
    assert person.approved_items(on=dt.date(2025, 6, 1)) == ["燃油加油机"]
    assert person.approved_items(on=dt.date(2029, 6, 1)) == []
    actions = list(AuditEvent.objects.filter(object_id=str(person.pk)).values_list("action", flat=True))
    assert "person.created" in actions
    assert AuditEvent.objects.filter(action="qualification.added", actor=admin).exists()


def test_audit_rows_never_hold_passwords_or_full_id_numbers(admin):
    person = _create(actor=admin, id_number=VALID_ID)
    event = AuditEvent.objects.get(action="person.created", object_id=str(person.pk))
    assert event.after["id_number"] == "110***********002X"
    assert "password" not in event.after


def test_wrong_id_check_digit_is_refused_on_the_field_and_nothing_is_saved(db):
    with pytest.raises(ValidationError) as caught:
        _create(id_number="110105194912310021")
    assert "id_number" in caught.value.message_dict
    assert not Person.objects.filter(username="newbie").exists()
    assert not AuditEvent.objects.exists()


def test_birth_date_must_match_the_id_number(db):
    with pytest.raises(ValidationError) as caught:
        _create(id_number=VALID_ID, birth_date=dt.date(1950, 1, 1))
    assert "birth_date" in caught.value.message_dict


def test_duplicate_account_is_refused_whatever_the_case(inspector):
    with pytest.raises(ValidationError) as caught:
        _create(username="ZhangSan")
    assert "username" in caught.value.message_dict
    assert Person.objects.filter(username__iexact="zhangsan").count() == 1


def test_weak_password_is_refused_on_the_password_field(db):
    for weak in ("12345678", "password", "abc"):
        with pytest.raises(ValidationError) as caught:
            _create(password=weak)
        assert "password" in caught.value.message_dict
    assert not Person.objects.exists()


def test_qualification_ending_before_it_starts_saves_nothing_not_even_the_person(db):
    bad = {"certificate_number": "Q-1", "issue_date": dt.date(2024, 5, 1), "issuing_body": "省局",
           "valid_until": dt.date(2024, 4, 30), "items": []}
    with pytest.raises(ValidationError) as caught:
        _create(qualifications=[bad])
    assert "valid_until" in caught.value.message_dict
    assert not Person.objects.filter(username="newbie").exists()
    assert not Qualification.objects.exists()
    assert not AuditEvent.objects.exists()


def test_disabled_person_has_no_permissions_and_enable_restores_them(inspector):
    assert inspector.has_perm("metrology.records_enter")
    people.person_disable(actor=None, person=inspector, reason="离职")
    inspector = Person.objects.get(pk=inspector.pk)
    assert not inspector.has_perm("metrology.records_enter")
    assert inspector.deactivated_at is not None
    people.person_enable(actor=None, person=inspector)
    assert Person.objects.get(pk=inspector.pk).has_perm("metrology.records_enter")
    assert AuditEvent.objects.filter(action="person.disabled", reason="离职").exists()


def test_person_nobody_refers_to_is_deleted(admin, outsider):
    assert people.person_delete(actor=admin, person=outsider) is True
    assert not Person.objects.filter(username="outsider").exists()
    assert AuditEvent.objects.filter(action="person.deleted", object_repr__contains="outsider").exists()


def test_person_referred_to_by_history_is_disabled_instead_of_deleted(admin, inspector):
    people.person_update(actor=inspector, person=inspector, title="工程师")  # inspector is now an audit actor
    assert people.person_delete(actor=admin, person=inspector) is False
    inspector.refresh_from_db()
    assert inspector.is_active is False
    assert audit_chain_verify().ok


def test_last_person_able_to_manage_roles_cannot_be_disabled(admin):
    from metrology.core.errors import ApplicationError

    with pytest.raises(ApplicationError):
        people.person_disable(actor=admin, person=admin)
    admin.refresh_from_db()
    assert admin.is_active


def test_qualification_update_and_remove_are_audited(inspector):
    qualification = inspector.qualifications.get()
    qualifications.qualification_update(actor=None, qualification=qualification, items=["燃油加油机", "压力表"])
    assert inspector.approved_items(on=dt.date(2025, 1, 1)) == ["压力表", "燃油加油机"]
    qualifications.qualification_remove(actor=None, qualification=qualification)
    assert inspector.approved_items(on=dt.date(2025, 1, 1)) == []
    assert AuditEvent.objects.filter(action="qualification.updated").get().after == {"items": ["燃油加油机", "压力表"]}
    assert AuditEvent.objects.filter(action="qualification.removed").exists()


def test_passwords_are_stored_with_argon2(db, settings):
    from metrology import settings as site_settings

    settings.PASSWORD_HASHERS = site_settings.PASSWORD_HASHERS
    person = _create()
    assert person.password.startswith("argon2$")
    assert person.check_password(PASSWORD)
