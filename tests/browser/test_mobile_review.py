"""#11 on a 390 × 844 phone: the inspector submits a complete record through the signing sheet (an
empty pad and a wrong password are refused at the sheet, a drawn signature and the right password
sign it); then hands the phone to the verifier, who verifies with their own account, password and
signature while the phone stays logged in as the inspector."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from metrology.testing.axe import axe_violations, violations_report
from metrology.testing.fuel import fuel_example
from metrology.testing.personas import PASSWORD
from metrology.testing.phone_pages import draw_signature, enabled_phone, log_in, phone_of, saved_on_the_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

F1 = fuel_example("F1")


@pytest.fixture
def complete_record(inspector, start, enter, raw_record_scheme):
    record = start()
    enter(record, F1["inputs"])
    return record


def test_an_inspector_signs_the_submission_by_hand_with_the_password(
        new_page, inspector, device_manager, complete_record):
    from metrology.records.models import Record
    from metrology.workflow.models import Signature

    device = enabled_phone("phone-of-zhangsan", inspector, device_manager)
    page = phone_of(new_page, device)
    log_in(page, inspector)
    page.click(f'a[href="#/record/{complete_record.pk}"]')
    expect(page.locator("#verdict-value")).to_have_text("合格")

    page.click("#submit-record")
    sheet = page.locator("#signing-sheet[data-ready=true]")
    expect(sheet).to_have_attribute("data-action", "submit")
    found = axe_violations(page)
    assert not found, violations_report(found)
    page.fill("#sign-password", PASSWORD)
    page.click("#sign-submit")  # nothing drawn yet: refused at the sheet, nothing sent
    expect(page.locator("#sign-message")).not_to_be_empty()
    draw_signature(page)
    page.click("#signature-clear")
    page.click("#sign-submit")
    expect(page.locator("#sign-message")).not_to_be_empty()
    assert Record.objects.get().state == Record.State.DRAFT

    draw_signature(page)
    page.fill("#sign-password", "not-the-password")
    page.click("#sign-submit")  # the server's refusal, shown at the sheet; the sheet stays open
    expect(page.locator("#sign-message")).not_to_be_empty()
    expect(page.locator("#sign-password")).to_have_value("")
    assert Record.objects.get().state == Record.State.DRAFT

    page.fill("#sign-password", PASSWORD)
    page.click("#sign-submit")
    expect(page.locator("#signing-sheet")).to_have_count(0)
    record = Record.objects.get()
    expect(page.locator("#action-message")).to_contain_text(record.raw_record_number)
    assert record.state == Record.State.SUBMITTED
    signature = Signature.objects.get(record=record)
    assert (signature.signer, signature.meaning, signature.methods) == (inspector, "inspected",
                                                                        ["handwriting", "password"])
    assert bytes(signature.image).startswith(b"\x89PNG") and signature.device == device.identifier
    assert signature.device_verified

    # The record's review page shows the step with its signature, valid.
    page.click("#open-review")
    entry = page.locator('#history li[data-action="submit"]')
    expect(entry).to_have_attribute("data-valid", "true")
    expect(entry.locator("img.signature-image")).to_be_visible()
    found = axe_violations(page)
    assert not found, violations_report(found)


def test_the_verifier_verifies_on_the_inspectors_phone_which_stays_the_inspectors(
        new_page, inspector, verifier, device_manager, complete_record):
    from metrology.testing.signing import take
    from metrology.workflow.models import Signature

    record = take(inspector, complete_record, "submit")
    device = enabled_phone("phone-of-zhangsan", inspector, device_manager)
    page = phone_of(new_page, device)
    log_in(page, inspector)
    page.goto(f"/m/#/review/{record.pk}")
    expect(page.locator("#review-state")).to_have_attribute("data-state", "submitted")

    page.click("#handover-start")
    page.click('[data-handover="verify"]')
    expect(page.locator("#signing-sheet[data-ready=true]")).to_have_attribute("data-handover", "true")
    page.fill("#sign-username", inspector.username)  # the inspector's own account is refused
    page.fill("#sign-password", PASSWORD)
    draw_signature(page)
    page.click("#sign-submit")
    expect(page.locator("#sign-message")).not_to_be_empty()

    page.fill("#sign-username", verifier.username)
    page.fill("#sign-password", PASSWORD)
    page.click("#sign-submit")
    expect(page.locator("#signing-sheet")).to_have_count(0)
    expect(page.locator("#review-state")).to_have_attribute("data-state", "verified")
    expect(page.locator("#who-name")).to_have_text(inspector.name)  # still the inspector's session
    signature = Signature.objects.get(record=record, meaning="verified")
    assert (signature.signer, signature.handed_over, signature.device) == (verifier, True, device.identifier)
    assert signature.methods[0] == "handwriting"
    verified = page.locator('#history li[data-action="verify"]')
    expect(verified).to_have_attribute("data-valid", "true")
    expect(page.locator("#steps [data-step]")).to_have_count(0)  # nothing left for the inspector to take


def test_an_inspector_withdraws_a_submitted_record_corrects_it_with_a_reason_and_resubmits(
        new_page, inspector, device_manager, complete_record):
    from metrology.records.models import Record, RecordValue
    from metrology.testing.signing import take

    record = take(inspector, complete_record, "submit")
    device = enabled_phone("phone-of-zhangsan", inspector, device_manager)
    page = phone_of(new_page, device)
    log_in(page, inspector)
    page.goto(f"/m/#/record/{record.pk}")
    expect(page.locator("#under-review")).to_be_visible()  # under review: the values are read only
    expect(page.locator('[data-place="V0"]')).to_be_disabled()
    page.click("#open-review")

    page.click('#steps [data-step="withdraw"]')
    expect(page.locator("#signing-sheet[data-ready=true] #signature-pad")).to_have_count(0)
    page.fill("#sign-reason", "参考读数抄错")
    page.click("#sign-submit")
    expect(page.locator("#review-state")).to_have_attribute("data-state", "withdrawn")
    assert Record.objects.get().state == "withdrawn"

    page.click("#open-entry")
    value = page.locator('[data-place="h0"]')
    value.fill("100.5")
    value.press("Tab")  # no reason yet: held back, and said so at the field
    expect(page.locator('[data-error-for="h0"]')).not_to_be_empty()
    assert not RecordValue.objects.filter(record=record, field="h0", value="100.5").exists()
    page.fill("#change-reason", "参考读数抄错")
    page.locator("#change-reason").press("Tab")  # the held value goes with the reason
    expect(page.locator('[data-error-for="h0"]')).to_be_empty()  # cleared by the server's answer
    saved_on_the_server(page, RecordValue.objects.filter(record=record, field="h0", value="100.5").exists)
    expect(page.locator("#sync-state")).to_have_attribute("data-pending", "0")
    assert RecordValue.objects.get(record=record, field="h0", value="100.5").reason == "参考读数抄错"

    page.click("#submit-record")
    draw_signature(page)
    page.fill("#sign-password", PASSWORD)
    page.click("#sign-submit")
    expect(page.locator("#signing-sheet")).to_have_count(0)
    record.refresh_from_db()
    assert (record.state, record.inputs["h0"]) == ("submitted", "100.5")
    assert record.steps.filter(action="submit").count() == 2


def test_a_verifier_sorts_and_filters_what_waits_on_the_phone(
        new_page, inspector, verifier, device_manager, start, enter, raw_record_scheme):
    from metrology.testing.signing import take

    first = start(instrument_model="ZJ-200")
    second = start(instrument_model="ZJ-100")
    for record in (first, second):
        enter(record, F1["inputs"])
        take(inspector, record, "submit")
    device = enabled_phone("phone-of-lisi-test", verifier, device_manager)
    page = phone_of(new_page, device)
    log_in(page, verifier)
    expect(page.locator("#waiting-count")).to_have_attribute("data-count", "2")
    page.click("#tab-review")
    rows = page.locator("#waiting-list a[data-record]")
    expect(rows).to_have_count(2)
    found = axe_violations(page)
    assert not found, violations_report(found)
    assert rows.evaluate_all("links => links.map((a) => Number(a.dataset.record))") == [first.pk, second.pk]
    page.select_option("#review-order", "name")
    expect(rows.first).to_have_attribute("data-record", str(second.pk))
    page.select_option("#review-order", "number")
    expect(rows.first).to_have_attribute("data-record", str(first.pk))
    page.select_option("#review-item", "JJG443-FD")
    expect(rows).to_have_count(2)
    page.click(f'#waiting-list a[data-record="{second.pk}"]')
    expect(page.locator('#steps [data-step="verify"]')).to_be_visible()
    expect(page.locator("#handover")).to_have_count(0)  # not the verifier's own record
