"""What a person's reports run over, and the saved reports they may open."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from metrology.records.models import Record
from metrology.reports.models import SavedReport


def report_records(person) -> QuerySet:
    """The records a person's reports count: the institute's, or a supervisor's jurisdiction."""
    from metrology.accounts.jurisdiction import records_in_jurisdiction

    return records_in_jurisdiction(person, Record.objects.all())


def reports_open_to(person) -> QuerySet:
    """Their own reports and the shared ones."""
    return SavedReport.objects.filter(Q(owner=person) | Q(shared=True)).select_related("owner")
