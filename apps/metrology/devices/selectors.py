"""Reads on devices."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from metrology.devices.models import Device


def device_list(*, state: str | None = None) -> QuerySet[Device]:
    devices = Device.objects.select_related("tried_by", "approved_by", "disabled_by")
    return devices.filter(state=state) if state else devices


def device_get(*, identifier: str) -> Device | None:
    return Device.objects.filter(identifier=identifier).first()


def device_state_and_last_seen(*, identifier: str) -> tuple[str, dt.datetime] | None:
    """The one (unique-indexed) query a device-bound request costs."""
    return Device.objects.filter(identifier=identifier).values_list("state", "last_seen").first()
