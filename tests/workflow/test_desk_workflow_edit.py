"""The review workflow edited in the Desk by whoever manages roles: states and transitions as inlines, a
condition checked as a formula at its field, every save audited with the chain before and after."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metrology.core.models import AuditEvent
from metrology.workflow.errors import WorkflowRefused
from metrology.workflow.models import Workflow, WorkflowTransition
from metrology.workflow.services import workflow_save

pytestmark = pytest.mark.django_db

STATE_FIELDS = ("code", "name", "position")
STATE_FLAGS = ("allows_entry", "is_final")
TRANSITION_FIELDS = ("action", "label", "permission", "actor", "meaning", "identity", "condition", "effect", "position")
TRANSITION_FLAGS = ("requires_handwriting", "requires_reason")


@pytest.fixture
def workflow(default_roles) -> Workflow:
    return Workflow.objects.get()


def _management(prefix: str, count: int) -> dict:
    return {f"{prefix}-TOTAL_FORMS": count, f"{prefix}-INITIAL_FORMS": count, f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000}


def form_data(workflow: Workflow) -> dict:
    """What the change page posts back unchanged: the workflow, every state and every transition."""
    data = {"code": workflow.code, "name": workflow.name, **({"is_active": "on"} if workflow.is_active else {})}
    states = list(workflow.states.order_by("position", "id"))
    transitions = list(workflow.transitions.order_by("position", "id"))
    data.update(_management("states", len(states)) | _management("transitions", len(transitions)))
    for n, state in enumerate(states):
        data |= {f"states-{n}-id": state.pk, f"states-{n}-workflow": workflow.pk}
        data |= {f"states-{n}-{name}": getattr(state, name) for name in STATE_FIELDS}
        data |= {f"states-{n}-{name}": "on" for name in STATE_FLAGS if getattr(state, name)}
    for n, t in enumerate(transitions):
        data |= {f"transitions-{n}-id": t.pk, f"transitions-{n}-workflow": workflow.pk,
                 f"transitions-{n}-from_state": t.from_state_id, f"transitions-{n}-to_state": t.to_state_id}
        data |= {f"transitions-{n}-{name}": getattr(t, name) for name in TRANSITION_FIELDS}
        data |= {f"transitions-{n}-{name}": "on" for name in TRANSITION_FLAGS if getattr(t, name)}
    return data


def _index(workflow: Workflow, action: str, from_state: str) -> int:
    transitions = list(workflow.transitions.order_by("position", "id").select_related("from_state"))
    return next(n for n, t in enumerate(transitions) if t.action == action and t.from_state.code == from_state)


def _change_url(workflow: Workflow) -> str:
    return reverse("desk:workflow_workflow_change", args=[workflow.pk])


def test_the_workflow_page_shows_its_states_and_transitions_to_a_role_manager(login, admin, workflow):
    page = login(admin).get(_change_url(workflow)).content.decode()
    assert 'name="states-0-code"' in page and 'name="transitions-7-condition"' in page
    assert 'name="transitions-0-requires_handwriting"' in page and 'name="transitions-0-identity"' in page


def test_people_who_do_not_manage_roles_cannot_edit_the_workflow(login, verifier, workflow):
    client = login(verifier)
    assert client.get(_change_url(workflow)).status_code == 403
    assert client.post(_change_url(workflow), form_data(workflow)).status_code == 403


def test_a_saved_change_is_audited_with_the_chain_before_and_after(login, admin, workflow):
    data = form_data(workflow)
    verify = _index(workflow, "verify", "submitted")
    data[f"transitions-{verify}-label"] = "核验签字"
    data[f"transitions-{verify}-condition"] = '检定结论="合格"'
    data["states-1-name"] = "等待核验"
    response = login(admin).post(_change_url(workflow), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    transition = WorkflowTransition.objects.get(workflow=workflow, action="verify")
    assert (transition.label, transition.condition) == ("核验签字", '检定结论="合格"')
    event = AuditEvent.objects.get(action="workflow.saved")
    assert event.actor == admin and event.object_id == str(workflow.pk)
    before = {t["action"]: t for t in event.before["transitions"] if t["from_state"] == "submitted"}
    after = {t["action"]: t for t in event.after["transitions"] if t["from_state"] == "submitted"}
    assert (before["verify"]["label"], after["verify"]["label"]) == ("核验通过", "核验签字")
    assert after["verify"]["condition"] == '检定结论="合格"'
    assert [s["name"] for s in event.after["states"]][1] == "等待核验"


def test_saving_nothing_changed_writes_no_audit_row(login, admin, workflow):
    assert login(admin).post(_change_url(workflow), form_data(workflow)).status_code == 302
    assert not AuditEvent.objects.filter(action="workflow.saved").exists()


def test_a_condition_that_is_not_a_formula_is_refused_at_its_field(login, admin, workflow):
    data = form_data(workflow)
    verify = _index(workflow, "verify", "submitted")
    data[f"transitions-{verify}-condition"] = '检定结论 = ("合格"'
    response = login(admin).post(_change_url(workflow), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][1].formset.forms[verify].errors
    assert list(errors) == ["condition"] and errors["condition"][0]
    assert WorkflowTransition.objects.get(workflow=workflow, action="verify").condition == ""
    assert not AuditEvent.objects.filter(action="workflow.saved").exists()


def test_the_service_refuses_a_condition_that_is_not_a_formula(admin, workflow):
    transition = WorkflowTransition.objects.get(workflow=workflow, action="verify")
    transition.condition = "1 +"
    with pytest.raises(WorkflowRefused) as refused:
        workflow_save(actor=admin, workflow=workflow, transitions=[transition])
    assert refused.value.field == "condition"
    assert WorkflowTransition.objects.get(pk=transition.pk).condition == ""


def test_a_state_that_records_are_in_cannot_be_removed(admin, workflow, start):
    start(serial_number="SN-IN-DRAFT")
    with pytest.raises(WorkflowRefused):
        workflow_save(actor=admin, workflow=workflow, removed_states=[workflow.states.get(code="draft")])
    assert workflow.states.filter(code="draft").exists()


def test_the_code_of_a_state_that_records_are_in_cannot_change_but_its_name_can(admin, workflow, start):
    start(serial_number="SN-IN-DRAFT")
    draft = workflow.states.get(code="draft")
    draft.code = "new_draft"
    with pytest.raises(WorkflowRefused):
        workflow_save(actor=admin, workflow=workflow, states=[draft])
    draft.code, draft.name = "draft", "起草中"
    workflow_save(actor=admin, workflow=workflow, states=[draft])
    assert workflow.states.get(code="draft").name == "起草中"


def test_turning_a_workflow_on_turns_the_others_off(admin, workflow):
    other = workflow_save(actor=admin, workflow=Workflow(code="strict", name="严格流程", is_active=True))
    workflow.refresh_from_db()
    assert other.is_active and not workflow.is_active
    event = AuditEvent.objects.get(action="workflow.saved", object_id=str(other.pk))
    assert event.before is None and event.after["turned_off"] == ["record_review"]


def test_a_new_workflow_is_added_with_its_states_and_audited(login, admin, workflow):
    data = {"code": "short", "name": "简易流程", **_management("states", 2), **_management("transitions", 0),
            "states-INITIAL_FORMS": 0, "transitions-INITIAL_FORMS": 0,
            "states-0-code": "draft", "states-0-name": "草稿", "states-0-allows_entry": "on", "states-0-position": 1,
            "states-1-code": "done", "states-1-name": "完成", "states-1-is_final": "on", "states-1-position": 2}
    response = login(admin).post(reverse("desk:workflow_workflow_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    added = Workflow.objects.get(code="short")
    assert list(added.states.values_list("code", "allows_entry", "is_final")) == [
        ("draft", True, False), ("done", False, True)]
    assert not added.is_active and Workflow.objects.get(pk=workflow.pk).is_active
    event = AuditEvent.objects.get(action="workflow.saved", object_id=str(added.pk))
    assert event.before is None and [s["code"] for s in event.after["states"]] == ["draft", "done"]


def test_a_transition_cannot_be_kept_to_a_state_being_removed(admin, workflow):
    withdrawn = workflow.states.get(code="withdrawn")
    resubmit = WorkflowTransition.objects.get(from_state=withdrawn, action="submit")
    resubmit.label = "再次提交"
    with pytest.raises(WorkflowRefused):
        workflow_save(actor=admin, workflow=workflow, transitions=[resubmit], removed_states=[withdrawn])
    assert workflow.states.filter(code="withdrawn").exists()
