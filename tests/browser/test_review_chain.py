"""#11 must-show, end to end on three phones (one per person, each its own enabled device with a
fingerprint reader: Chromium's virtual authenticator). Each registers the phone's fingerprint in the
app; then the inspector submits with a drawn signature and the fingerprint → the verifier returns it
with a reason → the inspector corrects a value (with its reason) and resubmits → the verifier passes
it → the approver approves. The history shows every step with its signature, the fingerprint as the
method, the first submission's signature no longer valid (the record changed after it) and the
current round's signatures valid."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metrology.testing.fuel import fuel_example
from metrology.testing.phone_pages import draw_signature, enabled_phone, log_in, phone_of, saved_on_the_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

F1 = fuel_example("F1")
RETURN_REASON = "第 2 次测量的温度记录有误，请核对"
CHANGE_REASON = "补填委托单位"


@pytest.fixture
def complete_record(inspector, start, enter, raw_record_scheme):
    record = start()
    enter(record, F1["inputs"])
    return record


def phone_with_fingerprint(new_page, virtual_authenticator, person, device_manager):
    """The person's own phone, logged in, with this phone's fingerprint registered in the app."""
    from metrology.passkeys.models import PasskeyCredential

    device = enabled_phone(f"phone-of-the-test-{person.username}", person, device_manager)
    page = phone_of(new_page, device)
    virtual_authenticator(page)
    log_in(page, person)
    page.click("#tab-account")
    expect(page.locator("#register-passkey")).to_be_enabled()
    page.click("#register-passkey")
    expect(page.locator("#passkeys-here li")).to_have_count(1)
    credential = PasskeyCredential.objects.get(person=person)
    assert credential.device_identifier == device.identifier
    return page


def sign_with_fingerprint(page, action: str) -> None:
    sheet = page.locator("#signing-sheet[data-ready=true]")
    expect(sheet).to_have_attribute("data-action", action)
    draw_signature(page)
    page.click("#sign-passkey")
    expect(page.locator("#signing-sheet")).to_have_count(0)


def open_waiting(page, record) -> None:
    """From the tab bar, whose count shows what waits, to the record in the list."""
    page.click("#tab-review")
    page.click(f'#waiting-list a[data-record="{record.pk}"]')
    expect(page.locator("#review-verdict")).to_be_visible()


def waiting_count(page, count: int) -> None:
    expect(page.locator("#waiting-count")).to_have_attribute("data-count", str(count))


def test_a_record_goes_through_the_chain_signed_by_hand_and_fingerprint_on_three_phones(
        new_page, virtual_authenticator, inspector, verifier, approver, device_manager, complete_record):
    from metrology.records.models import Record, RecordValue

    record = complete_record
    inspecting = phone_with_fingerprint(new_page, virtual_authenticator, inspector, device_manager)
    verifying = phone_with_fingerprint(new_page, virtual_authenticator, verifier, device_manager)
    approving = phone_with_fingerprint(new_page, virtual_authenticator, approver, device_manager)

    # The inspector submits: a drawn signature, then the fingerprint instead of the password.
    inspecting.click("#tab-tasks")
    inspecting.click(f'a[href="#/record/{record.pk}"]')
    inspecting.click("#submit-record")
    sign_with_fingerprint(inspecting, "submit")
    record.refresh_from_db()
    assert record.state == "submitted"
    expect(inspecting.locator("#action-message")).to_contain_text(record.raw_record_number)

    # The verifier sees it waiting (the count, after the app comes back to the foreground) and returns it.
    verifying.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    waiting_count(verifying, 1)
    open_waiting(verifying, record)
    expect(verifying.locator('#review-values [data-value-of="V0"]')).to_contain_text("20")
    expect(verifying.locator('#steps [data-step]')).to_have_count(2)  # 核验通过 and 退回计量员
    verifying.click('[data-step="return"]')
    sheet = verifying.locator("#signing-sheet[data-ready=true]")
    expect(sheet.locator("#signature-pad")).to_have_count(0)  # a return is not signed
    verifying.click("#sign-submit")  # the reason is required
    expect(verifying.locator("#sign-message")).not_to_be_empty()
    verifying.fill("#sign-reason", RETURN_REASON)
    verifying.click("#sign-submit")
    expect(verifying.locator("#review-state")).to_have_attribute("data-state", "returned")
    waiting_count(verifying, 0)

    # The inspector finds it returned among what waits, corrects a value with its reason, resubmits.
    inspecting.click("#tab-tasks")
    waiting_count(inspecting, 1)
    open_waiting(inspecting, record)
    expect(inspecting.locator('#history li[data-action="return"]')).to_contain_text(RETURN_REASON)
    inspecting.click("#open-entry")
    inspecting.fill("#change-reason", CHANGE_REASON)
    inspecting.click("details.common > summary")
    client = inspecting.locator('[data-place="委托单位"]')
    client.fill("示范加油站")
    client.press("Tab")
    saved_on_the_server(inspecting, RecordValue.objects.filter(record=record, field="委托单位").exists)
    expect(inspecting.locator("#sync-state")).to_have_attribute("data-pending", "0")
    changed = RecordValue.objects.get(record=record, field="委托单位")
    assert (changed.value, changed.reason) == ("示范加油站", CHANGE_REASON)
    inspecting.click("#submit-record")
    sign_with_fingerprint(inspecting, "submit")
    assert Record.objects.get(pk=record.pk).state == "submitted"

    # The verifier passes it, the approver approves it; nothing waits any more.
    open_waiting(verifying, record)
    verifying.click('[data-step="verify"]')
    sign_with_fingerprint(verifying, "verify")
    expect(verifying.locator("#review-state")).to_have_attribute("data-state", "verified")
    approving.reload()
    waiting_count(approving, 1)
    open_waiting(approving, record)
    approving.click('[data-step="approve"]')
    sign_with_fingerprint(approving, "approve")
    expect(approving.locator("#review-state")).to_have_attribute("data-state", "approved")
    waiting_count(approving, 0)

    # The history, as the API gives it: every step, each signature by hand and fingerprint, the
    # first submission's signature invalid since the correction, this round's valid.
    history = approving.request.get(f"/api/workflow/records/{record.pk}/").json()["history"]
    assert [(h["action"], h["actor"]) for h in history] == [
        ("submit", "张三"), ("return", "李四"), ("submit", "张三"), ("verify", "李四"), ("approve", "王五")]
    assert history[1]["reason"] == RETURN_REASON and history[1]["signature"] is None
    signed = [h for h in history if h["signature"]]
    assert all(h["signature"]["methods"] == ["handwriting", "biometric"] for h in signed)
    assert all(h["signature"]["has_image"] for h in signed)
    assert [h["signature"]["valid"] for h in signed] == [False, True, True, True]
    assert {c["field"] for c in history[2]["changes"]} == {"委托单位"}

    # The same on the approver's phone: one line per step, signatures marked valid or not.
    steps = approving.locator("#history > li")
    expect(steps).to_have_count(5)
    expect(approving.locator('#history > li[data-valid="true"]')).to_have_count(3)
    expect(approving.locator('#history > li[data-valid="false"]')).to_have_count(1)
    expect(approving.locator('#history [data-methods="handwriting biometric"]')).to_have_count(4)
    image = approving.locator("#history img.signature-image").first
    assert approving.request.get(image.get_attribute("src")).headers["content-type"] == "image/png"
