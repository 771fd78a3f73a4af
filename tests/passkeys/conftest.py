"""Requests carrying a session, as the WebAuthn ceremonies need, and soft authenticators."""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from metrology.testing.webauthn import SoftAuthenticator


@pytest.fixture
def ceremony():
    """A request of `person` on the Desk (or on the phone `device`), with a session of its own;
    use the same one for the options and the answer, as a browser would."""

    def make(person, *, device: str | None = None, host: str = "testserver"):
        request = RequestFactory().post("/api/passkeys/", HTTP_HOST=host,
                                        HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Chrome/130.0 Safari/537.36")
        request.session = SessionStore()
        request.user = person
        if device is not None:
            request.verified_device = device
        return request

    return make


@pytest.fixture
def authenticator():
    return SoftAuthenticator()


@pytest.fixture
def registered(ceremony):
    """Register `authenticator` for `person` through the services; returns the credential."""
    from metrology.passkeys.services import registration_finish, registration_options

    def register(person, authenticator, *, device: str | None = None, name: str = ""):
        request = ceremony(person, device=device)
        options = registration_options(person=person, request=request)
        return registration_finish(person=person, request=request, response=authenticator.register(options),
                                   name=name)

    return register
