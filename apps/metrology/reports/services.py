"""Saving and deleting reports: checked against what the owner may see, audited in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.core.audit import audit_log
from metrology.core.permissions import perm
from metrology.reports.columns import columns_for
from metrology.reports.models import SavedReport
from metrology.reports.query import ReportRefused, report_parse

MAX_NAME = 100


def _checked_name(name: Any) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not name:
        raise ReportRefused(_("Give the report a name."), field="name")
    if len(name) > MAX_NAME:
        raise ReportRefused(_("The report's name can be at most %(max)d characters.") % {"max": MAX_NAME},
                            field="name")
    return name


@transaction.atomic
def report_save(*, actor: Person, name: Any, spec: Any, shared: bool = False,
                report: SavedReport | None = None) -> SavedReport:
    """A new saved report, or the owner's change to one; the definition must run for its owner. Keeping
    reports is for those who may take data out (reports_export): a supervisor only reads."""
    if not actor.has_perm(perm("reports_export")):
        raise ReportRefused(_("You may run reports but not save them."))
    if report is not None and report.owner_id != actor.pk:
        raise ReportRefused(_("Only the report's owner can change it; save a copy under your own name instead."))
    report_parse(spec, columns_for(actor))
    before = {"name": report.name, "shared": report.shared, "spec": report.spec} if report else None
    report = report or SavedReport(owner=actor)
    report.name, report.spec, report.shared = _checked_name(name), spec, bool(shared)
    report.updated_at = timezone.now()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise ReportRefused(_("You already have a report named “%(name)s”.") % {"name": report.name},
                            field="name") from None
    audit_log(actor=actor, action="report.saved", obj=report, before=before,
              after={"name": report.name, "shared": report.shared, "spec": report.spec})
    return report


@transaction.atomic
def report_delete(*, actor: Person, report: SavedReport) -> None:
    if report.owner_id != actor.pk:
        raise ReportRefused(_("Only the report's owner can delete it."))
    audit_log(actor=actor, action="report.deleted", obj=report,
              before={"name": report.name, "shared": report.shared, "spec": report.spec})
    report.delete()
