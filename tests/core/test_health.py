"""/healthz: database, job backend and document converter."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_health_reports_every_part_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "ok", report
    assert set(report["checks"]) == {"database", "jobs", "converter"}
    assert all(check["ok"] for check in report["checks"].values())


def test_missing_converter_degrades_but_does_not_fail(client, monkeypatch):
    monkeypatch.setattr("metrology.print_formats.converter._find_soffice", lambda: None)
    response = client.get("/healthz")
    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert "LibreOffice" in report["checks"]["converter"]["detail"]


def test_unreachable_redis_is_reported_as_down(client, settings, monkeypatch):
    from dataclasses import replace

    site = replace(settings.SITE, config={**settings.SITE.config,
                                          "jobs": {"backend": "rq", "redis_url": "redis://127.0.0.1:1/0"}})
    monkeypatch.setattr(settings, "SITE", site)
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/0"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["jobs"]["ok"] is False
