"""Writes of the review chain's definition: a workflow saved in the Desk with its states and transitions,
checked and audited ("workflow.saved", with the whole chain before and after)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.core.audit import audit_log
from metrology.doctype.formula import FormulaError, parse
from metrology.doctype.messages import problem_text
from metrology.records.models import Record
from metrology.workflow.errors import WorkflowRefused
from metrology.workflow.models import Workflow, WorkflowState, WorkflowTransition

WORKFLOW_FIELDS = ("code", "name", "is_active", "allow_one_person_in_several_roles")
STATE_FIELDS = ("code", "name", "allows_entry", "is_final", "position")
TRANSITION_FIELDS = ("action", "label", "permission", "actor", "meaning", "requires_handwriting", "identity",
                     "requires_reason", "condition", "effect", "position")


def condition_problem(condition: str) -> str | None:
    """Why a transition's condition is not a formula, in the reader's language; None when it parses."""
    if not (condition or "").strip():
        return None
    try:
        parse(condition)
    except FormulaError as error:
        return problem_text(error)
    return None


def workflow_snapshot(workflow: Workflow) -> dict[str, Any]:
    """The whole chain as stored: the workflow, its states and its transitions (states by code)."""
    return {
        **{name: getattr(workflow, name) for name in WORKFLOW_FIELDS},
        "states": [{name: getattr(state, name) for name in STATE_FIELDS}
                   for state in workflow.states.order_by("position", "id")],
        "transitions": [{"from_state": t.from_state.code, "to_state": t.to_state.code,
                         **{name: getattr(t, name) for name in TRANSITION_FIELDS}}
                        for t in workflow.transitions.select_related("from_state", "to_state")
                        .order_by("position", "id")],
    }


def _check_transition(workflow: Workflow, transition: WorkflowTransition, removed: set[int]) -> None:
    problem = condition_problem(transition.condition)
    if problem:
        raise WorkflowRefused(_("The condition of %(step)s is not a valid formula: %(problem)s")
                              % {"step": transition.label, "problem": problem}, field="condition")
    for state in (transition.from_state, transition.to_state):
        if state.workflow_id != workflow.pk or state.pk in removed:
            raise WorkflowRefused(_("%(step)s must go between states of this workflow.")
                                  % {"step": transition.label}, field="to_state")


def _check_removable(workflow: Workflow, state: WorkflowState) -> None:
    if workflow.is_active and Record.objects.filter(state=state.code).exists():
        raise WorkflowRefused(_("The state %(state)s cannot be removed: raw records are in it.")
                              % {"state": state.name}, field="states")


def _check_code_kept(workflow: Workflow, state: WorkflowState) -> None:
    """Records hold their state by code: renaming the code of a state records are in would lose them."""
    if state.pk is None:
        return
    stored = WorkflowState.objects.get(pk=state.pk).code
    if stored != state.code and workflow.is_active and Record.objects.filter(state=stored).exists():
        raise WorkflowRefused(_("The code of the state %(state)s cannot change: raw records are in it. Change "
                                "its name instead.") % {"state": state.name}, field="states")


@transaction.atomic
def workflow_save(
    *, actor: Person | None, workflow: Workflow, states: Iterable[WorkflowState] = (),
    transitions: Iterable[WorkflowTransition] = (), removed_states: Iterable[WorkflowState] = (),
    removed_transitions: Iterable[WorkflowTransition] = (),
) -> Workflow:
    """Save a workflow with its new and changed states and transitions, remove the ones given, and
    write one audit row with the chain before and after. Turning a workflow on turns the others off:
    one is in use at a time."""
    before = workflow_snapshot(Workflow.objects.get(pk=workflow.pk)) if workflow.pk else None
    workflow.full_clean()
    workflow.save()
    removed_states, transitions = list(removed_states), list(transitions)
    removed = {state.pk for state in removed_states}
    for transition in transitions:
        transition.workflow = workflow
        _check_transition(workflow, transition, removed)
    for transition in removed_transitions:
        transition.delete()
    for state in removed_states:
        _check_removable(workflow, state)
        state.delete()  # its transitions go with it
    for state in states:
        state.workflow = workflow
        _check_code_kept(workflow, state)
        state.full_clean(exclude=["workflow"])
        state.save()
    for transition in transitions:
        transition.full_clean(exclude=["workflow", "from_state", "to_state"])
        transition.save()
    turned_off = []
    if workflow.is_active:
        others = Workflow.objects.filter(is_active=True).exclude(pk=workflow.pk)
        turned_off = list(others.values_list("code", flat=True))
        others.update(is_active=False)
    after = workflow_snapshot(workflow)
    if after != before:
        audit_log(actor=actor, action="workflow.saved", obj=workflow, before=before,
                  after={**after, **({"turned_off": turned_off} if turned_off else {})})
    return workflow
