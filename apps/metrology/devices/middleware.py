"""Ends a device-bound session as soon as its device is no longer enabled (R-4.3.4.4)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse

from metrology.core.busy import is_database_busy
from metrology.devices.models import Device
from metrology.devices.selectors import device_state_and_last_seen
from metrology.devices.services import DEVICE_NOT_AUTHORISED, device_touch
from metrology.devices.sessions import session_device_identifier


def wants_json(request: HttpRequest) -> bool:
    return "/api/" in request.path or "application/json" in request.headers.get("Accept", "")


class DeviceSessionMiddleware:
    """Desk sessions carry no device and cost nothing here; a device-bound one costs one lookup
    by the unique identifier (and a write of last_seen at most once a minute)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        identifier = session_device_identifier(request)
        if identifier is not None:
            found = device_state_and_last_seen(identifier=identifier)
            if found is None or found[0] != Device.State.ENABLED:
                return self._cut_off(request)
            self._touch(identifier, found[1])
            request.verified_device = identifier  # audit rows of this request name the device as verified
        return self.get_response(request)

    @staticmethod
    def _touch(identifier: str, last_seen) -> None:
        try:
            device_touch(identifier=identifier, last_seen=last_seen)
        except Exception as error:  # last_seen waits for the next minute rather than fail the request
            if not is_database_busy(error):
                raise

    @staticmethod
    def _cut_off(request: HttpRequest) -> HttpResponse:
        logout(request)
        if wants_json(request):
            return JsonResponse({"detail": str(DEVICE_NOT_AUTHORISED), "code": "device_not_authorised"},
                                status=401)
        return redirect_to_login(request.get_full_path())
