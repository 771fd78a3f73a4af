"""Reads on numbering: which scheme applies, issued numbers, and the gap report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from metrology.doctype.models import Item, TestType
from metrology.numbering.coverage import active_coverages
from metrology.numbering.gaps import explain, missing_ranges
from metrology.numbering.models import IssuedNumber, NumberCounter, NumberingScheme, StartAdjustment
from metrology.numbering.patterns import Reset, period_key

START_ADJUSTED = "start_adjusted"
VOIDED = "voided"
UNEXPLAINED = "unexplained"
CAUSE_LABELS: dict[str, Promise] = {
    START_ADJUSTED: _("starting number adjusted"),
    VOIDED: _("voided"),
    UNEXPLAINED: _("unexplained"),
}


def scheme_for(*, item: Item, test_type: TestType, document_kind: str) -> NumberingScheme | None:
    """The active scheme numbering this item × test type (or sub-type) × kind: one naming the sub-type,
    else one naming its test type, else one for every test type. The overlap rule leaves at most one."""
    found = []
    for scheme, covers in active_coverages().items():
        level = covers.level(item_id=item.pk, test_type_id=test_type.pk, parent_id=test_type.parent_id,
                             kind=document_kind)
        if level is not None:
            found.append((level, scheme.pk, scheme))
    return min(found, key=lambda row: row[:2])[2] if found else None


def schemes_covering(*, item: Any, sub_type: Any, parent: Any) -> QuerySet[NumberingScheme]:
    """Active schemes numbering some kind of the item and sub-type; the arguments may be OuterRef()s, e.g.
    `Exists(schemes_covering(item=OuterRef("item"), sub_type=OuterRef("sub_type"),
    parent=OuterRef("sub_type__parent")))` over procedures."""
    return (NumberingScheme.objects.filter(is_active=True)
            .filter(Q(items=None) | Q(items=item))
            .filter(Q(test_types=None) | Q(test_types=sub_type) | Q(test_types=parent)))


def with_current_last(schemes: QuerySet[NumberingScheme], *, on: dt.date) -> QuerySet[NumberingScheme]:
    """Each scheme with `current_last`, the last sequence of its period of `on` (None: nothing yet), in the
    same query, so that a list shows every next number without a query per row."""
    period = Case(*(When(reset=reset, then=Value(period_key(reset, on))) for reset in Reset.values),
                  default=Value(""), output_field=CharField())
    last = NumberCounter.objects.filter(scheme=OuterRef("pk"), period=OuterRef("current_period"))
    return schemes.annotate(current_period=period,
                            current_last=Subquery(last.values("last_sequence")[:1]))


def issued_numbers(
    *, scheme: NumberingScheme | None = None, status: str | None = None
) -> QuerySet[IssuedNumber]:
    numbers = IssuedNumber.objects.select_related("scheme", "issued_by", "voided_by")
    if scheme is not None:
        numbers = numbers.filter(scheme=scheme)
    if status is not None:
        numbers = numbers.filter(status=status)
    return numbers


@dataclass(frozen=True)
class Gap:
    """Sequences not in use as a valid number, with the reason recorded when they were skipped: the void
    reason of a voided number, the reason of the latest starting-number change that moved past them."""

    period: str
    first: int
    last: int
    cause: str
    adjustment: StartAdjustment | None = None
    voided: IssuedNumber | None = None

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    @property
    def cause_label(self) -> Promise:
        return CAUSE_LABELS[self.cause]

    @property
    def reason(self) -> str:
        if self.voided is not None:
            return self.voided.void_reason
        return self.adjustment.reason if self.adjustment else ""

    @property
    def by(self) -> Any:
        if self.voided is not None:
            return self.voided.voided_by
        return self.adjustment.set_by if self.adjustment else None

    @property
    def at(self) -> dt.datetime | None:
        if self.voided is not None:
            return self.voided.voided_at
        return self.adjustment.set_at if self.adjustment else None


@dataclass(frozen=True)
class PeriodSummary:
    period: str
    issued: int
    voided: int
    highest: int
    next_sequence: int


@dataclass
class GapReport:
    scheme: NumberingScheme
    periods: list[PeriodSummary] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    voided: list[IssuedNumber] = field(default_factory=list)

    @property
    def unexplained(self) -> list[Gap]:
        return [gap for gap in self.gaps if gap.cause == UNEXPLAINED]


def _periods(scheme: NumberingScheme) -> list[str]:
    found = set(IssuedNumber.objects.filter(scheme=scheme).values_list("period", flat=True))
    found |= set(NumberCounter.objects.filter(scheme=scheme).values_list("period", flat=True))
    found |= set(StartAdjustment.objects.filter(scheme=scheme).values_list("period", flat=True))
    return sorted(found)


def _period_gaps(scheme: NumberingScheme, period: str) -> tuple[PeriodSummary, list[Gap]]:
    rows = list(IssuedNumber.objects.filter(scheme=scheme, period=period).values_list("sequence", "status"))
    sequences = [sequence for sequence, _status in rows]
    made = StartAdjustment.objects.filter(scheme=scheme, period=period).select_related("set_by")
    skips = [(a.skipped[0], a.skipped[1], a) for a in made.order_by("set_at", "id") if a.skipped]
    gaps = [
        Gap(period, part.first, part.last, START_ADJUSTED if part.why else UNEXPLAINED, part.why)
        for first, last in missing_ranges(sequences)
        for part in explain(first, last, skips)
    ]
    voided = issued_numbers(scheme=scheme, status=IssuedNumber.Status.VOIDED).filter(period=period)
    gaps += [Gap(period, number.sequence, number.sequence, VOIDED, voided=number) for number in voided]
    gaps.sort(key=lambda gap: gap.first)
    counter = NumberCounter.objects.filter(scheme=scheme, period=period)
    last = counter.values_list("last_sequence", flat=True).first()
    summary = PeriodSummary(
        period=period, issued=len(rows), voided=sum(1 for _seq, s in rows if s == IssuedNumber.Status.VOIDED),
        highest=max(sequences, default=0), next_sequence=(last or 0) + 1,
    )
    return summary, gaps


def gap_report(*, scheme: NumberingScheme, period: str | None = None) -> GapReport:
    """Every sequence not in use as a valid number, with the reason in force when it was skipped.

    A voided number gives its void reason; a range skipped by a starting-number change gives the reason
    of the latest change that moved past it; any other hole is flagged unexplained.
    """
    report = GapReport(scheme=scheme)
    for key in ([period] if period is not None else _periods(scheme)):
        summary, gaps = _period_gaps(scheme, key)
        report.periods.append(summary)
        report.gaps.extend(gaps)
    voided = issued_numbers(scheme=scheme, status=IssuedNumber.Status.VOIDED)
    if period is not None:
        voided = voided.filter(period=period)
    report.voided = list(voided.order_by("period", "sequence"))
    return report
