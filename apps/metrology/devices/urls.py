"""Mounted at /api/devices/ (metrology/urls.py)."""

from __future__ import annotations

from django.urls import path

from metrology.devices.api import DeviceLoginView, DeviceLogoutView, DeviceSessionView

urlpatterns = [
    path("login/", DeviceLoginView.as_view(), name="device-login"),
    path("session/", DeviceSessionView.as_view(), name="device-session"),
    path("logout/", DeviceLogoutView.as_view(), name="device-logout"),
]
