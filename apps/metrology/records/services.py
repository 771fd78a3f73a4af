"""Writes on raw records, each in one transaction with its audit row.

Entry before the first submission is not audited value by value (every value is kept as a
RecordValue row anyway); once a record has been submitted, every change needs a reason and leaves an
audit row with the old and new value. Lock order: the record's row first, then (at submission) the
numbering scheme and its counter (metrology.numbering.services).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.core.audit import audit_log
from metrology.core.permissions import perm
from metrology.doctype.engine import COMMON_FIELD_KEYS
from metrology.doctype.models import Item, Procedure, TestType
from metrology.records.entry import (
    current_value, entry_plan, is_blank, live_results, missing_before, value_problem, with_value,
)
from metrology.records.errors import RecordRefused
from metrology.records.models import (
    COMMON_FIELD_COLUMNS, DATE_COLUMNS, Record, RecordAttachment, RecordStandard, RecordValue, Standard,
)
from metrology.records.selectors import last_record_of_instrument, record_context
from metrology.reports.projection import record_fields_refresh
from metrology.workflow.selectors import entry_state_codes

# Common fields that describe the instrument, so a re-verification starts with them (R-4.3.9.3).
INSTRUMENT_FIELDS = ("委托单位", "计量器具准确度", "计量器具型号", "制造单位名称", "产品出厂编号", "使用单位地址",
                     "出厂日期")
STANDARDS_PERMISSION = "devices_manage"  # the equipment list is the device manager's (设备管理员)


@dataclass(frozen=True)
class SaveOutcome:
    record: Record
    value: RecordValue
    live: dict[str, Any]
    repeated: bool  # the request id was seen before: nothing changed


def _require_perm(actor: Person, code: str) -> None:
    if not actor.has_perm(perm(code)):
        raise RecordRefused(_("You do not have permission to enter raw records."))


def _qualified(actor: Person, item: Item, on: dt.date) -> bool:
    return bool({item.name, item.code} & set(actor.approved_items(on)))


def _device(device: str) -> str:
    return (device or "")[:200]  # the device identifier the app sends (X-Device-Id); optional for now


# --- starting a task --------------------------------------------------------------------------------


@transaction.atomic
def record_start(
    *, actor: Person, item: Item, sub_type: TestType, serial_number: str = "", instrument_model: str = "",
    client: str = "", device: str = "",
) -> Record:
    """A new record on the published version of the item × sub-type, for a qualified inspector
    (R-4.3.9.2); an instrument seen before starts with its last record's common fields."""
    _require_perm(actor, "records_enter")
    today = timezone.localdate()
    if not item.is_authorised:
        raise RecordRefused(_("The institute is not authorised for %(item)s; no work can be done on it.")
                            % {"item": item.name}, field="item")
    if not _qualified(actor, item, today):
        raise RecordRefused(_("You hold no valid qualification for %(item)s, so you cannot start this task. "
                              "Please ask the administrator to check your qualification certificates.")
                            % {"item": item.name}, field="item")
    procedure = Procedure.objects.filter(item=item, sub_type=sub_type).prefetch_related("versions").first()
    version = procedure.published_version() if procedure else None
    if version is None:
        raise RecordRefused(_("%(item)s · %(sub_type)s has no published procedure yet.")
                            % {"item": item.name, "sub_type": sub_type}, field="sub_type")
    previous = last_record_of_instrument(item=item, serial_number=serial_number.strip(),
                                         instrument_model=instrument_model.strip(), client=client.strip())
    record = Record.objects.create(version=version, item=item, sub_type=sub_type, inspector=actor,
                                   prefilled_from=previous)
    start_values = {key: previous.inputs.get(key) for key in INSTRUMENT_FIELDS} if previous else {}
    given = {"产品出厂编号": serial_number, "计量器具型号": instrument_model, "委托单位": client}
    start_values.update({key: value.strip() for key, value in given.items() if value and value.strip()})
    now, device = timezone.now(), _device(device)
    for key, value in start_values.items():
        if is_blank(value):
            continue
        record.inputs[key] = value
        RecordValue.objects.create(record=record, field=key, value=value, captured_at=now, device=device,
                                   person=actor, request_id=f"start:{key}")
    _update_common_columns(record)
    store_results(record, live_results(entry_plan(version.definition), record.inputs, record_context(record)))
    record.save()
    audit_log(actor=actor, action="record.started", obj=record,
              after={"version": version.label, "item": item.code, "sub_type": str(sub_type),
                     "prefilled_from": previous.pk if previous else None, "device": device})
    return record


# --- entering values ---------------------------------------------------------------------------------


def _update_common_columns(record: Record) -> None:
    for key in COMMON_FIELD_KEYS:
        column, value = COMMON_FIELD_COLUMNS[key], record.inputs.get(key)
        if column in DATE_COLUMNS:
            try:
                value = dt.date.fromisoformat(value.strip()) if isinstance(value, str) and value.strip() else None
            except ValueError:
                value = None  # the live results report the field's error
        else:
            value = value.strip() if isinstance(value, str) else ""
        max_length = Record._meta.get_field(column).max_length
        setattr(record, column, value[:max_length] if isinstance(value, str) and max_length else value)


def store_results(record: Record, live: dict[str, Any]) -> None:
    record.results = {"values": live["values"], "rule_results": live["rule_results"]}
    record.conclusion = live["检定结论"] or ""
    record.failed_items = live["不合格项目"]
    record_fields_refresh(record)


def _locked_record(record: Record, actor: Person) -> Record:
    # The record's row alone: FOR UPDATE over a join would lock its item and version rows too (MariaDB).
    Record.objects.select_for_update().filter(pk=record.pk).values_list("pk", flat=True).get()
    locked = Record.objects.select_related("version", "item", "sub_type__parent").get(pk=record.pk)
    if locked.inspector_id != actor.pk:
        raise RecordRefused(_("Only the inspector of this record can enter or change its values."))
    return locked


def _repeat_of(record: Record, request_id: str, field: str, row: int | None, column: str, value: Any
               ) -> RecordValue | None:
    seen = RecordValue.objects.filter(record=record, request_id=request_id).first()
    if seen is not None and (seen.field, seen.row, seen.column, seen.value) != (field, row, column, value):
        raise RecordRefused(_("This request id was already used for another value; each value needs its own."),
                            field="request_id")
    return seen


def _apply(
    *, actor: Person, record: Record, field: str, row: int | None, column: str, value: Any, request_id: str,
    captured_at: dt.datetime | None, device: str, reason: str,
) -> SaveOutcome:
    if not request_id or len(request_id) > 100:
        raise RecordRefused(_("Each save needs a client request id (at most 100 characters)."), field="request_id")
    plan = entry_plan(record.version.definition)
    context = record_context(record)
    seen = _repeat_of(record, request_id, field, row, column, value)
    if seen is not None:
        return SaveOutcome(record, seen, live_results(plan, record.inputs, context), repeated=True)
    problem = value_problem(plan, field, row, column, value)
    if problem:
        raise RecordRefused(problem, field="field")
    entry = plan.fields[field]
    earlier = missing_before(plan, entry.step, record.inputs)
    if earlier:
        raise RecordRefused(
            _("Step %(step)d opens only when the steps before it are complete; first enter %(label)s.")
            % {"step": entry.step, "label": earlier[0].label}, field="field",
            extra={"missing": [m.to_json() for m in earlier]})
    previous = current_value(record.inputs, field, row, column)
    try:
        with transaction.atomic():
            saved = RecordValue.objects.create(
                record=record, field=field, row=row, column=column, value=value, previous=previous,
                captured_at=captured_at or timezone.now(), device=_device(device), person=actor,
                request_id=request_id, reason=reason)
    except IntegrityError:  # the same request arriving twice at once: the first one counts
        seen = _repeat_of(record, request_id, field, row, column, value)
        return SaveOutcome(record, seen, live_results(plan, record.inputs, context), repeated=True)
    record.inputs = with_value(record.inputs, field, row, column, value)
    live = live_results(plan, record.inputs, context)
    _update_common_columns(record)
    store_results(record, live)
    record.updated_at = timezone.now()
    record.save()
    if record.ever_submitted:
        place = field if row is None else f"{field}[{row}].{column}"
        audit_log(actor=actor, action="record.value_changed", obj=record, before={place: previous},
                  after={place: value, "request_id": request_id, "device": saved.device}, reason=reason)
    return SaveOutcome(record, saved, live, repeated=False)


@transaction.atomic
def value_save(
    *, actor: Person, record: Record, field: str, value: Any, request_id: str, row: int | None = None,
    column: str = "", captured_at: dt.datetime | None = None, device: str = "",
) -> SaveOutcome:
    """Keep one value typed before the record's first submission and answer with the live results.
    Idempotent: a request id seen before changes nothing and gets the current results."""
    _require_perm(actor, "records_enter")
    record = _locked_record(record, actor)
    if record.ever_submitted:
        if RecordValue.objects.filter(record=record, request_id=request_id).exists():
            return _apply(actor=actor, record=record, field=field, row=row, column=column, value=value,
                          request_id=request_id, captured_at=captured_at, device=device, reason="")
        raise RecordRefused(_("This record has been submitted; a change now needs a reason."), field="reason")
    return _apply(actor=actor, record=record, field=field, row=row, column=column, value=value,
                  request_id=request_id, captured_at=captured_at, device=device, reason="")


@transaction.atomic
def value_change_after_submission(
    *, actor: Person, record: Record, field: str, value: Any, reason: str, request_id: str, row: int | None = None,
    column: str = "", captured_at: dt.datetime | None = None, device: str = "",
) -> SaveOutcome:
    """Change a value of a record submitted before: the reason is required, and the audit row keeps the
    old value, the new one, who, when and why (a correction never erases, JJF 1069 §7.10)."""
    _require_perm(actor, "records_enter")
    record = _locked_record(record, actor)
    if not record.ever_submitted:
        raise RecordRefused(_("This record has not been submitted yet; save the value as usual."))
    if record.state not in entry_state_codes():
        raise RecordRefused(_("This record is under review and cannot be changed now; withdraw it first, or "
                              "wait until it is returned to you."))
    reason = (reason or "").strip()
    if not reason:
        raise RecordRefused(_("Give the reason for changing a submitted record."), field="reason")
    return _apply(actor=actor, record=record, field=field, row=row, column=column, value=value,
                  request_id=request_id, captured_at=captured_at, device=device, reason=reason[:500])


# --- standards and attachments -----------------------------------------------------------------------


@transaction.atomic
def standard_save(*, actor: Person | None, standard: Standard) -> Standard:
    """Add or change an entry of the equipment list of measurement standards (the device manager's,
    who keeps the institute's equipment and the validity of its certificates)."""
    if actor is not None and not actor.has_perm(perm(STANDARDS_PERMISSION)):
        raise RecordRefused(_("You do not have permission to manage the measurement standards."))
    created = standard.pk is None
    before = None if created else _standard_snapshot(Standard.objects.select_for_update().get(pk=standard.pk))
    standard.full_clean()
    standard.save()
    audit_log(actor=actor, action="standard.saved", obj=standard, before=before,
              after={**_standard_snapshot(standard), "created": created})
    return standard


def _standard_snapshot(standard: Standard) -> dict[str, Any]:
    return {"name": standard.name, "certificate_number": standard.certificate_number,
            "measuring_range": standard.measuring_range, "accuracy": standard.accuracy,
            "valid_from": standard.valid_from, "valid_until": standard.valid_until}


@transaction.atomic
def record_standard_add(*, actor: Person, record: Record, standard: Standard) -> RecordStandard:
    """Note a standard used for the record; one whose certificate has expired is refused."""
    _require_perm(actor, "records_enter")
    record = _locked_record(record, actor)
    if record.state not in entry_state_codes():
        raise RecordRefused(_("This record has been submitted; its standards can no longer change."))
    today = timezone.localdate()
    if standard.valid_until < today:
        raise RecordRefused(_("%(standard)s expired on %(date)s and cannot be used.")
                            % {"standard": standard, "date": standard.valid_until.isoformat()}, field="standard")
    if not standard.is_valid_on(today):
        raise RecordRefused(_("%(standard)s is valid only from %(date)s and cannot be used yet.")
                            % {"standard": standard, "date": standard.valid_from.isoformat()}, field="standard")
    used, created = RecordStandard.objects.get_or_create(
        record=record, standard=standard, defaults={"valid_until": standard.valid_until, "added_by": actor})
    if created:
        audit_log(actor=actor, action="record.standard_added", obj=record,
                  after={"standard": standard.pk, "certificate_number": standard.certificate_number,
                         "valid_until": standard.valid_until})
    return used


@transaction.atomic
def record_attachment_add(*, actor: Person, record: Record, file_id: str, caption: str = "") -> RecordAttachment:
    """Attach a file (a photo) already stored, by its id; like the standards, only before submission."""
    _require_perm(actor, "records_enter")
    record = _locked_record(record, actor)
    if record.state not in entry_state_codes():
        raise RecordRefused(_("This record has been submitted; no photo can be added to it any more."))
    file_id = (file_id or "").strip()
    if not file_id or len(file_id) > 200:
        raise RecordRefused(_("Give the id of the stored file (at most 200 characters)."), field="file_id")
    attachment, created = RecordAttachment.objects.get_or_create(
        record=record, file_id=file_id, defaults={"caption": caption.strip()[:200], "added_by": actor})
    if created:
        audit_log(actor=actor, action="record.attachment_added", obj=record,
                  after={"file_id": file_id, "caption": attachment.caption})
    return attachment
