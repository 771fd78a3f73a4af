"""Writes on numbering: schemes, starting numbers, allocation and voiding; each audited in its transaction.

Lock order (the platform's one order, see metrology.core.audit): the scheme row first, then its
period's counter. `scheme_update`, `scheme_set_next` and `number_allocate` all take them so, and
none of them locks anything of the audit log (its chain head is locked only by the sealing step
after commit), so no two of them can deadlock.
"""

from __future__ import annotations

import datetime as dt
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

SCHEME_FIELDS = ("item", "test_type", "document_kind", "prefix", "date_part", "separator", "sequence_width",
                 "suffix", "reset", "is_active")
FIXED_ONCE_USED = ("item", "test_type", "document_kind", "reset")


def scheme_snapshot(scheme: NumberingScheme) -> dict[str, Any]:
    data = {field: getattr(scheme, field) for field in SCHEME_FIELDS}
    data["item"], data["test_type"] = scheme.item_id, scheme.test_type_id
    return data


def _day(on: dt.date | None) -> dt.date:
    if on is None:
        return timezone.localdate()
    return timezone.localdate(on) if isinstance(on, dt.datetime) else on


def scheme_check(scheme: NumberingScheme) -> None:
    """Rules beyond the model's own: patterns must not collide, used schemes keep their identity."""
    clash = (NumberingScheme.objects.exclude(pk=scheme.pk)
             .filter(prefix=scheme.prefix, date_part=scheme.date_part, separator=scheme.separator,
                     sequence_width=scheme.sequence_width, suffix=scheme.suffix)
             .select_related("item", "test_type").first())
    if clash is not None:
        raise NumberingRefused(
            _("%(scheme)s already makes numbers of this pattern; change the prefix or the suffix so that "
              "numbers cannot repeat.") % {"scheme": clash}, field="prefix")
    if scheme.pk is None or not IssuedNumber.objects.filter(scheme_id=scheme.pk).exists():
        return
    stored = NumberingScheme.objects.get(pk=scheme.pk)
    for field in FIXED_ONCE_USED:
        attname = NumberingScheme._meta.get_field(field).attname
        if getattr(stored, attname) != getattr(scheme, attname):
            raise NumberingRefused(
                _("Numbers have been issued under this scheme, so its item, test type, document kind and "
                  "reset rule can no longer change."), field=field)


def _validated(scheme: NumberingScheme) -> NumberingScheme:
    try:
        scheme.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise NumberingRefused(messages[0], field=None if field == NON_FIELD_ERRORS else field) from error
    scheme_check(scheme)
    return scheme


@transaction.atomic
def scheme_create(
    *,
    actor: Person | None,
    item: Item,
    test_type: TestType,
    document_kind: str,
    prefix: str = "",
    date_part: str = DatePart.YYYY,
    separator: str = "",
    sequence_width: int = 4,
    suffix: str = "",
    reset: str = Reset.YEARLY,
    is_active: bool = True,
) -> NumberingScheme:
    scheme = NumberingScheme(item=item, test_type=test_type, document_kind=document_kind, prefix=prefix,
                             date_part=date_part, separator=separator, sequence_width=sequence_width,
                             suffix=suffix, reset=reset, is_active=is_active)
    _validated(scheme).save()
    audit_log(actor=actor, action="numbering_scheme.created", obj=scheme, after=scheme_snapshot(scheme))
    return scheme


@transaction.atomic
def scheme_update(*, actor: Person | None, scheme: NumberingScheme, **changes: Any) -> NumberingScheme:
    unknown = set(changes) - set(SCHEME_FIELDS)
    if unknown:
        raise TypeError(f"scheme_update() cannot change {sorted(unknown)}")
    before = scheme_snapshot(NumberingScheme.objects.select_for_update().get(pk=scheme.pk))
    for field, value in changes.items():
        setattr(scheme, field, value)
    _validated(scheme).save()
    old, new = changed(before, scheme_snapshot(scheme))
    if new:
        audit_log(actor=actor, action="numbering_scheme.updated", obj=scheme, before=old, after=new)
    return scheme


def number_preview(*, scheme: NumberingScheme, on: dt.date | None = None) -> str:
    """The number the next allocation would get on that day; nothing is reserved."""
    on = _day(on)
    last = (NumberCounter.objects.filter(scheme=scheme, period=scheme.period(on))
            .values_list("last_sequence", flat=True).first())
    return scheme.number_text((last or 0) + 1, on)


def _locked_scheme(scheme: NumberingScheme) -> NumberingScheme:
    # The scheme's row alone: FOR UPDATE over a join would lock its item and test type too (MariaDB).
    NumberingScheme.objects.select_for_update().filter(pk=scheme.pk).values_list("pk", flat=True).get()
    return NumberingScheme.objects.select_related("item", "test_type").get(pk=scheme.pk)


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
    on = _day(on)
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
    on = _day(on)
    if next_sequence < 1:
        raise NumberingRefused(_("The starting number must be 1 or more."), field="next_sequence")
    scheme = _locked_scheme(scheme)
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
