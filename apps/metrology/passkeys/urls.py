"""Mounted at /api/passkeys/ (metrology/urls.py): the JSON API of the logged-in person's fingerprint
and face credentials, and their Desk page at mine/."""

from __future__ import annotations

from django.urls import path

from metrology.passkeys import api, views

app_name = "passkeys"
urlpatterns = [
    path("", api.PasskeyListView.as_view(), name="list"),
    path("registration/options/", api.RegistrationOptionsView.as_view(), name="registration-options"),
    path("registration/", api.RegistrationView.as_view(), name="registration"),
    path("assertion/options/", api.AssertionOptionsView.as_view(), name="assertion-options"),
    path("assertion/", api.AssertionView.as_view(), name="assertion"),
    path("<int:pk>/revoke/", api.RevokeView.as_view(), name="revoke"),
    path("mine/", views.my_passkeys_page, name="mine"),
]
