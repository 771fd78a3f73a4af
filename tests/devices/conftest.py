"""Phones for the device tests, and the mobile login they go through."""

from __future__ import annotations

import sys
import types

import pytest
from django.urls import NoReverseMatch, include, path, reverse

from metrology.testing.personas import PASSWORD

PHONE = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
OTHER_PHONE = "f0e1d2c3-b4a5-4968-8776-655443322110"
GOOD_IMEI = "490154203237518"
BROWSER = "Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari/537.36"


@pytest.fixture(autouse=True)
def device_urls(settings):
    """Until metrology/urls.py mounts the device API, mount it beside the platform's URLs."""
    try:
        reverse("device-login")
    except NoReverseMatch:
        from metrology import urls as platform_urls

        module = types.ModuleType("devices_test_urls")
        module.urlpatterns = [path("api/devices/", include("metrology.devices.urls")),
                              *platform_urls.urlpatterns]
        sys.modules[module.__name__] = module
        settings.ROOT_URLCONF = module.__name__


@pytest.fixture
def device_manager(make_person):
    return make_person("sunqi", "孙七", "device_manager")


@pytest.fixture
def mobile_login(client):
    """POST the mobile login from `client` (a phone's browser); returns the response."""

    def post(username: str = "zhangsan", password: str = PASSWORD, identifier: str = PHONE,
             name: str = "张三的手机", imei: str = "", http_client=None):
        return (http_client or client).post(
            reverse("device-login"),
            {"username": username, "password": password, "device_identifier": identifier,
             "device_name": name, "imei": imei},
            content_type="application/json", HTTP_USER_AGENT=BROWSER,
        )

    return post
