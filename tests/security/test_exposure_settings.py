"""#8 exposure and settings: yes/no settings read strictly, HTTPS hardening, bounded sessions, a
Content-Security-Policy on every answer, and the API's schema and docs behind a login."""

from __future__ import annotations

import importlib.util
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from metrology.core.sites import SiteError, site_create
from metrology.testing.personas import PASSWORD

SETTINGS_FILE = importlib.util.find_spec("metrology.settings").origin


@pytest.fixture
def site_settings(tmp_path, monkeypatch):
    """The settings module as a site with the given config would load it (not the running one)."""
    monkeypatch.setenv("METROLOGY_SITES_DIR", str(tmp_path))
    monkeypatch.setenv("METROLOGY_SITE", "probe")
    monkeypatch.delenv("METROLOGY_DATABASE_URL", raising=False)

    def load(**config):
        site_create(name="probe", make_current=False, extra=config)
        spec = importlib.util.spec_from_file_location("probe_settings", SETTINGS_FILE)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


@pytest.mark.parametrize("text", ["false", "False", "0", "no", "off", False, 0])
def test_false_written_as_text_is_false(site_settings, text):
    """#8: bool("false") was True, so a site saying "debug": "false" ran with DEBUG on."""
    settings = site_settings(debug=text, https=text)
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE is False


@pytest.mark.parametrize("text", ["true", "TRUE", "1", "yes", True, 1])
def test_true_written_as_text_is_true(site_settings, text):
    assert site_settings(debug=text).DEBUG is True


@pytest.mark.parametrize("key", ["debug", "https", "behind_proxy"])
def test_an_unclear_yes_no_setting_stops_the_site_naming_the_key(site_settings, key):
    with pytest.raises(ImproperlyConfigured, match=f"'{key}' must be true or false, not 'ture'"):
        site_settings(**{key: "ture"})


def test_the_site_reader_refuses_a_number_that_is_not_0_or_1(tmp_path, monkeypatch):
    monkeypatch.setenv("METROLOGY_SITES_DIR", str(tmp_path))
    site = site_create(name="probe", make_current=False, extra={"demo": 2})
    with pytest.raises(SiteError, match="'demo' must be true or false"):
        site.flag("demo", False)


def test_https_makes_cookies_secure_and_turns_on_hsts_and_redirects(site_settings):
    settings = site_settings(https="true")
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SECURE_HSTS_SECONDS == 365 * 24 * 3600
    assert settings.SECURE_HSTS_INCLUDE_SUBDOMAINS is True
    assert settings.SECURE_SSL_REDIRECT is True
    assert not hasattr(settings, "SECURE_PROXY_SSL_HEADER"), "a client could claim HTTPS with the header"


def test_without_https_nothing_claims_it(site_settings):
    settings = site_settings()
    assert not settings.SESSION_COOKIE_SECURE and not settings.CSRF_COOKIE_SECURE
    assert not getattr(settings, "SECURE_SSL_REDIRECT", False)
    assert not getattr(settings, "SECURE_HSTS_SECONDS", 0)


def test_the_proxy_header_is_trusted_only_behind_a_proxy(site_settings):
    settings = site_settings(https=True, behind_proxy="yes")
    assert settings.SECURE_PROXY_SSL_HEADER == ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.parametrize(("minutes", "seconds"), [(None, 8 * 3600), (60, 3600), (100_000, 12 * 3600), (0, 60)])
def test_sessions_last_at_most_twelve_hours_whatever_the_site_says(site_settings, minutes, seconds):
    settings = site_settings(**({} if minutes is None else {"session_minutes": minutes}))
    assert settings.SESSION_COOKIE_AGE == seconds


@pytest.mark.django_db
def test_an_https_site_sends_hsts_and_secure_cookies(client, admin):
    with override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
                           SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True, SECURE_SSL_REDIRECT=True):
        plain = client.get("/login/")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")
        response = client.post("/login/", {"username": "admin", "password": PASSWORD}, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response.cookies["sessionid"]["secure"] is True


# -- Content-Security-Policy ---------------------------------------------------------------------

def _policy(response) -> dict[str, str]:
    return {part.split()[0]: part.strip() for part in response["Content-Security-Policy"].split(";")}


def _assert_strict_policy(response):
    policy = _policy(response)
    assert policy["script-src"] == "script-src 'self'"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["base-uri"] == "base-uri 'self'"
    assert policy["default-src"] == "default-src 'self'"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/login/", "/desk/", "/api/people/", "/healthz", "/no-such-page/"])
def test_every_answer_carries_the_content_security_policy(client, path):
    response = client.get(path)
    _assert_strict_policy(response)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_a_refused_body_carries_the_policy_too(client):
    response = client.post("/api/token/", data=b"{}", content_type="application/json", CONTENT_LENGTH=str(10**9))
    assert response.status_code == 413
    _assert_strict_policy(response)


@pytest.mark.django_db
def test_the_desk_pages_hold_no_inline_script(login, admin):
    """An inline <script> would be blocked by script-src 'self'; data blocks are not scripts."""
    client = login(admin)
    for path in ("/desk/", "/desk/accounts/person/", "/desk/accounts/person/add/", "/desk/password_change/"):
        page = client.get(path).content.decode()
        for attributes in re.findall(r"<script([^>]*)>", page):
            assert "src=" in attributes or 'type="application/json"' in attributes, (path, attributes)
        assert not re.search(r"\son[a-z]+=", page), path


# -- API schema and docs -------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_api_schema_needs_a_login(client, login, inspector):
    """#8: the schema listed every endpoint and field to anyone."""
    assert client.get("/api/schema/").status_code in (401, 403)
    response = login(inspector).get("/api/schema/")
    assert response.status_code == 200 and b"/api/people/" in response.content


@pytest.mark.django_db
def test_the_api_docs_need_a_login_and_run_without_inline_script(client, login, inspector):
    anonymous = client.get("/api/docs/")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")
    client = login(inspector)
    page = client.get("/api/docs/").content.decode()
    for attributes in re.findall(r"<script([^>]*)>", page):
        assert "src=" in attributes, attributes
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
