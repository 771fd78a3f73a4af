"""A session in use is extended at most once a minute, not written on every request: on a phone saving a
value a second, that write was a second database write per save (bench/entry)."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session

from metrology.core.middleware import SessionMiddleware

pytestmark = pytest.mark.django_db


def _stored(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _age_refresh(client, seconds: int) -> None:
    session = client.session
    session[SessionMiddleware.REFRESHED_KEY] = int(time.time()) - seconds
    session.save()


def test_requests_within_a_minute_leave_the_stored_session_as_it_is(login, admin):
    client = login(admin)
    client.get("/desk/")
    before = _stored(client)
    time.sleep(1.1)  # expiry dates are stored to the second: a write would move it
    client.get("/desk/")
    after = _stored(client)
    assert (after.session_data, after.expire_date) == (before.session_data, before.expire_date)


def test_a_session_in_use_is_extended_once_its_minute_has_passed(login, admin):
    client = login(admin)
    client.get("/desk/")
    _age_refresh(client, SessionMiddleware.REFRESH_SECONDS + 5)
    before = _stored(client)
    time.sleep(1.1)  # expiry dates are stored to the second
    client.get("/desk/")
    assert _stored(client).expire_date > before.expire_date


def test_an_anonymous_visit_stores_no_session(client):
    client.get("/login/")
    assert not Session.objects.exists()


def test_the_first_request_after_a_login_does_not_write_the_session_again(login, admin):
    client = login(admin)
    before = _stored(client)
    time.sleep(1.1)  # expiry dates are stored to the second
    client.get("/desk/")
    after = _stored(client)
    assert (after.session_data, after.expire_date) == (before.session_data, before.expire_date)
