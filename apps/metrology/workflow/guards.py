"""Who may take a step on a record, each rule a small function: None when it allows the step, otherwise
the message that says why not. The engine asks all of them, in this order, before anything changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.core.permissions import PERMISSIONS, perm
from metrology.doctype.formula import FormulaError, evaluate, parse
from metrology.doctype.formula.values import plain_decimal
from metrology.records.models import Record
from metrology.workflow.models import Actor, Meaning, Signature, WorkflowTransition


def state_matches(actor: Person, record: Record, transition: WorkflowTransition, today: dt.date) -> str | None:
    if record.state != transition.from_state.code:
        return _("This record is no longer %(state)s; someone has already acted on it. Refresh to see where "
                 "it is now.") % {"state": transition.from_state.name}
    return None


def holds_permission(actor: Person, record: Record, transition: WorkflowTransition, today: dt.date) -> str | None:
    """At this moment: an active account with an enabled role granting the permission."""
    if actor.is_active and actor.has_perm(perm(transition.permission)):
        return None
    return _("You do not hold an enabled role with the permission “%(permission)s”, which %(step)s needs.") % {
        "permission": PERMISSIONS[transition.permission].label, "step": transition.label}


def qualified_for_item(actor: Person, record: Record, transition: WorkflowTransition, today: dt.date
                       ) -> str | None:
    if {record.item.name, record.item.code} & set(actor.approved_items(today)):
        return None
    return _("You hold no qualification for %(item)s valid today, so you cannot %(step)s this record. Please "
             "ask the administrator to check your qualification certificates.") % {
        "item": record.item.name, "step": transition.label}


def only_the_inspector(actor: Person, record: Record, transition: WorkflowTransition, today: dt.date
                       ) -> str | None:
    """Steps of the inspector's (submit, withdraw, correct a returned record) are the assigned inspector's."""
    if transition.actor != Actor.INSPECTOR or record.inspector_id == actor.pk:
        return None
    return _("Only the record's inspector, %(inspector)s, can %(step)s it.") % {
        "inspector": record.inspector.name, "step": transition.label}


def verifier_is_not_the_inspector(actor: Person, record: Record, transition: WorkflowTransition,
                                  today: dt.date) -> str | None:
    if (transition.actor != Actor.OTHER or record.inspector_id != actor.pk
            or transition.workflow.allow_one_person_in_several_roles):
        return None
    return _("You are the inspector of this record; someone else must %(step)s it.") % {"step": transition.label}


def approver_is_not_an_earlier_signer(actor: Person, record: Record, transition: WorkflowTransition,
                                      today: dt.date) -> str | None:
    """Nobody signs twice in one round of review: the approver is not the one who verified it."""
    if transition.actor != Actor.OTHER or transition.workflow.allow_one_person_in_several_roles:
        return None
    earlier = signatures_of_this_round(record).filter(signer=actor).exclude(meaning=Meaning.INSPECTED).first()
    if earlier is None:
        return None
    return _("You have already signed this record as %(meaning)s; someone else must %(step)s it.") % {
        "meaning": earlier.get_meaning_display(), "step": transition.label}


def condition_holds(actor: Person, record: Record, transition: WorkflowTransition, today: dt.date
                    ) -> str | None:
    if not transition.condition.strip():
        return None
    try:
        value = evaluate(parse(transition.condition), condition_env(record), today=today)
    except FormulaError as error:
        return _("The condition of %(step)s cannot be worked out for this record: %(error)s") % {
            "step": transition.label, "error": error.message}
    if value is True:
        return None
    return _("%(step)s is not possible for this record: its condition %(condition)s is not met.") % {
        "step": transition.label, "condition": transition.condition}


GUARDS: tuple[Callable[..., str | None], ...] = (
    state_matches, holds_permission, only_the_inspector, verifier_is_not_the_inspector,
    approver_is_not_an_earlier_signer, qualified_for_item, condition_holds,
)


def refusals(actor: Person, record: Record, transition: WorkflowTransition, today: dt.date) -> list[str]:
    return [message for guard in GUARDS if (message := guard(actor, record, transition, today))]


def signatures_of_this_round(record: Record):
    """The signatures since the record last left an entry state (its latest submission)."""
    submitted = record.steps.filter(signature__meaning=Meaning.INSPECTED).order_by("-taken_at", "-id").first()
    signatures = Signature.objects.filter(record=record)
    return signatures.filter(step__taken_at__gte=submitted.taken_at) if submitted else signatures


def condition_env(record: Record) -> dict:
    """What a condition may read: the record's entered and computed values by name, numbers as decimals."""
    values = dict((record.results or {}).get("values") or {})
    values.update(record.inputs or {})
    values["检定结论"] = record.conclusion
    return {name: _as_value(value) for name, value in values.items()}


def _as_value(value):
    if isinstance(value, str):
        number = plain_decimal(value)
        return value if number is None else number
    if isinstance(value, list):
        return [{k: _as_value(v) for k, v in row.items()} if isinstance(row, dict) else _as_value(row)
                for row in value]
    return value
