"""Login and lockout see one account however its name is spelled (#8, R-4.3.2.1)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from metrology.testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

SPELLINGS = ("zhangsan", "ZHANGSAN", "ZhangSan", " zhangsan ", "ｚｈａｎｇｓａｎ")


def test_failures_in_different_spellings_lock_the_account_for_every_spelling(client, inspector, settings):
    """#8: with `zhangsan` locked, `ZHANGSAN` and the right password logged in."""
    assert len(SPELLINGS) >= settings.AXES_FAILURE_LIMIT
    for spelling in SPELLINGS[: settings.AXES_FAILURE_LIMIT]:
        client.post(reverse("login"), {"username": spelling, "password": "wrong-one"})
    for spelling in SPELLINGS:
        response = client.post(reverse("login"), {"username": spelling, "password": PASSWORD})
        assert response.status_code == 429, spelling
        assert "_auth_user_id" not in client.session


def test_token_endpoint_counts_every_spelling_against_one_account(inspector, settings):
    """#8: the token endpoint had the same bypass."""
    api = APIClient()
    for spelling in SPELLINGS[: settings.AXES_FAILURE_LIMIT]:
        api.post("/api/token/", {"username": spelling, "password": "wrong-one"}, format="json")
    for spelling in SPELLINGS:
        response = api.post("/api/token/", {"username": spelling, "password": PASSWORD}, format="json")
        assert response.status_code in (403, 429), spelling
        assert "token" not in response.json()


def test_a_full_width_or_upper_case_spelling_logs_into_the_same_account(client, inspector):
    response = client.post(reverse("login"), {"username": "ＺＨＡＮＧＳＡＮ", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(inspector.pk)


def test_a_new_account_differing_only_in_width_or_case_is_refused(admin):
    from django.core.exceptions import ValidationError

    from metrology.accounts.services.people import person_create

    with pytest.raises(ValidationError) as caught:
        person_create(actor=admin, username="ＡＤＭＩＮ", password="Kexue-Jiliang-9", name="冒名")
    assert "username" in caught.value.message_dict
