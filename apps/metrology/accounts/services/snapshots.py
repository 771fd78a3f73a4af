"""What an audit row records of a person, role or qualification (never passwords; ID numbers masked)."""

from __future__ import annotations

from typing import Any

from metrology.accounts.id_numbers import mask_id_number
from metrology.accounts.models import Person, Qualification, Role

PERSON_PROFILE_FIELDS = (
    "username", "name", "gender", "birth_date", "id_number", "education", "title", "position", "phone",
    "jurisdiction",
)
QUALIFICATION_FIELDS = ("certificate_number", "issue_date", "issuing_body", "valid_until", "items")


def person_snapshot(person: Person) -> dict[str, Any]:
    data = {field: getattr(person, field) for field in PERSON_PROFILE_FIELDS}
    data["id_number"] = mask_id_number(person.id_number)
    data["is_active"] = person.is_active
    if person.pk:
        data["roles"] = sorted(person.roles.values_list("code", flat=True))
    return data


def role_snapshot(role: Role) -> dict[str, Any]:
    data = {"code": role.code, "name": role.name, "description": role.description, "is_enabled": role.is_enabled}
    if role.pk:
        data["permissions"] = role.permission_codes()
    return data


def qualification_snapshot(qualification: Qualification) -> dict[str, Any]:
    data = {field: getattr(qualification, field) for field in QUALIFICATION_FIELDS}
    data["person"] = qualification.person.username
    return data


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys whose values differ, so audit rows read as a diff."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
