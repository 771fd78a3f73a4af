"""/healthz: database, job backend and document converter; details only for those allowed (#8)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_every_part_ok_to_an_administrator(login, admin):
    response = login(admin).get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok", report
    assert set(report["checks"]) == {"database", "jobs", "converter"}
    assert all(check["ok"] for check in report["checks"].values())


def test_anonymous_caller_learns_only_up_or_down(client):
    """#8: no paths, PIDs, ports or queue sizes for whoever asks."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "up"}


def test_a_person_without_role_management_sees_no_details(login, inspector):
    assert login(inspector).get("/healthz").json() == {"status": "up"}


def test_a_monitor_with_the_sites_health_token_sees_details(client, settings):
    from dataclasses import replace

    settings.SITE = replace(settings.SITE, config={**settings.SITE.config, "health_token": "s3cret-monitor"})
    assert client.get("/healthz", HTTP_X_HEALTH_TOKEN="wrong").json() == {"status": "up"}
    detailed = client.get("/healthz", HTTP_X_HEALTH_TOKEN="s3cret-monitor").json()
    assert set(detailed["checks"]) == {"database", "jobs", "converter"}


def test_no_token_configured_means_an_empty_token_gets_no_details(client):
    assert client.get("/healthz", HTTP_X_HEALTH_TOKEN="").json() == {"status": "up"}


def test_missing_converter_degrades_but_does_not_fail(login, admin, monkeypatch):
    monkeypatch.setattr("metrology.print_formats.converter._find_soffice", lambda: None)
    response = login(admin).get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert "LibreOffice" in report["checks"]["converter"]["detail"]


def _redis_unreachable(settings):
    from dataclasses import replace

    settings.SITE = replace(settings.SITE, config={**settings.SITE.config,
                                                   "jobs": {"backend": "rq", "redis_url": "redis://127.0.0.1:1/0"}})
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}


def test_unreachable_redis_is_reported_as_down(login, admin, settings):
    _redis_unreachable(settings)
    response = login(admin).get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["jobs"]["ok"] is False


def test_anonymous_caller_sees_down_without_the_reason(client, settings):
    _redis_unreachable(settings)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "down"}
    assert b"redis" not in response.content.lower()
