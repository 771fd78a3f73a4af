"""The small engine: which steps a person may take on a record, and taking one.

A step is taken atomically: the signer checked, then under the record's lock every guard asked, the
state changed, the step, its signature and its audit row written in one transaction. What follows
(issuing the certificate) runs after the commit, through the ``step_taken`` signal. Lock order: the
record's row, then (at a first submission) the numbering scheme's counter.
"""

from __future__ import annotations

import datetime as dt

import django.dispatch
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.core.audit import audit_log
from metrology.records.models import Record
from metrology.records.submission import prepare_submission
from metrology.workflow import guards
from metrology.workflow.canonical import FORMAT, content_sha256
from metrology.workflow.errors import WorkflowRefused
from metrology.workflow.models import Actor, RecordStep, Signature, Workflow, WorkflowTransition
from metrology.workflow.signing import Checked, SignatureInput, check_signature

# Sent after the commit of a step: sender=WorkflowTransition, step=RecordStep (#12 issues on "issue").
step_taken = django.dispatch.Signal()


def active_workflow() -> Workflow:
    workflow = Workflow.objects.filter(is_active=True).order_by("id").first()
    if workflow is None:
        raise WorkflowRefused(_("No review workflow is in use; please ask the administrator to turn one on."))
    return workflow


def transitions_from(record: Record, workflow: Workflow | None = None) -> list[WorkflowTransition]:
    workflow = workflow or active_workflow()
    return list(WorkflowTransition.objects.filter(workflow=workflow, from_state__code=record.state)
                .select_related("workflow", "from_state", "to_state").order_by("position", "id"))


def available_transitions(actor: Person, record: Record, today: dt.date | None = None) -> list[WorkflowTransition]:
    """The steps this person may take on the record now (each guard allows it)."""
    today = today or timezone.localdate()
    return [t for t in transitions_from(record) if not guards.refusals(actor, record, t, today)]


def _transition(record: Record, action: str) -> WorkflowTransition:
    for transition in transitions_from(record):
        if transition.action == action:
            return transition
    raise WorkflowRefused(_("This step is not possible while the record is in its present state; refresh to "
                            "see where it is now."), field="action")


def transition_apply(
    *, actor: Person, record: Record, action: str, reason: str = "", signature: SignatureInput | None = None,
    request=None, device: str = "", device_verified: bool = False, handed_over: bool = False,
) -> RecordStep:
    """Take the step ``action`` on the record as ``actor``: refused with the reason, or done with its
    signature and audit row.

    The signer is checked first, outside the transaction: a password hash or a WebAuthn check takes
    a tenth of a second or more, and on SQLite an open write transaction holds the whole database.
    Then, under the record's lock, the same step must still be the one to take and every guard is
    asked again before anything is written.
    """
    current = _loaded(record.pk)
    offered = _transition(current, action)
    _refuse_if_guarded(actor, current, offered)
    reason = (reason or "").strip()[:500]
    if offered.requires_reason and not reason:
        raise WorkflowRefused(_("Give the reason for %(step)s.") % {"step": offered.label}, field="reason")
    checked = check_signature(offered, actor, signature, request) if offered.signs else None
    return _take(actor=actor, record_pk=record.pk, offered=offered, reason=reason, checked=checked,
                 device=(device or "")[:200], device_verified=device_verified, handed_over=handed_over)


def _loaded(pk: int) -> Record:
    return Record.objects.select_related("version", "item", "sub_type__parent", "inspector").get(pk=pk)


def _refuse_if_guarded(actor: Person, record: Record, transition: WorkflowTransition) -> None:
    problems = guards.refusals(actor, record, transition, timezone.localdate())
    if problems:
        raise WorkflowRefused(problems[0], extra={"problems": problems})


@transaction.atomic
def _take(*, actor: Person, record_pk: int, offered: WorkflowTransition, reason: str, checked: Checked | None,
          device: str, device_verified: bool, handed_over: bool) -> RecordStep:
    # Lock the record's row alone: FOR UPDATE over a join would lock its item, version and inspector rows
    # too, and every approval of the same item would wait for the others.
    Record.objects.select_for_update().filter(pk=record_pk).values_list("pk", flat=True).get()
    record = _loaded(record_pk)
    transition = _transition(record, offered.action)
    if transition.pk != offered.pk:  # someone moved the record while the signer was being checked
        raise WorkflowRefused(_("This step is not possible while the record is in its present state; refresh "
                                "to see where it is now."), field="action")
    _refuse_if_guarded(actor, record, transition)
    before_state, now = record.state, timezone.now()
    leaves_entry = transition.from_state.allows_entry and not transition.to_state.allows_entry
    if leaves_entry:
        prepare_submission(record, actor, now)
    record.state, record.updated_at = transition.to_state.code, now
    record.save()
    step = RecordStep.objects.create(
        record=record, transition=transition, action=transition.action, label=transition.label,
        from_state=before_state, to_state=record.state, actor=actor, taken_at=now, reason=reason,
        device=device, inputs=record.inputs if leaves_entry else None)
    signed = _sign(record, step, transition, actor, checked, device_verified, handed_over) if checked else None
    audit_log(actor=actor, action="record.step_taken", obj=record, before={"state": before_state},
              after={"state": record.state, "step": transition.action, "raw_record_number": record.raw_record_number,
                     "检定结论": record.conclusion, "device": step.device, "handed_over": handed_over,
                     **(_signature_audit(signed) if signed else {})},
              reason=reason)
    transaction.on_commit(lambda: step_taken.send(sender=WorkflowTransition, step=step, transition=transition))
    return step


def _sign(record: Record, step: RecordStep, transition: WorkflowTransition, signer: Person, checked: Checked,
          device_verified: bool, handed_over: bool) -> Signature:
    return Signature.objects.create(
        record=record, step=step, signer=signer, meaning=transition.meaning, signed_at=step.taken_at,
        device=step.device, device_verified=device_verified, methods=checked.methods,
        image=checked.image, passkey_id=checked.passkey_id, content_sha256=content_sha256(record), content_format=FORMAT,
        one_person_in_several_roles=(transition.actor == Actor.OTHER
                                     and transition.workflow.allow_one_person_in_several_roles),
        handed_over=handed_over)


def _signature_audit(signature: Signature) -> dict:
    return {"signature": {"id": signature.pk, "meaning": signature.meaning, "methods": signature.methods,
                          "content_sha256": signature.content_sha256, "format": signature.content_format,
                          "one_person_in_several_roles": signature.one_person_in_several_roles}}
