"""A session opened on a mobile device remembers which device, so disabling the device ends it."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest
from rest_framework.permissions import BasePermission

from metrology.accounts.models import Person
from metrology.devices.models import Device
from metrology.devices.services import DEVICE_NOT_AUTHORISED

DEVICE_SESSION_KEY = "metrology_device"


def device_login(request: HttpRequest, *, person: Person, device: Device) -> None:
    """Django's login (new session key, user_logged_in, lockout counter reset), then bind the device."""
    login(request, person)
    request.session[DEVICE_SESSION_KEY] = device.identifier


def session_device_identifier(request: HttpRequest) -> str | None:
    return request.session.get(DEVICE_SESSION_KEY)


class OnAuthorisedDevice(BasePermission):
    """For mobile-app endpoints: the session was opened on a device that is still enabled
    (DeviceSessionMiddleware has already ended the session of one that is not)."""

    message = DEVICE_NOT_AUTHORISED

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and session_device_identifier(request))
