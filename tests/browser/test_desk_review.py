"""The review page in a real browser: a verifier on the Desk draws a signature on the canvas, is refused a
wrong password next to the form, confirms with the right one and passes the record; the history then shows
the signature. axe-core finds nothing serious on 待我处理 and the review page (before and after)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from metrology.records.models import Record
from metrology.testing.axe import axe_violations, violations_report
from metrology.testing.fuel import fuel_example
from metrology.testing.personas import PASSWORD
from metrology.testing.signing import take
from metrology.workflow.models import Signature

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

F1 = fuel_example("F1")


@pytest.fixture
def submitted(start, enter, inspector, raw_record_scheme) -> Record:
    record = start(serial_number="SN-BROWSER-1", instrument_model="JQ-7")
    enter(record, F1["inputs"])
    return take(inspector, record, "submit")


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def draw(page, canvas) -> None:
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 16):
        page.mouse.move(x + step * 15, y + (12 if step % 2 else -12), steps=3)
    page.mouse.up()


def serious(page) -> list[dict]:
    page.wait_for_load_state("networkidle")
    return axe_violations(page)


def test_a_verifier_signs_on_the_canvas_and_passes_the_record(new_page, verifier, submitted):
    page = new_page()
    problems: list[str] = []  # a script blocked by the Content-Security-Policy, or one that fails
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, verifier.username)
    found = {}

    page.goto(reverse("desk:workflow_waiting"))
    found["waiting"] = serious(page)
    page.click(f'tr[data-record="{submitted.pk}"] a.waiting-review')
    expect(page.locator("#review")).to_have_attribute("data-ready", "true")
    found["review"] = serious(page)

    form = page.locator("#step-verify")
    form.locator("input[name=password]").fill("not-the-password")
    form.locator("button.step-submit").click()
    expect(form.locator('.field-error[data-field="signature"]')).not_to_be_empty()  # nothing drawn yet

    draw(page, form.locator("canvas.signature-pad"))
    form.locator("input[name=password]").fill("not-the-password")
    form.locator("button.step-submit").click()
    expect(form.locator('.field-error[data-field="password"]')).not_to_be_empty()
    assert Record.objects.get(pk=submitted.pk).state == "submitted"

    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button.step-submit").click()
    verified = page.locator('#review-history li.review-step[data-action="verify"]')
    expect(verified).to_be_visible()
    expect(page.locator("#step-verify")).to_have_count(0)

    signature = Signature.objects.get(record=submitted, signer=verifier)
    assert signature.meaning == "verified" and signature.methods == ["handwriting", "password"]
    assert bytes(signature.image).startswith(b"\x89PNG")
    shown = verified.locator(f'.review-signature[data-signature="{signature.pk}"]')
    expect(shown).to_have_attribute("data-valid", "true")
    image = shown.locator("img.signature-image")
    expect(image).to_be_visible()
    assert image.evaluate("img => img.complete && img.naturalWidth > 0")
    assert Record.objects.get(pk=submitted.pk).state == "verified"
    found["review after the step"] = serious(page)

    found = {name: violations for name, violations in found.items() if violations}
    assert not found, "\n\n".join(f"== {name} ==\n{violations_report(v)}" for name, v in found.items())
    # the refused steps answer 400, which the browser reports as a failed resource; nothing else fails
    assert [p for p in problems if not p.startswith("Failed to load resource")] == []


def test_a_preview_answer_and_a_return_without_a_reason_are_shown_next_to_their_forms(new_page, verifier, submitted):
    page = new_page()
    log_in(page, verifier.username)
    page.goto(reverse("desk:workflow_review", args=[submitted.pk]))
    expect(page.locator("#review")).to_have_attribute("data-ready", "true")
    page.click("#preview-raw")  # no layout is bound in this test: the server's refusal is shown
    page.wait_for_function("""() => {
      const said = document.getElementById("preview-box").textContent.trim();
      const text = JSON.parse(document.getElementById("review-text").textContent);
      return said && !said.startsWith(text.previewWaiting.split("{kind}")[0] || said);
    }""")
    form = page.locator("#step-return")
    form.locator("button.step-submit").click()
    expect(form.locator('.field-error[data-field="reason"]')).not_to_be_empty()
    form.locator("textarea[name=reason]").fill("第3次读数看不清")
    form.locator("button.step-submit").click()
    expect(page.locator('#review-history li.review-step[data-action="return"]')).to_contain_text("第3次读数看不清")
    assert Record.objects.get(pk=submitted.pk).state == "returned"


def test_an_approver_signs_with_a_fingerprint_instead_of_the_password(new_page, verifier, approver, submitted,
                                                                       virtual_authenticator):
    take(verifier, submitted, "verify")
    page = new_page()
    virtual_authenticator(page)
    log_in(page, approver.username)
    page.goto(reverse("passkeys:mine"))
    page.click("#passkey-register")
    expect(page.locator("#passkey-list tbody tr")).to_have_count(1)

    page.goto(reverse("desk:workflow_review", args=[submitted.pk]))
    expect(page.locator("#review")).to_have_attribute("data-ready", "true")
    form = page.locator("#step-approve")
    confirm = form.locator("button.passkey-confirm")
    expect(confirm).to_be_visible()
    draw(page, form.locator("canvas.signature-pad"))
    confirm.click()
    expect(page.locator('#review-history li.review-step[data-action="approve"]')).to_be_visible()
    signature = Signature.objects.get(record=submitted, signer=approver)
    assert signature.meaning == "approved" and signature.methods == ["handwriting", "biometric"]
    assert signature.passkey_id and Record.objects.get(pk=submitted.pk).state == "approved"


def test_the_workflow_page_has_no_serious_accessibility_violations(new_page, admin):
    from metrology.workflow.models import Workflow

    page = new_page()
    log_in(page, admin.username)
    response = page.goto(reverse("desk:workflow_workflow_change", args=[Workflow.objects.get().pk]))
    assert response.status == 200
    expect(page.locator('[name="transitions-0-condition"]')).to_be_visible()
    assert not (found := serious(page)), violations_report(found)
