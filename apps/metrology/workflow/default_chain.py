"""The review chain that ships (R-4.3.9.6, R-4.3.10, R-4.3.11): 草稿 → 待核验 → 待审批 → 已批准, returns
with a reason. Created with the site; the institute edits it in the Desk afterwards."""

from __future__ import annotations

CODE = "record_review"
NAME = "原始记录核验审批"

# code, name, the inspector enters values, final
STATES = [
    ("draft", "草稿", True, False),
    ("submitted", "待核验", False, False),
    ("verified", "待审批", False, False),
    ("approved", "已批准", False, True),
    ("returned", "已退回", True, False),
    ("withdrawn", "已撤回修改", True, False),
]

SIGNED = {"requires_handwriting": True, "identity": "biometric_or_password"}
# from, action, to, label, permission, who, meaning, reason required, effect
TRANSITIONS = [
    ("draft", "submit", "submitted", "提交核验", "records_enter", "inspector", "inspected", False, ""),
    ("returned", "submit", "submitted", "重新提交核验", "records_enter", "inspector", "inspected", False, ""),
    ("withdrawn", "submit", "submitted", "重新提交核验", "records_enter", "inspector", "inspected", False, ""),
    ("submitted", "withdraw", "withdrawn", "撤回修改", "records_enter", "inspector", "", True, ""),
    ("submitted", "verify", "verified", "核验通过", "records_verify", "other", "verified", False, ""),
    ("submitted", "return", "returned", "退回检定员", "records_verify", "other", "", True, ""),
    ("verified", "approve", "approved", "批准", "certificates_approve", "other", "approved", False, "issue"),
    ("verified", "return", "returned", "退回检定员", "certificates_approve", "other", "", True, ""),
]


def ensure_default_workflow(workflow_model, state_model, transition_model) -> None:
    """Create the default chain when the site has no workflow at all; never touch an edited one."""
    if workflow_model.objects.exists():
        return
    workflow = workflow_model.objects.create(code=CODE, name=NAME, is_active=True)
    states = {code: state_model.objects.create(workflow=workflow, code=code, name=name, allows_entry=entry,
                                               is_final=final, position=n)
              for n, (code, name, entry, final) in enumerate(STATES, start=1)}
    for n, (source, action, target, label, permission, who, meaning, reason, effect) in enumerate(TRANSITIONS, 1):
        transition_model.objects.create(
            workflow=workflow, from_state=states[source], to_state=states[target], action=action, label=label,
            permission=permission, actor=who, meaning=meaning, requires_reason=reason, effect=effect, position=n,
            **(SIGNED if meaning else {}))
