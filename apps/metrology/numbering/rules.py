"""The rules a numbering scheme keeps beyond its model's own: reads only, raising or returning the reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.doctype.document_kinds import DocumentKind
from metrology.doctype.models import Item, TestType
from metrology.numbering.coverage import active_coverages, coverage
from metrology.numbering.errors import NumberingRefused
from metrology.numbering.models import SHAPE_FIELDS, IssuedNumber, NumberCounter, NumberingScheme
from metrology.numbering.patterns import Reset


def pks(values: Iterable) -> list[int]:
    return sorted({getattr(value, "pk", value) for value in values})


def day(on: dt.date | None) -> dt.date:
    if on is None:
        return timezone.localdate()
    return timezone.localdate(on) if isinstance(on, dt.datetime) else on


def _coverage_clash(scheme: NumberingScheme, items: list[int], test_types: list[int]) -> None:
    mine = coverage(items=items, test_types=test_types, kinds=scheme.document_kinds)
    for other, theirs in active_coverages(exclude=scheme.pk).items():
        shared = mine.overlap(theirs)
        if shared is None:
            continue
        item_id, type_id, kind = shared
        raise NumberingRefused(
            _("The active scheme %(other)s already numbers %(kind)s of %(item)s · %(test_type)s. Two active "
              "schemes may not number the same item, test type and document kind; narrow one of them or make "
              "it inactive.")
            % {"other": other, "kind": dict(DocumentKind.choices).get(kind, kind),
               "item": Item.objects.get(pk=item_id).name if item_id else _("every item"),
               "test_type": TestType.objects.get(pk=type_id) if type_id else _("every test type")},
            field="items")


def shape_problem(scheme: NumberingScheme, *, on: dt.date | None = None) -> tuple[str, str] | None:
    """(field, why) when the scheme's parts differ from the stored ones that shaped numbers this period."""
    if scheme.pk is None:
        return None
    stored = NumberingScheme.objects.filter(pk=scheme.pk).first()
    if stored is None:
        return None
    issued = IssuedNumber.objects.filter(scheme_id=scheme.pk)
    if stored.reset != scheme.reset and issued.exists():
        return "reset", _("Numbers have been issued under this scheme, so its reset rule can no longer change.")
    changed_parts = [field for field in SHAPE_FIELDS if getattr(stored, field) != getattr(scheme, field)]
    latest = issued.filter(period=stored.period(day(on))).order_by("-sequence").first()
    if not changed_parts or latest is None:
        return None
    label = NumberingScheme._meta.get_field(changed_parts[0]).verbose_name
    if stored.reset == Reset.NEVER:
        why = _("Number %(number)s has been issued under this scheme, which never restarts, so its %(part)s can "
                "no longer change; to number differently, add a new scheme and make this one inactive.")
    else:
        why = _("Number %(number)s has been issued in this period (%(period)s), so the %(part)s cannot change "
                "until the next period; to number differently now, add a new scheme and make this one "
                "inactive.")
    return changed_parts[0], why % {"number": latest.number, "period": latest.period, "part": label}


def width_problem(scheme: NumberingScheme, *, on: dt.date | None = None) -> str | None:
    """Why the period's next sequence does not fit the scheme's width, or None."""
    if scheme.pk is None:
        return None
    last = (NumberCounter.objects.filter(scheme_id=scheme.pk, period=scheme.period(day(on)))
            .values_list("last_sequence", flat=True).first()) or 0
    if last + 1 <= scheme.highest_sequence:
        return None
    return _("The next sequence, %(next)d, does not fit in %(width)d digits.") % {
        "next": last + 1, "width": scheme.sequence_width}


def scheme_check(scheme: NumberingScheme, *, items: Iterable | None = None, test_types: Iterable | None = None,
                 on: dt.date | None = None) -> None:
    """Rules beyond the model's own: patterns must not collide, two active schemes never number the same
    item × test type × kind, and the parts that shaped this period's numbers stay as they were."""
    clash = (NumberingScheme.objects.exclude(pk=scheme.pk)
             .filter(prefix=scheme.prefix, date_part=scheme.date_part, separator=scheme.separator,
                     sequence_width=scheme.sequence_width, suffix=scheme.suffix).first())
    if clash is not None:
        raise NumberingRefused(
            _("%(scheme)s already makes numbers of this pattern; change the prefix or the suffix so that "
              "numbers cannot repeat.") % {"scheme": clash}, field="prefix")
    if scheme.is_active:
        stored_sets = scheme.pk is not None and (items is None or test_types is None)
        _coverage_clash(
            scheme,
            pks(items if items is not None else (scheme.items.all() if stored_sets else [])),
            pks(test_types if test_types is not None else (scheme.test_types.all() if stored_sets else [])))
    problem = shape_problem(scheme, on=on)
    if problem is not None:
        raise NumberingRefused(problem[1], field=problem[0])
    too_wide = width_problem(scheme, on=on)
    if too_wide is not None:
        raise NumberingRefused(too_wide, field="sequence_width")


def default_name(*, items: Iterable, test_types: Iterable, kinds: Iterable[str]) -> str:
    """'燃油加油机 · 检定 · 检定证书'; an empty set reads as every item or every test type."""
    item_names = "、".join(item.name for item in Item.objects.filter(pk__in=pks(items)).order_by("code"))
    type_names = "、".join(str(t) for t in TestType.objects.filter(pk__in=pks(test_types))
                          .select_related("parent").order_by("pk"))
    labels = dict(DocumentKind.choices)
    kind_names = "、".join(str(labels.get(kind, kind)) for kind in kinds)
    return " · ".join((item_names or str(_("every item")), type_names or str(_("every test type")),
                       kind_names))[:200]
