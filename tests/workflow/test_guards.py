"""Each guard of the review chain on its own (R-4.3.10, R-4.3.11, R-4.1.2.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from metrology.core.errors import ApplicationError
from metrology.testing.personas import qualify
from metrology.testing.signing import take
from metrology.workflow import guards
from metrology.workflow.models import Signature, Workflow, WorkflowTransition

pytestmark = pytest.mark.django_db


def _transition(state: str, action: str) -> WorkflowTransition:
    return WorkflowTransition.objects.select_related("workflow", "from_state").get(from_state__code=state, action=action)


def _today() -> dt.date:
    return timezone.localdate()


def _also(person, *roles):
    """The person with more roles, fresh from the database (permissions are cached on the instance)."""
    person.roles.add(*roles)
    return type(person).objects.get(pk=person.pk)


def test_a_step_on_a_record_someone_already_moved_is_refused(submitted, verifier):
    take(verifier, submitted, "verify")
    assert guards.state_matches(verifier, submitted, _transition("submitted", "verify"), _today())


def test_someone_without_the_permission_cannot_verify(submitted, approver):
    message = guards.holds_permission(approver, submitted, _transition("submitted", "verify"), _today())
    assert message and "权限" in message


def test_a_disabled_role_no_longer_lets_its_holder_verify(submitted, verifier, default_roles):
    role = default_roles["verifier"]
    role.is_enabled = False
    role.save()
    with pytest.raises(ApplicationError, match="权限"):
        take(verifier, submitted, "verify")


def test_only_the_assigned_inspector_submits_a_returned_record(submitted, verifier, make_person):
    returned = take(verifier, submitted, "return", reason="复核")
    colleague = qualify(make_person("zhaoliu", "赵六", "inspector"), "JL-2024-0009")
    with pytest.raises(ApplicationError, match="只有该记录的检定员"):
        take(colleague, returned, "submit")


def test_only_the_assigned_inspector_changes_the_values_of_a_returned_record(submitted, verifier, make_person):
    from metrology.records.services import value_change_after_submission
    from metrology.testing.fuel import request_id

    returned = take(verifier, submitted, "return", reason="复核")
    colleague = qualify(make_person("zhaoliu", "赵六", "inspector"), "JL-2024-0009")
    with pytest.raises(ApplicationError):
        value_change_after_submission(actor=colleague, record=returned, request_id=request_id(), field="V0",
                                      value="20.000", reason="代为更正")
    returned.refresh_from_db()
    assert returned.inputs["V0"] != "20.000"


def test_the_inspector_cannot_verify_their_own_record(submitted, inspector, default_roles):
    inspector = _also(inspector, default_roles["verifier"])
    message = guards.verifier_is_not_the_inspector(inspector, submitted, _transition("submitted", "verify"), _today())
    assert "您是该记录的检定员" in message
    with pytest.raises(ApplicationError, match="您是该记录的检定员"):
        take(inspector, submitted, "verify")


def test_the_inspector_cannot_approve_their_own_record(verified, inspector, default_roles):
    inspector = _also(inspector, default_roles["approver"])
    with pytest.raises(ApplicationError, match="您是该记录的检定员"):
        take(inspector, verified, "approve")


def test_the_verifier_cannot_approve_what_they_verified(verified, verifier, default_roles):
    verifier = _also(verifier, default_roles["approver"])
    with pytest.raises(ApplicationError, match="已在该记录上签名"):
        take(verifier, verified, "approve")


def test_an_institute_that_allows_one_person_in_several_roles_has_it_said_on_the_signature(
        submitted, inspector, default_roles):
    Workflow.objects.update(allow_one_person_in_several_roles=True)
    inspector = _also(inspector, default_roles["verifier"], default_roles["approver"])
    take(inspector, submitted, "verify")
    take(inspector, submitted, "approve")
    signatures = Signature.objects.filter(record=submitted).order_by("id")
    assert [s.one_person_in_several_roles for s in signatures] == [False, True, True]


def test_a_verifier_whose_qualification_expired_yesterday_cannot_verify(submitted, make_person):
    yesterday = _today() - dt.timedelta(days=1)
    lapsed = qualify(make_person("qianba", "钱八", "verifier"), "JL-2020-0001", issue_date=dt.date(2020, 1, 1),
                        valid_until=yesterday)
    assert guards.qualified_for_item(lapsed, submitted, _transition("submitted", "verify"), _today())
    with pytest.raises(ApplicationError, match="资格证书"):
        take(lapsed, submitted, "verify")
    assert guards.qualified_for_item(lapsed, submitted, _transition("submitted", "verify"), yesterday) is None


def test_a_condition_that_cannot_be_worked_out_refuses_with_the_reason(verified, approver):
    approve = _transition("verified", "approve")
    approve.condition = "没有这个值>1"
    assert "无法对该记录计算" in guards.condition_holds(approver, verified, approve, _today())


def test_a_disabled_account_cannot_take_any_step(submitted, verifier):
    verifier.is_active = False
    assert guards.holds_permission(verifier, submitted, _transition("submitted", "verify"), _today())
