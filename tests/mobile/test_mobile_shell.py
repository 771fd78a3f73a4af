"""The app at /m/: an installable PWA whose shell a service worker keeps (#10 item 2)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def test_the_app_page_is_in_chinese_with_its_texts_and_no_inline_script(client):
    response = client.get("/m/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "计量检定" in page and "待同步 {n} 项" in page and "已保存" in page
    scripts = re.findall(r"<script[^>]*>", page)
    assert scripts and all(" src=" in tag or 'type="application/json"' in tag for tag in scripts)
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/m/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert (manifest["name"], manifest["lang"], manifest["display"], manifest["start_url"], manifest["scope"]) == (
        "计量检定", "zh-Hans", "standalone", "/m/", "/m/")
    assert manifest["theme_color"].startswith("#")
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_service_worker_is_served_from_the_app_and_lists_the_shell(client):
    response = client.get("/m/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    body = response.content.decode()
    assert '"/m/"' in body and "/static/mobile/app.js" in body and "/static/mobile/queue.js" in body
    assert "/api/" not in body  # values are never cached by the worker


def test_every_file_of_the_shell_exists(client):
    from metrology.mobile.views import SHELL_FILES

    for name in SHELL_FILES:
        assert client.get(f"/static/{name}").status_code == 200, name
