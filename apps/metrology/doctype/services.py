"""Writes on items, test types and procedure versions; each in one transaction with its audit row."""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.core.audit import audit_log
from metrology.core.audited import instance_save
from metrology.doctype.engine import run_test_cases, validate_procedure
from metrology.doctype.errors import ProcedureRefused
from metrology.doctype.models import Item, Procedure, ProcedureVersion, TestType

Status = ProcedureVersion.Status


def _validated(definition: dict[str, Any]) -> dict[str, Any]:
    problems = validate_procedure(definition)
    if problems:
        raise ProcedureRefused(_("The procedure has %(count)d problem(s).") % {"count": len(problems)}, problems)
    return definition


def _authorised(item: Item) -> Item:
    if not item.is_authorised:
        raise ProcedureRefused(
            _("%(item)s is not an authorised item, so no procedure can be made for it (R-4.3.5.3).")
            % {"item": item}
        )
    return item


def item_save(*, actor: Person | None, item: Item) -> Item:
    return instance_save(actor=actor, instance=item, action="item.updated" if item.pk else "item.created")


@transaction.atomic
def procedure_create(
    *, actor: Person | None, item: Item, sub_type: TestType, code: str, name: str, definition: dict[str, Any]
) -> ProcedureVersion:
    """A new procedure for an authorised item × sub-type, with its first draft."""
    _authorised(item)
    if sub_type.parent_id is None:
        raise ProcedureRefused(_("Choose a sub-type (e.g. 首次检定), not the test type itself."))
    procedure = Procedure(item=item, sub_type=sub_type, code=code, name=name)
    procedure.full_clean()
    procedure.save()
    version = ProcedureVersion(procedure=procedure, number=1, definition=_validated(definition), created_by=actor)
    version.save()
    audit_log(actor=actor, action="procedure.created", obj=procedure,
              after={"code": code, "item": item.code, "sub_type": str(sub_type), "version": 1})
    return version


@transaction.atomic
def version_save_draft(
    *, actor: Person | None, version: ProcedureVersion, definition: dict[str, Any], change_note: str = ""
) -> ProcedureVersion:
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != Status.DRAFT:
        raise ProcedureRefused(_("A published version never changes; edit a new draft instead."))
    before = version.fingerprint
    version.definition = _validated(definition)
    version.change_note = change_note or version.change_note
    version.save()
    if version.fingerprint != before:
        audit_log(actor=actor, action="procedure.draft_saved", obj=version,
                  before={"fingerprint": before}, after={"fingerprint": version.fingerprint})
    return version


@transaction.atomic
def version_publish(*, actor: Person | None, version: ProcedureVersion) -> ProcedureVersion:
    """Publish a draft whose test cases all pass; the previous published version retires."""
    version = ProcedureVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != Status.DRAFT:
        raise ProcedureRefused(_("Only a draft can be published."))
    _authorised(version.procedure.item)
    definition = _validated(version.definition)
    results = run_test_cases(definition)
    if not results:
        raise ProcedureRefused(_("Add at least one test case before publishing: it is the validation evidence."))
    failed = [result for result in results if not result.passed]
    if failed:
        names = "、".join(result.name for result in failed)
        raise ProcedureRefused(_("These test cases fail, so the version cannot be published: %(names)s")
                               % {"names": names})
    now = timezone.now()
    for previous in version.procedure.versions.filter(status=Status.PUBLISHED):
        previous.status, previous.retired_at = Status.RETIRED, now
        previous.save(update_fields=["status", "retired_at"])
        audit_log(actor=actor, action="procedure.retired", obj=previous)
    version.status, version.published_by, version.published_at = Status.PUBLISHED, actor, now
    version.save(update_fields=["status", "published_by", "published_at"])
    audit_log(actor=actor, action="procedure.published", obj=version,
              after={"version": version.number, "fingerprint": version.fingerprint,
                     "test_cases": [result.name for result in results]})
    return version


@transaction.atomic
def version_new_draft(*, actor: Person | None, procedure: Procedure) -> ProcedureVersion:
    """The draft to edit: the existing one, or a copy of the newest version as the next number.

    The procedure row is locked first (parent before its versions, the platform's lock order), so
    two people starting a draft at once get the same draft instead of a clash over its number.
    """
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    existing = procedure.draft_version()
    if existing is not None:
        return existing
    latest = procedure.latest_version()
    version = ProcedureVersion(procedure=procedure, number=latest.number + 1,
                               definition=copy.deepcopy(latest.definition), created_by=actor)
    version.save()
    audit_log(actor=actor, action="procedure.draft_created", obj=version, after={"from_version": latest.number})
    return version
