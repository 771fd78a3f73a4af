"""The JSON API and the Desk page of one's own fingerprints and faces."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from metrology.core.models import AuditEvent
from metrology.passkeys.models import PasskeyCredential
from metrology.testing.webauthn import SoftAuthenticator

pytestmark = pytest.mark.django_db


def post(client, name: str, body: dict | None = None, **kwargs):
    return client.post(reverse(f"passkeys:{name}", kwargs=kwargs), body or {}, content_type="application/json")


def register(client, authenticator: SoftAuthenticator, name: str = ""):
    options = post(client, "registration-options").json()
    return post(client, "registration", {"credential": authenticator.register(options), "name": name})


def test_a_person_registers_checks_lists_and_revokes_a_passkey(inspector, login):
    client, authenticator = login(inspector), SoftAuthenticator()

    answer = register(client, authenticator, name="办公室电脑")
    assert answer.status_code == 201, answer.json()
    passkey = answer.json()
    assert passkey["name"] == "办公室电脑" and passkey["is_enabled"] and passkey["device_identifier"] == ""

    options = post(client, "assertion-options").json()
    assert options["userVerification"] == "required"
    checked = post(client, "assertion", {"credential": authenticator.assert_(options)})
    assert checked.status_code == 200, checked.json()
    assert checked.json()["confirmed"] is True and checked.json()["passkey"]["last_used_at"]

    listed = client.get(reverse("passkeys:list")).json()
    assert [p["id"] for p in listed] == [passkey["id"]]

    revoked = post(client, "revoke", pk=passkey["id"])
    assert revoked.status_code == 200 and revoked.json()["is_enabled"] is False
    again = post(client, "revoke", pk=passkey["id"])
    assert again.status_code == 400 and again.json()["detail"]
    assert post(client, "assertion-options").status_code == 400


def test_a_refused_check_answers_400_with_the_message(inspector, login):
    client, authenticator = login(inspector), SoftAuthenticator()
    register(client, authenticator)
    answer = authenticator.assert_(post(client, "assertion-options").json())
    assert post(client, "assertion", {"credential": answer}).status_code == 200

    replayed = post(client, "assertion", {"credential": answer})

    assert replayed.status_code == 400
    assert "detail" in replayed.json() and replayed.json()["detail"]


def test_nobody_revokes_someone_elses_passkey_through_the_api(inspector, verifier, login, client):
    register(login(inspector), SoftAuthenticator())
    theirs = PasskeyCredential.objects.get(person=inspector)
    client.logout()
    assert post(login(verifier), "revoke", pk=theirs.pk).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_enabled


def test_the_api_needs_a_logged_in_session(client):
    assert client.get(reverse("passkeys:list")).status_code in (401, 403)
    assert post(client, "registration-options").status_code in (401, 403)


def test_writes_need_the_csrf_token(inspector):
    client = Client(enforce_csrf_checks=True)
    client.force_login(inspector, backend="metrology.accounts.backends.RoleBackend")
    assert post(client, "registration-options").status_code == 403


def test_a_passkey_registered_on_a_phone_is_bound_to_it_and_named_after_it(inspector, phone):
    client, device = phone(inspector)
    authenticator = SoftAuthenticator()
    options = client.post(reverse("passkeys:registration-options"), format="json").json()
    answer = client.post(reverse("passkeys:registration"), {"credential": authenticator.register(options)},
                         format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["device_identifier"] == device.identifier
    assert answer.json()["name"] == device.name
    assert AuditEvent.objects.get(action="passkey.registered").device == device.identifier


def test_the_desk_page_lists_ones_own_passkeys_and_revokes_them(inspector, verifier, login, client):
    register(login(verifier), SoftAuthenticator(), name="李四的电脑")
    client.logout()
    desk = login(inspector)
    register(desk, SoftAuthenticator(), name="张三的电脑")
    mine = PasskeyCredential.objects.get(person=inspector)

    page = desk.get(reverse("passkeys:mine"))
    assert page.status_code == 200
    assert "张三的电脑" in page.content.decode() and "李四的电脑" not in page.content.decode()
    assert f'data-passkey-id="{mine.pk}"' in page.content.decode()

    theirs = PasskeyCredential.objects.get(person=verifier)
    assert desk.post(reverse("passkeys:mine"), {"passkey": theirs.pk}).status_code == 404
    done = desk.post(reverse("passkeys:mine"), {"passkey": mine.pk}, follow=True)
    assert done.status_code == 200 and len(list(done.context["messages"])) == 1
    mine.refresh_from_db()
    assert not mine.is_enabled


def test_the_desk_page_sends_a_visitor_to_the_login(client):
    answer = client.get(reverse("passkeys:mine"))
    assert answer.status_code == 302 and answer.url.startswith(reverse("login"))


def test_the_desk_page_shows_a_finished_step_once(inspector, login):
    answer = login(inspector).get(reverse("passkeys:mine") + "?done=registered", follow=True)
    assert answer.redirect_chain == [(reverse("passkeys:mine"), 302)]
    assert len(list(answer.context["messages"])) == 1

