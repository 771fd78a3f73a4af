"""Mounted at /m/ (metrology/urls.py)."""

from __future__ import annotations

from django.urls import path

from metrology.mobile import views

app_name = "mobile"

urlpatterns = [
    path("", views.app_shell, name="app"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("handover/<int:pk>/", views.handover_steps, name="handover-steps"),
]
