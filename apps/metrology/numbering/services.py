"""Writes on numbering: schemes, starting numbers, allocation and voiding; each audited in its transaction.

Lock order (the platform's one order, see metrology.core.audit): the scheme row first, then its
period's counter. `scheme_update`, `scheme_set_next` and `number_allocate` all take them so, and
none of them locks anything of the audit log (its chain head is locked only by the sealing step
after commit), so no two of them can deadlock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.accounts.services.snapshots import changed
from metrology.core.audit import audit_log
from metrology.doctype.models import Item, TestType
from metrology.numbering.errors import NumberingRefused
from metrology.numbering.models import IssuedNumber, NumberCounter, NumberingScheme, StartAdjustment
from metrology.numbering.patterns import DatePart, Reset
from metrology.numbering.rules import day, default_name, pks, scheme_check

SCHEME_FIELDS = ("name", "items", "test_types", "document_kinds", "prefix", "date_part", "separator",
                 "sequence_width", "suffix", "reset", "is_active")
SET_FIELDS = ("items", "test_types")


def scheme_snapshot(scheme: NumberingScheme, *, items: Iterable | None = None,
                    test_types: Iterable | None = None) -> dict[str, Any]:
    data = {field: getattr(scheme, field) for field in SCHEME_FIELDS if field not in SET_FIELDS}
    data["document_kinds"] = list(scheme.document_kinds)
    data["items"] = pks(scheme.items.all() if items is None else items)
    data["test_types"] = pks(scheme.test_types.all() if test_types is None else test_types)
    return data


def _validated(scheme: NumberingScheme, *, items: Iterable | None = None, test_types: Iterable | None = None,
               on: dt.date | None = None) -> NumberingScheme:
    try:
        scheme.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise NumberingRefused(messages[0], field=None if field == NON_FIELD_ERRORS else field) from error
    scheme_check(scheme, items=items, test_types=test_types, on=on)
    return scheme


@transaction.atomic
def scheme_create(
    *,
    actor: Person | None,
    item: Item | None = None,
    test_type: TestType | None = None,
    document_kind: str | None = None,
    items: Iterable[Item] = (),
    test_types: Iterable[TestType] = (),
    document_kinds: Iterable[str] = (),
    name: str = "",
    prefix: str = "",
    date_part: str = DatePart.YYYY,
    separator: str = "",
    sequence_width: int = 4,
    suffix: str = "",
    reset: str = Reset.YEARLY,
    is_active: bool = True,
) -> NumberingScheme:
    """A scheme for the given sets (`item`, `test_type` and `document_kind` add one member each).

    No items or no test types: the scheme numbers every one of them."""
    items = [*items, *([item] if item is not None else [])]
    test_types = [*test_types, *([test_type] if test_type is not None else [])]
    kinds = list(dict.fromkeys([*document_kinds, *([document_kind] if document_kind else [])]))
    scheme = NumberingScheme(name=name.strip(), document_kinds=kinds, prefix=prefix, date_part=date_part,
                             separator=separator, sequence_width=sequence_width, suffix=suffix, reset=reset,
                             is_active=is_active)
    if not scheme.name:
        scheme.name = default_name(items=items, test_types=test_types, kinds=kinds)
    _validated(scheme, items=items, test_types=test_types).save()
    scheme.items.set(pks(items))
    scheme.test_types.set(pks(test_types))
    audit_log(actor=actor, action="numbering_scheme.created", obj=scheme,
              after=scheme_snapshot(scheme, items=items, test_types=test_types))
    return scheme


@transaction.atomic
def scheme_update(
    *, actor: Person | None, scheme: NumberingScheme, on: dt.date | None = None, **changes: Any
) -> NumberingScheme:
    """Change a scheme; `on` (today by default) is the day whose period must keep its number shape."""
    unknown = set(changes) - set(SCHEME_FIELDS)
    if unknown:
        raise TypeError(f"scheme_update() cannot change {sorted(unknown)}")
    locked = NumberingScheme.objects.select_for_update().get(pk=scheme.pk)
    before = scheme_snapshot(locked)
    items = pks(changes.pop("items", before["items"]))
    test_types = pks(changes.pop("test_types", before["test_types"]))
    if "document_kinds" in changes:
        changes["document_kinds"] = list(dict.fromkeys(changes["document_kinds"]))
    if "name" in changes:
        changes["name"] = changes["name"].strip() or default_name(
            items=items, test_types=test_types, kinds=changes.get("document_kinds", before["document_kinds"]))
    for field, value in changes.items():
        setattr(scheme, field, value)
    _validated(scheme, items=items, test_types=test_types, on=on).save()
    if items != before["items"]:
        scheme.items.set(items)
    if test_types != before["test_types"]:
        scheme.test_types.set(test_types)
    old, new = changed(before, scheme_snapshot(scheme, items=items, test_types=test_types))
    if new:
        audit_log(actor=actor, action="numbering_scheme.updated", obj=scheme, before=old, after=new)
    return scheme


def number_preview(*, scheme: NumberingScheme, on: dt.date | None = None) -> str:
    """The number the next allocation would get on that day; nothing is reserved."""
    on = day(on)
    last = (NumberCounter.objects.filter(scheme=scheme, period=scheme.period(on))
            .values_list("last_sequence", flat=True).first())
    return scheme.number_text((last or 0) + 1, on)


def _locked_scheme(scheme: NumberingScheme) -> NumberingScheme:
    # The scheme's row alone: FOR UPDATE over a join would lock its item and test type too (MariaDB).
    NumberingScheme.objects.select_for_update().filter(pk=scheme.pk).values_list("pk", flat=True).get()
    return NumberingScheme.objects.get(pk=scheme.pk)


def _locked_counter(scheme: NumberingScheme, period: str) -> NumberCounter:
    """The period's counter, locked; the caller already holds the scheme's lock."""
    counter, _created = NumberCounter.objects.select_for_update().get_or_create(scheme=scheme, period=period)
    return counter


def _highest_issued(scheme: NumberingScheme, period: str) -> int:
    found = IssuedNumber.objects.filter(scheme=scheme, period=period).aggregate(highest=Max("sequence"))
    return found["highest"] or 0


def number_allocate(
    *, scheme: NumberingScheme, actor: Person | None, on: dt.date | None = None, reference: str = ""
) -> IssuedNumber:
    """Issue the scheme's next number inside the caller's transaction (e.g. the approval's).

    A rollback of that transaction takes the number back with it, so no gap is left.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("number_allocate() must run inside the transaction of the document it numbers")
    on = day(on)
    with transaction.atomic():
        scheme = _locked_scheme(scheme)
        if not scheme.is_active:
            raise NumberingRefused(_("The numbering scheme %(scheme)s is inactive.") % {"scheme": scheme})
        period = scheme.period(on)
        counter = _locked_counter(scheme, period)
        sequence = counter.last_sequence + 1
        number = scheme.number_text(sequence, on)
        if IssuedNumber.objects.filter(number=number).exists():
            raise NumberingRefused(
                _("Number %(number)s has already been issued (by another scheme or an older pattern); change "
                  "the prefix or suffix of %(scheme)s.") % {"number": number, "scheme": scheme})
        counter.last_sequence = sequence
        counter.save(update_fields=["last_sequence"])
        issued = IssuedNumber.objects.create(scheme=scheme, period=period, sequence=sequence, number=number,
                                             issued_by=actor, reference=reference)
        audit_log(actor=actor, action="number.issued", obj=issued,
                  after={"number": number, "scheme": scheme.pk, "period": period, "sequence": sequence,
                         "reference": reference})
    return issued


@transaction.atomic
def number_void(*, issued: IssuedNumber, actor: Person | None, reason: str) -> IssuedNumber:
    """Mark a number void; it stays used and is never issued again."""
    if not reason.strip():
        raise NumberingRefused(_("Give the reason for voiding the number."), field="reason")
    issued = IssuedNumber.objects.select_for_update().get(pk=issued.pk)
    if issued.status == IssuedNumber.Status.VOIDED:
        raise NumberingRefused(_("Number %(number)s is already void.") % {"number": issued.number})
    issued.status, issued.void_reason = IssuedNumber.Status.VOIDED, reason.strip()
    issued.voided_at, issued.voided_by = timezone.now(), actor
    issued.save(update_fields=["status", "void_reason", "voided_at", "voided_by"])
    audit_log(actor=actor, action="number.voided", obj=issued, before={"status": IssuedNumber.Status.ISSUED},
              after={"status": issued.status}, reason=issued.void_reason)
    return issued


@transaction.atomic
def scheme_set_next(
    *, scheme: NumberingScheme, actor: Person | None, next_sequence: int, on: dt.date | None = None,
    reason: str = "",
) -> StartAdjustment | None:
    """Set the sequence the next number of `on`'s period gets (R-4.3.8.4).

    Refused unless it is above every sequence already issued in that period: a number once generated
    can never be set again. The sequences skipped are recorded for the gap report. None when the
    sequence already is the next one.
    """
    on = day(on)
    if next_sequence < 1:
        raise NumberingRefused(_("The starting number must be 1 or more."), field="next_sequence")
    scheme = _locked_scheme(scheme)
    if next_sequence > scheme.highest_sequence:
        raise NumberingRefused(
            _("The starting number %(next)d does not fit the %(width)d digits of the sequence; the highest it "
              "can be is %(highest)d.")
            % {"next": next_sequence, "width": scheme.sequence_width, "highest": scheme.highest_sequence},
            field="next_sequence")
    period = scheme.period(on)
    counter = _locked_counter(scheme, period)
    highest = _highest_issued(scheme, period)
    if next_sequence <= highest:
        used = IssuedNumber.objects.filter(scheme=scheme, period=period, sequence=highest).get()
        raise NumberingRefused(
            _("A number once generated can never be set again: sequence %(highest)d (%(number)s) has already "
              "been issued in this period, so the starting number must be %(minimum)d or more.")
            % {"highest": highest, "number": used.number, "minimum": highest + 1},
            field="next_sequence")
    if next_sequence == counter.last_sequence + 1:
        return None
    adjustment = StartAdjustment.objects.create(
        scheme=scheme, period=period, previous_last=max(counter.last_sequence, highest),
        next_sequence=next_sequence, reason=reason.strip(), set_by=actor,
    )
    counter.last_sequence = next_sequence - 1
    counter.save(update_fields=["last_sequence"])
    audit_log(actor=actor, action="numbering_scheme.start_set", obj=scheme, reason=adjustment.reason,
              before={"period": period, "next_sequence": adjustment.previous_last + 1},
              after={"period": period, "next_sequence": next_sequence, "skipped": adjustment.skipped})
    return adjustment
