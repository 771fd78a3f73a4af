"""The default chain, step by step (R-4.3.9.6, R-4.3.10, R-4.3.11): each transition rule on its own."""

from __future__ import annotations

import pytest

from metrology.core.errors import ApplicationError
from metrology.core.models import AuditEvent
from metrology.records.models import Record
from metrology.testing.signing import drawn_png, signed, take
from metrology.workflow.engine import available_transitions, step_taken, transition_apply
from metrology.workflow.models import Meaning, RecordStep, Signature, WorkflowTransition
from metrology.workflow.selectors import record_history
from metrology.workflow.signing import SignatureInput

pytestmark = pytest.mark.django_db


def test_a_record_goes_from_draft_through_verification_to_approval_with_three_signatures(
        complete, inspector, verifier, approver):
    record = take(inspector, complete(), "submit")
    assert record.state == "submitted" and record.raw_record_number
    record = take(verifier, record, "verify")
    assert record.state == "verified"
    record = take(approver, record, "approve")
    assert record.state == "approved"
    signatures = list(Signature.objects.filter(record=record).order_by("id"))
    assert [(s.signer, s.meaning) for s in signatures] == [
        (inspector, Meaning.INSPECTED), (verifier, Meaning.VERIFIED), (approver, Meaning.APPROVED)]
    assert all(s.methods == ["handwriting", "password"] and bytes(s.image) == drawn_png() for s in signatures)
    assert len({s.content_sha256 for s in signatures}) == 1  # taking a step does not change what was signed


def test_each_step_writes_one_audit_row_with_its_signature(submitted, inspector):
    event = AuditEvent.objects.get(action="record.step_taken", object_id=str(submitted.pk))
    signature = Signature.objects.get(record=submitted)
    assert (event.actor_id, event.before, event.after["state"], event.after["step"]) == (
        inspector.pk, {"state": "draft"}, "submitted", "submit")
    assert event.after["signature"]["content_sha256"] == signature.content_sha256


def test_a_return_needs_a_reason_and_sends_the_record_back_to_its_inspector(submitted, verifier, inspector):
    with pytest.raises(ApplicationError, match="原因"):
        take(verifier, submitted, "return", reason="  ")
    returned = take(verifier, submitted, "return", reason="示值误差复核不一致")
    assert returned.state == "returned"
    step = RecordStep.objects.get(record=returned, action="return")
    assert (step.actor, step.reason) == (verifier, "示值误差复核不一致")
    assert [t.action for t in available_transitions(inspector, returned)] == ["submit"]


def test_a_resubmission_after_a_correction_shows_what_changed_in_the_history(submitted, verifier, inspector):
    from metrology.records.services import value_change_after_submission
    from metrology.testing.fuel import request_id

    returned = take(verifier, submitted, "return", reason="h 读数有误")
    value_change_after_submission(actor=inspector, record=returned, request_id=request_id(), field="V0",
                                  value="20.000", reason="按证书更正")
    take(inspector, returned, "submit")
    history = record_history(returned)
    assert [entry.step.action for entry in history] == ["submit", "return", "submit"]
    assert history[0].changes == [] and [c[0] for c in history[2].changes] == ["V0"]
    assert history[2].changes[0][2] == "20.000"
    first, last = history[0].signature, history[2].signature
    assert (first.valid, last.valid) == (False, True)  # the first round was signed on other values


def test_withdrawing_a_submitted_record_needs_a_reason(submitted, inspector):
    with pytest.raises(ApplicationError, match="原因"):
        take(inspector, submitted, "withdraw")
    assert take(inspector, submitted, "withdraw", reason="漏填温度").state == "withdrawn"


def test_a_step_the_present_state_does_not_have_is_refused(submitted, approver):
    with pytest.raises(ApplicationError, match="当前的状态"):
        take(approver, submitted, "approve")


def test_a_signed_step_without_a_handwritten_signature_is_refused_and_changes_nothing(complete, inspector):
    record = complete()
    with pytest.raises(ApplicationError, match="手写签名"):
        take(inspector, record, "submit", signature=SignatureInput(password="x"))
    record.refresh_from_db()
    assert (record.state, record.raw_record_number) == ("draft", None)
    assert not RecordStep.objects.exists() and not AuditEvent.objects.filter(action="record.step_taken").exists()


def test_a_wrong_password_signs_nothing(complete, inspector):
    record = complete()
    with pytest.raises(ApplicationError, match="密码"):
        take(inspector, record, "submit", signature=signed(password="not-mine"))
    record.refresh_from_db()
    assert record.state == "draft" and not Signature.objects.exists()


def test_a_condition_in_the_formula_language_decides_whether_a_step_is_offered(verified, approver):
    approve = WorkflowTransition.objects.get(from_state__code="verified", action="approve")
    approve.condition = '检定结论="不合格"'
    approve.save()
    assert "approve" not in [t.action for t in available_transitions(approver, verified)]
    with pytest.raises(ApplicationError, match="条件"):
        take(approver, verified, "approve")
    approve.condition = '检定结论="合格"'
    approve.save()
    assert take(approver, verified, "approve").state == "approved"


def test_approval_announces_itself_after_the_commit_only(verified, approver, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, step, transition, **kwargs):
        heard.append((step.action, transition.effect))

    step_taken.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            transition_apply(actor=approver, record=verified, action="approve", signature=signed())
        assert heard == []
        for callback in callbacks:
            callback()
        assert heard == [("approve", "issue")]
    finally:
        step_taken.disconnect(listener)


def test_each_person_is_offered_only_their_own_steps(submitted, inspector, verifier, approver):
    assert [t.action for t in available_transitions(inspector, submitted)] == ["withdraw"]
    assert sorted(t.action for t in available_transitions(verifier, submitted)) == ["return", "verify"]
    assert available_transitions(approver, submitted) == []


def test_a_record_under_review_keeps_its_values(submitted, inspector):
    from metrology.records.services import value_change_after_submission
    from metrology.testing.fuel import request_id

    with pytest.raises(ApplicationError, match="正在审核中"):
        value_change_after_submission(actor=inspector, record=submitted, request_id=request_id(), field="V0",
                                      value="20.000", reason="改")
    assert Record.objects.get(pk=submitted.pk).inputs["V0"] != "20.000"
