"""Work in progress (R-4.1.2.4 d): records not finished yet, by state, inspector, item and age.

One grouped query, whatever the number of records: the counts by state and the records left too
long are summed from its rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import CharField, Count, Max, Min, Value, When
from django.db.models.expressions import Case
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from metrology.accounts.jurisdiction import records_in_jurisdiction
from metrology.records.models import Record
from metrology.workflow.selectors import open_states

STALE_AFTER = dt.timedelta(days=1)  # a record in the inspector's hands for longer is shown as left behind


@dataclass(frozen=True)
class AgeBand:
    code: str
    label: Promise
    newer_than: dt.timedelta | None  # None: the oldest band


AGE_BANDS = (
    AgeBand("hour", _("under 1 hour"), dt.timedelta(hours=1)),
    AgeBand("day", _("1 hour to 1 day"), dt.timedelta(days=1)),
    AgeBand("week", _("1 to 7 days"), dt.timedelta(days=7)),
    AgeBand("older", _("over 7 days"), None),
)
BAND_LABELS = {band.code: band.label for band in AGE_BANDS}


@dataclass(frozen=True)
class WorkRow:
    state: str
    state_label: str
    in_inspectors_hands: bool
    inspector: str
    item: str
    age: str
    count: int
    oldest_started: dt.datetime
    last_change: dt.datetime

    @property
    def age_label(self) -> str:
        return str(BAND_LABELS[self.age])

    @property
    def stale(self) -> bool:
        return self.in_inspectors_hands and self.age not in ("hour", "day")


@dataclass(frozen=True)
class WorkInProgress:
    rows: list[WorkRow]
    at: dt.datetime
    by_state: list[tuple[str, str, int]] = field(default_factory=list)  # (state, label, count)

    @property
    def total(self) -> int:
        return sum(row.count for row in self.rows)

    @property
    def stale(self) -> int:
        return sum(row.count for row in self.rows if row.stale)


def _age_band(now: dt.datetime) -> Case:
    """The record's age (since it was started) as the code of its band."""
    return Case(*(When(created_at__gt=now - band.newer_than, then=Value(band.code))
                  for band in AGE_BANDS if band.newer_than is not None),
                default=Value(AGE_BANDS[-1].code), output_field=CharField())


def work_in_progress(*, now: dt.datetime | None = None, person=None) -> WorkInProgress:
    """Records in a state of the workflow that is not final (R-4.1.2.4 d), of the person's jurisdiction."""
    now = now or timezone.now()
    states = open_states()
    names = {state.code: state.name for state in states}
    entry = {state.code for state in states if state.allows_entry}
    records = Record.objects.all() if person is None else records_in_jurisdiction(person, Record.objects.all())
    grouped = (records.filter(state__in=names).annotate(age=_age_band(now))
               .values("state", "inspector__name", "item__name", "age")
               .annotate(count=Count("id"), oldest=Min("created_at"), last=Max("updated_at"))
               .order_by("state", "inspector__name", "item__name", "oldest"))
    rows = [WorkRow(state=g["state"], state_label=names[g["state"]], in_inspectors_hands=g["state"] in entry,
                    inspector=g["inspector__name"], item=g["item__name"], age=g["age"],
                    count=g["count"], oldest_started=g["oldest"], last_change=g["last"]) for g in grouped]
    counts = dict.fromkeys(names, 0)
    for row in rows:
        counts[row.state] += row.count
    by_state = [(code, name, counts[code]) for code, name in names.items()]
    return WorkInProgress(rows=rows, at=now, by_state=by_state)
