"""Reads of the review chain: the states, what waits for whom, a record's history with its signatures."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from metrology.accounts.models import Person
from metrology.core.permissions import codes_held, perm
from metrology.records.models import Record
from metrology.workflow.canonical import content_sha256
from metrology.workflow.models import Actor, Meaning, RecordStep, Signature, Workflow, WorkflowState, WorkflowTransition

# The orders a waiting list offers (R-4.3.11.3): by name, number, time and item.
WAITING_ORDERS = {
    "name": ("instrument_model", "serial_number", "id"),
    "number": ("raw_record_number", "id"),
    "time": ("submitted_at", "id"),
    "-time": ("-submitted_at", "-id"),
    "item": ("item__name", "submitted_at", "id"),
}


def visible_record(person: Person, pk: int) -> Record | None:
    """A record the person may see: their own, or, with the permission to query records, any in their
    jurisdiction (the whole institute when they have none)."""
    from metrology.accounts.jurisdiction import records_in_jurisdiction, regions

    records = Record.objects.select_related("item", "sub_type__parent", "inspector", "version").filter(pk=pk)
    record = records.first()
    if record is None or record.inspector_id == person.pk:
        return record
    if not person.has_perm(perm("records_query")):
        return None
    return records_in_jurisdiction(person, records).first() if regions(person) else record


def _workflow() -> Workflow | None:
    return Workflow.objects.filter(is_active=True).order_by("id").first()


def entry_state_codes() -> frozenset[str]:
    """The states in which the inspector enters and changes values."""
    workflow = _workflow()
    if workflow is None:
        return frozenset({Record.State.DRAFT})
    return frozenset(workflow.states.filter(allows_entry=True).values_list("code", flat=True))


def open_states() -> list[WorkflowState]:
    """The states of the workflow in use that are not final, in order: work not finished."""
    workflow = _workflow()
    return list(workflow.states.filter(is_final=False).order_by("position", "id")) if workflow else []


def state_names() -> dict[str, str]:
    workflow = _workflow()
    names = {state.value: str(state.label) for state in Record.State}
    if workflow is not None:
        names.update(workflow.states.values_list("code", "name"))
    return names


def _review_transitions(person: Person) -> list[WorkflowTransition]:
    """The steps of other people's records this person's permissions allow."""
    workflow = _workflow()
    if workflow is None:
        return []
    held = codes_held(person)
    return [t for t in workflow.transitions.filter(actor=Actor.OTHER).select_related("from_state", "workflow")
            if t.permission in held]


def waiting_for(person: Person, *, order: str = "time", item: str = "") -> QuerySet[Record]:
    """The records waiting for this person to act: under review in a state they may take a step from,
    for an item they are qualified for today, not their own (unless the institute allows it); and
    their own records returned to them."""
    transitions = _review_transitions(person)
    items = person.approved_items(timezone.localdate())
    review = Q(state__in={t.from_state.code for t in transitions}) & (Q(item__code__in=items) | Q(item__name__in=items))
    if transitions and not transitions[0].workflow.allow_one_person_in_several_roles:
        # not their own records, nor those they verified (a verifier's signature keeps it off their approvals)
        review &= ~Q(inspector=person) & ~Q(signatures__signer=person, signatures__meaning=Meaning.VERIFIED)
    entry = entry_state_codes()
    returned = Q(inspector=person, state__in=entry, first_submitted_at__isnull=False)
    records = Record.objects.filter(review | returned if transitions else returned)
    if item:
        records = records.filter(item__code=item)
    return (records.select_related("item", "sub_type__parent", "inspector").distinct()
            .order_by(*WAITING_ORDERS.get(order, WAITING_ORDERS["time"])))


def waiting_count(person: Person) -> int:
    return waiting_for(person).count()


@dataclass(frozen=True)
class SignatureView:
    signature: Signature
    valid: bool  # the record's content is still the one signed


def signatures_with_validity(record: Record) -> list[SignatureView]:
    current = content_sha256(record)
    return [SignatureView(s, s.content_sha256 == current)
            for s in record.signatures.select_related("signer", "step").order_by("signed_at", "id")]


def round_signatures(record: Record) -> dict[str, Signature]:
    """The signatures of the record's latest round of review, one per meaning (the latest of each):
    the ones a certificate prints."""
    from metrology.workflow.guards import signatures_of_this_round

    latest: dict[str, Signature] = {}
    for signature in signatures_of_this_round(record).select_related("signer").order_by("signed_at", "id"):
        latest[signature.meaning] = signature
    return latest


@dataclass(frozen=True)
class HistoryEntry:
    step: RecordStep
    signature: SignatureView | None
    changes: list[tuple[str, object, object]]  # (field, before, after) since the previous submission


def record_history(record: Record) -> list[HistoryEntry]:
    """Every step with its signature (valid or not now) and, for each resubmission, what changed."""
    signatures = {view.signature.step_id: view for view in signatures_with_validity(record)}
    entries, previous_inputs = [], None
    for step in record.steps.select_related("actor").order_by("taken_at", "id"):
        changes = []
        if step.inputs is not None:
            if previous_inputs is not None:
                changes = _changes(previous_inputs, step.inputs)
            previous_inputs = step.inputs
        entries.append(HistoryEntry(step, signatures.get(step.pk), changes))
    return entries


def _changes(before: dict, after: dict) -> list[tuple[str, object, object]]:
    return [(key, before.get(key), after.get(key)) for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)]


def states_of(workflow: Workflow) -> QuerySet[WorkflowState]:
    return workflow.states.order_by("position", "id")
