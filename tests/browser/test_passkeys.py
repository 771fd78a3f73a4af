"""Fingerprint and face (WebAuthn, R-4.3.2.2) in Chromium with its virtual authenticator: registered on
the Desk page 我的指纹与面容, then an assertion made by /static/metrology/passkeys.js checked by the
server's assertion_verify, once."""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from webauthn.helpers import base64url_to_bytes

from metrology.core.models import AuditEvent
from metrology.passkeys.models import PasskeyCredential
from metrology.testing.axe import axe_violations, violations_report
from metrology.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a signing page does with the module: options from the server, the fingerprint, then the
# assertion in its own request (here the check endpoint), sent twice to see the replay refused.
ASSERT_AND_REPLAY = """async () => {
  const passkeys = await import("/static/metrology/passkeys.js");
  const urls = document.getElementById("passkeys").dataset;
  const credential = await passkeys.confirmWithPasskey({optionsUrl: urls.assertionOptionsUrl,
                                                        csrfToken: urls.csrfToken, text: {}});
  const statuses = [];
  for (const attempt of [1, 2]) {
    const answer = await fetch(urls.assertionUrl, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": urls.csrfToken},
      body: JSON.stringify({credential})});
    statuses.push(answer.status);
  }
  return {credential, statuses};
}"""


def log_in(page, username: str, base_url: str = "") -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_be_visible()


def page_text(page) -> dict[str, str]:
    return json.loads(page.locator("#passkeys-text").text_content())


def test_a_fingerprint_registered_on_the_desk_confirms_its_owner_once(new_page, inspector, virtual_authenticator):
    page = new_page()
    problems: list[str] = []  # a script blocked by the Content-Security-Policy, or one that fails
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    authenticator = virtual_authenticator(page)
    log_in(page, "zhangsan")
    page.goto(reverse("passkeys:mine"))
    expect(page.locator("#passkey-none")).to_be_visible()
    expect(page.locator("#passkeys-unsupported")).to_be_hidden()

    page.fill("#passkey-name", "检定室电脑")
    page.click("#passkey-register")
    expect(page.locator(".messagelist .success")).to_have_count(1)
    expect(page.locator("#passkey-list tbody tr")).to_have_count(1)
    expect(page.locator("#passkey-list")).to_contain_text("检定室电脑")
    credential = PasskeyCredential.objects.get(person=inspector)
    on_the_authenticator = authenticator.credentials()
    assert len(on_the_authenticator) == 1
    assert base64.b64decode(on_the_authenticator[0]["credentialId"]) == base64url_to_bytes(credential.credential_id)
    assert credential.transports == ["internal"] and credential.device_identifier == ""

    # The page's own check: the fingerprint is asked for and the server confirms it.
    page.click("#passkey-check")
    expect(page.locator("#passkey-list .last-used")).not_to_have_text("—")
    expect(page.locator(".messagelist .success")).to_have_count(1)
    credential.refresh_from_db()
    assert credential.last_used_at is not None

    result = page.evaluate(ASSERT_AND_REPLAY)
    assert result["statuses"] == [200, 400]
    assert set(result["credential"]["response"]) == {"clientDataJSON", "authenticatorData", "signature",
                                                     "userHandle"}
    assert result["credential"]["rawId"] == credential.credential_id
    assert AuditEvent.objects.filter(action="passkey.confirmed", object_id=str(credential.pk)).count() == 2
    assert [p for p in problems if not p.startswith("Failed to load resource")] == []  # (favicon, the replay)
    assert not (found := axe_violations(page)), violations_report(found)


def test_a_revoked_fingerprint_no_longer_confirms(new_page, inspector, virtual_authenticator):
    page = new_page()
    virtual_authenticator(page)
    log_in(page, "zhangsan")
    page.goto(reverse("passkeys:mine"))
    page.click("#passkey-register")
    expect(page.locator("#passkey-list tbody tr")).to_have_count(1)

    page.click("#passkey-list button[name=revoke]")
    expect(page.locator("#passkey-list button[name=revoke]")).to_have_count(0)
    expect(page.locator(".messagelist .success")).to_have_count(1)
    assert not PasskeyCredential.objects.get(person=inspector).is_enabled

    page.click("#passkey-check")
    status = page.locator("#passkey-status")
    expect(status).to_have_attribute("data-state", "refused")
    expect(status).not_to_be_empty()  # the server's own words


def test_a_fingerprint_that_does_not_match_registers_nothing(new_page, inspector, virtual_authenticator):
    page = new_page()
    authenticator = virtual_authenticator(page, user_verified=False)
    log_in(page, "zhangsan")
    page.goto(reverse("passkeys:mine"))

    page.click("#passkey-register")

    status = page.locator("#passkey-status")
    expect(status).to_have_attribute("data-state", "refused")
    expect(status).to_have_text(page_text(page)["cancelled"])
    assert not PasskeyCredential.objects.exists()
    assert authenticator.credentials() == []


def test_on_an_ip_address_the_page_says_the_browser_cannot_use_a_fingerprint_here(
        new_page, live_server, inspector, virtual_authenticator):
    """WebAuthn takes a domain name as the relying party, never an IP address: the browser refuses,
    and the page says so in the words the template gave it."""
    page = new_page()
    virtual_authenticator(page)
    by_address = live_server.url.replace("localhost", "127.0.0.1")
    log_in(page, "zhangsan", by_address)
    page.goto(f"{by_address}{reverse('passkeys:mine')}")

    page.click("#passkey-register")

    status = page.locator("#passkey-status")
    expect(status).to_have_attribute("data-state", "refused")
    expect(status).to_have_text(page_text(page)["unsupported"])
    assert not PasskeyCredential.objects.exists()
