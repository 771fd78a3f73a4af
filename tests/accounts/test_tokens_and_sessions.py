"""API tokens expire, can be revoked, and end with a password change or a disable, as sessions do (#8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from metrology.accounts.authentication import TOKEN_REFUSED
from metrology.accounts.models import ApiToken
from metrology.core.models import AuditEvent
from metrology.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Kexue-Jiliang-9"


def _token(username: str = "admin", password: str = PASSWORD) -> APIClient:
    response = APIClient().post("/api/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return APIClient(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")


def _works(api: APIClient) -> bool:
    return api.get("/api/people/").status_code == 200


def _refused(api: APIClient) -> bool:
    response = api.get("/api/people/")
    return response.status_code in (401, 403) and response.json()["detail"] == str(TOKEN_REFUSED)


def test_only_a_hash_of_the_token_is_stored(admin):
    response = APIClient().post("/api/token/", {"username": "admin", "password": PASSWORD}, format="json")
    key = response.json()["token"]
    stored = ApiToken.objects.get(person=admin)
    assert key not in stored.digest and len(stored.digest) == 64


def test_a_password_reset_by_an_administrator_ends_the_persons_tokens(admin, make_person):
    from metrology.accounts.services.people import person_set_password

    make_person("zhouba", "周八", "senior_manager")
    api = _token("zhouba")
    assert _works(api)
    person_set_password(actor=admin, person=api_person("zhouba"), password=NEW_PASSWORD)
    assert _refused(api)


def test_disable_then_enable_does_not_bring_a_token_back(admin, make_person):
    from metrology.accounts.services.people import person_disable, person_enable

    reader = make_person("zhouba", "周八", "senior_manager")
    api = _token("zhouba")
    person_disable(actor=admin, person=reader)
    person_enable(actor=admin, person=reader)
    assert _refused(api)
    assert _works(_token("zhouba"))


def test_disable_then_enable_does_not_bring_a_session_back(client, admin, inspector):
    from metrology.accounts.services.people import person_disable, person_enable

    client.post(reverse("login"), {"username": "zhangsan", "password": PASSWORD})
    person_disable(actor=admin, person=inspector)
    person_enable(actor=admin, person=inspector)
    assert client.get(reverse("desk:index")).status_code == 302


def test_a_token_expires_after_the_configured_hours(admin, settings):
    api = _token()
    assert settings.API_TOKEN_HOURS > 0
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert _refused(api)


def test_a_new_token_expires_when_the_site_says(admin, settings):
    settings.API_TOKEN_HOURS = 2
    _token()
    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at == dt.timedelta(hours=2)


def test_a_person_revokes_the_token_they_use(admin):
    api, other = _token(), _token()
    assert api.post("/api/token/revoke/", {}, format="json").status_code == 200
    assert _refused(api)
    assert _works(other)
    assert AuditEvent.objects.filter(action="person.token_revoked", actor=admin).exists()


def test_a_person_revokes_all_their_tokens(admin):
    api, other = _token(), _token()
    assert api.post("/api/token/revoke/", {"all": True}, format="json").json() == {"revoked": 2}
    assert _refused(other)


def test_an_administrator_logs_a_person_out_everywhere_from_the_desk(login, admin, make_person):
    reader = make_person("zhouba", "周八", "senior_manager")
    api = _token("zhouba")
    response = login(admin).post(reverse("desk:accounts_person_changelist"), {
        "action": "end_sessions_selected", "_selected_action": [reader.pk],
    })
    assert response.status_code == 302
    assert _refused(api)
    assert AuditEvent.objects.filter(action="person.sessions_ended", object_id=str(reader.pk)).exists()


def test_desk_password_change_is_audited_and_ends_other_sessions_and_tokens(client, admin):
    """#8: Django's /desk/password_change/ wrote no audit row."""
    api = _token()
    other_browser = type(client)()
    other_browser.post(reverse("login"), {"username": "admin", "password": PASSWORD})
    client.post(reverse("login"), {"username": "admin", "password": PASSWORD})
    response = client.post(reverse("desk:password_change"), {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEvent.objects.filter(action="person.password_set", actor=admin, object_id=str(admin.pk)).exists()
    assert client.get(reverse("desk:index")).status_code == 200  # the browser that changed it stays in
    assert other_browser.get(reverse("desk:index")).status_code == 302
    assert _refused(api)


def api_person(username: str):
    from metrology.accounts.models import Person

    return Person.objects.get(username=username)

