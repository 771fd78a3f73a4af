"""Reads on raw records."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from metrology.accounts.models import Person
from metrology.doctype.engine import ComputeResult, compute
from metrology.doctype.models import Item, TestType
from metrology.records.entry import engine_inputs, entry_plan
from metrology.records.models import Record, RecordValue, Standard


def records() -> QuerySet[Record]:
    return Record.objects.select_related("version__procedure", "item", "sub_type__parent", "inspector")


def record_get(*, pk: int) -> Record:
    return records().get(pk=pk)


def tasks_of(*, inspector: Person) -> QuerySet[Record]:
    """The inspector's records still in their hands: in an entry state of the workflow, i.e. drafts,
    returned and withdrawn ones (R-4.3.9.3)."""
    from metrology.workflow.selectors import entry_state_codes  # the workflow reads records: imported late

    return records().filter(inspector=inspector, state__in=entry_state_codes())


def record_values(*, record: Record) -> QuerySet[RecordValue]:
    """Every value as entered, oldest first (the record's history of entry)."""
    return RecordValue.objects.filter(record=record).select_related("person").order_by("id")


def last_record_of_instrument(
    *, item: Item, serial_number: str = "", instrument_model: str = "", client: str = ""
) -> Record | None:
    """The newest submitted record of the same instrument: by serial number (and model when given),
    else by model and client."""
    submitted = Record.objects.filter(item=item, first_submitted_at__isnull=False).order_by("-first_submitted_at",
                                                                                             "-id")
    if serial_number:
        found = submitted.filter(serial_number=serial_number)
        if instrument_model:
            found = found.filter(instrument_model=instrument_model)
        return found.first()
    if instrument_model and client:
        return submitted.filter(instrument_model=instrument_model, client=client).first()
    return None


def record_context(record: Record) -> dict[str, Any]:
    """What formulas read as 检测类型, 检测子类型 and 检测项目."""
    sub_type: TestType = record.sub_type
    return {"test_type": sub_type.parent.name if sub_type.parent_id else sub_type.name,
            "sub_type": sub_type.name, "item": record.item.name}


def record_recompute(*, record: Record) -> ComputeResult:
    """The record computed again with its pinned version: always what it gave when entered."""
    plan = entry_plan(record.version.definition)
    return compute(plan.compiled, engine_inputs(plan, record.inputs), context=record_context(record))


def valid_standards(*, on) -> QuerySet[Standard]:
    return Standard.objects.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on), valid_until__gte=on)


def startable_procedures(*, inspector: Person, on) -> list:
    """The procedures an inspector may start a task on: authorised items they hold a valid
    qualification for, with a published version (R-4.3.9.2)."""
    from metrology.doctype.models import Procedure

    approved = set(inspector.approved_items(on))
    procedures = (Procedure.objects.filter(item__is_authorised=True)
                  .select_related("item", "sub_type__parent").prefetch_related("versions"))
    return [p for p in procedures
            if ({p.item.name, p.item.code} & approved) and p.published_version() is not None]


def record_changes_after_submission(*, record: Record) -> QuerySet[RecordValue]:
    """The values changed once the record had been submitted: old, new, who, when and why."""
    if record.first_submitted_at is None:
        return RecordValue.objects.none()
    return record_values(record=record).filter(saved_at__gte=record.first_submitted_at).exclude(reason="")
