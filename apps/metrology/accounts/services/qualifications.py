"""Qualifications of a person; the approved items (核准项目) follow from the valid ones."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from metrology.accounts.models import Person, Qualification
from metrology.accounts.services.guards import ensure_may_act_on
from metrology.accounts.services.snapshots import QUALIFICATION_FIELDS, changed, qualification_snapshot
from metrology.core.audit import audit_log


def _check_fields(fields: dict[str, Any], service: str) -> None:
    unknown = set(fields) - set(QUALIFICATION_FIELDS)
    if unknown:
        raise TypeError(f"{service}() got unknown fields {sorted(unknown)}")


@transaction.atomic
def qualification_add(*, actor: Person | None, person: Person, **fields: Any) -> Qualification:
    _check_fields(fields, "qualification_add")
    ensure_may_act_on(actor, person)
    qualification = Qualification(person=person, **fields)
    qualification.full_clean()
    qualification.save()
    audit_log(actor=actor, action="qualification.added", obj=qualification,
              after=qualification_snapshot(qualification))
    return qualification


@transaction.atomic
def qualification_update(*, actor: Person | None, qualification: Qualification, **fields: Any) -> Qualification:
    _check_fields(fields, "qualification_update")
    ensure_may_act_on(actor, qualification.person)
    before = qualification_snapshot(Qualification.objects.get(pk=qualification.pk))
    for field, value in fields.items():
        setattr(qualification, field, value)
    qualification.full_clean()
    qualification.save()
    old, new = changed(before, qualification_snapshot(qualification))
    if new:
        audit_log(actor=actor, action="qualification.updated", obj=qualification, before=old, after=new)
    return qualification


@transaction.atomic
def qualification_remove(*, actor: Person | None, qualification: Qualification) -> None:
    ensure_may_act_on(actor, qualification.person)
    snapshot = qualification_snapshot(qualification)
    pk = qualification.pk
    qualification.delete()
    qualification.pk = pk
    audit_log(actor=actor, action="qualification.removed", obj=qualification, before=snapshot)
