"""The numbers of the dashboard (统计看板, R-4.2.5): each a database count over the records a person's
reports cover (selectors.report_records), so a supervisor sees only their jurisdiction. Pure queries:
each function takes that queryset and the day, and returns plain values for the page and the tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from metrology.certificates.models import Certificate
from metrology.doctype.engine import FAIL, PASS

DUE_DAYS = 30


@dataclass(frozen=True)
class StateCount:
    code: str
    name: str
    count: int


@dataclass(frozen=True)
class ItemCount:
    item: str
    count: int


@dataclass(frozen=True)
class PassRate:
    passed: int
    total: int

    @property
    def percent(self) -> Decimal | None:
        """合格 as a share of every record with a conclusion, in per cent to one decimal; None with none."""
        if not self.total:
            return None
        return (Decimal(self.passed) * 100 / self.total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ClientDue:
    client: str
    count: int
    instruments: list[dict]


def records_by_state(records: QuerySet) -> list[StateCount]:
    """Work in progress: how many records are in each state of the active workflow that is not final, in
    its order and under its names (a state with none counts 0)."""
    from metrology.workflow.selectors import open_states

    states = open_states()
    counts = dict(records.filter(state__in=[s.code for s in states]).order_by().values_list("state")
                  .annotate(count=Count("pk")))
    return [StateCount(s.code, s.name, counts.get(s.code, 0)) for s in states]


def month_bounds(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of today's month and of the next one."""
    start = today.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def certificates_issued_by_item(records: QuerySet, today: dt.date) -> list[ItemCount]:
    """Valid certificates issued this month (local time), counted per item, most first."""
    start, end = month_bounds(today)
    issued = (Certificate.objects.filter(record__in=records.values("pk"), state=Certificate.State.ISSUED,
                                         issued_at__gte=_aware(start), issued_at__lt=_aware(end))
              .order_by().values("record__item__name").annotate(count=Count("pk"))
              .order_by("-count", "record__item__name"))
    return [ItemCount(row["record__item__name"], row["count"]) for row in issued]


def pass_rate(records: QuerySet, start: dt.date, end: dt.date) -> PassRate:
    """Records verified from `start` up to (not including) `end` whose conclusion is 合格, out of all those
    with a conclusion (合格 or 不合格: the record is complete)."""
    counted = records.filter(verification_date__gte=start, verification_date__lt=end,
                             conclusion__in=(PASS, FAIL)).aggregate(
        total=Count("pk"), passed=Count("pk", filter=Q(conclusion=PASS)))
    return PassRate(passed=counted["passed"] or 0, total=counted["total"] or 0)


def pass_rates(records: QuerySet, today: dt.date) -> dict[str, PassRate]:
    month_start, month_end = month_bounds(today)
    year_start = today.replace(month=1, day=1)
    return {"month": pass_rate(records, month_start, month_end),
            "year": pass_rate(records, year_start, year_start.replace(year=year_start.year + 1))}


def latest_per_instrument(records: QuerySet) -> QuerySet:
    """Of each instrument (item and serial number), its latest record: the latest verification date,
    then the latest made."""
    latest = (records.filter(item_id=OuterRef("item_id"), serial_number=OuterRef("serial_number"))
              .order_by(F("verification_date").desc(nulls_last=True), "-pk").values("pk")[:1])
    return records.exclude(serial_number="").filter(pk=Subquery(latest))


def due_for_reverification(records: QuerySet, today: dt.date, days: int = DUE_DAYS) -> list[ClientDue]:
    """Instruments whose latest record says they are due again between today and `days` days from now,
    per client (most first), each with its instruments by due date."""
    due = latest_per_instrument(records).filter(
        next_verification_date__gte=today, next_verification_date__lte=today + dt.timedelta(days=days))
    counts = list(due.order_by().values("client").annotate(count=Count("pk")).order_by("-count", "client"))
    instruments: dict[str, list[dict]] = {}
    for row in due.order_by("client", "next_verification_date", "serial_number").values(
            "pk", "client", "serial_number", "instrument_model", "item__name", "next_verification_date",
            "raw_record_number"):
        instruments.setdefault(row["client"], []).append(row)
    return [ClientDue(row["client"], row["count"], instruments.get(row["client"], [])) for row in counts]
