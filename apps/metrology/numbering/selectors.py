"""Reads on numbering: which scheme applies, issued numbers, and the gap report."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from metrology.doctype.models import Item, TestType
from metrology.numbering.gaps import explain, missing_ranges
from metrology.numbering.models import IssuedNumber, NumberCounter, NumberingScheme, StartAdjustment

START_ADJUSTED = "start_adjusted"
UNEXPLAINED = "unexplained"
CAUSE_LABELS: dict[str, Promise] = {
    START_ADJUSTED: _("starting number adjusted"),
    UNEXPLAINED: _("unexplained"),
}


def scheme_for(*, item: Item, test_type: TestType, document_kind: str) -> NumberingScheme | None:
    """The active scheme of a sub-type, else of its test type."""
    candidates = [test_type.pk] + ([test_type.parent_id] if test_type.parent_id else [])
    schemes = {s.test_type_id: s for s in NumberingScheme.objects.filter(
        item=item, document_kind=document_kind, is_active=True, test_type_id__in=candidates)}
    return next((schemes[pk] for pk in candidates if pk in schemes), None)


def issued_numbers(
    *, scheme: NumberingScheme | None = None, status: str | None = None
) -> QuerySet[IssuedNumber]:
    numbers = IssuedNumber.objects.select_related("scheme__item", "scheme__test_type__parent", "issued_by",
                                                  "voided_by")
    if scheme is not None:
        numbers = numbers.filter(scheme=scheme)
    if status is not None:
        numbers = numbers.filter(status=status)
    return numbers


@dataclass(frozen=True)
class Gap:
    period: str
    first: int
    last: int
    cause: str
    adjustment: StartAdjustment | None = None

    @property
    def size(self) -> int:
        return self.last - self.first + 1

    @property
    def cause_label(self) -> Promise:
        return CAUSE_LABELS[self.cause]

    @property
    def reason(self) -> str:
        return self.adjustment.reason if self.adjustment else ""


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
    skips = [(a.skipped[0], a.skipped[1], a)
             for a in StartAdjustment.objects.filter(scheme=scheme, period=period).select_related("set_by")
             if a.skipped]
    gaps = [
        Gap(period, part.first, part.last, START_ADJUSTED if part.why else UNEXPLAINED, part.why)
        for first, last in missing_ranges(sequences)
        for part in explain(first, last, skips)
    ]
    counter = NumberCounter.objects.filter(scheme=scheme, period=period)
    last = counter.values_list("last_sequence", flat=True).first()
    summary = PeriodSummary(
        period=period, issued=len(rows), voided=sum(1 for _seq, s in rows if s == IssuedNumber.Status.VOIDED),
        highest=max(sequences, default=0), next_sequence=(last or 0) + 1,
    )
    return summary, gaps


def gap_report(*, scheme: NumberingScheme, period: str | None = None) -> GapReport:
    """Every missing sequence range with its cause, and every voided number with its reason.

    A range skipped by a raised starting number is explained; any other hole is flagged unexplained.
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
