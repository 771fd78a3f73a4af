"""Writes on devices, each with its audit row: a login registers or touches the device, a device
manager enables or disables it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from metrology.accounts.models import Person
from metrology.core.audit import audit_log
from metrology.core.errors import ApplicationError
from metrology.core.permissions import perm
from metrology.devices.models import Device

DEVICE_NOT_AUTHORISED = _("This device is not authorised; please contact the device manager.")
ALREADY_ENABLED = _("%(device)s is already enabled.")
ALREADY_DISABLED = _("%(device)s is already disabled.")
NOTE_REQUIRED = _("Please say why the device is disabled.")
MAY_NOT_MANAGE = _("You may not enable or disable devices.")
USER_AGENT_LENGTH = 300

# Writing last_seen on every request would make each call a write; once a minute is enough.
LAST_SEEN_RESOLUTION = dt.timedelta(minutes=1)
SNAPSHOT_FIELDS = ("identifier", "name", "imei", "state", "disabled_reason", "disabled_note")


def device_snapshot(device: Device) -> dict:
    return {field: getattr(device, field) for field in SNAPSHOT_FIELDS}


def _ensure_may_manage(actor: Person | None) -> None:
    if actor is None or not actor.has_perm(perm("devices_manage")):
        raise PermissionDenied(MAY_NOT_MANAGE)


@transaction.atomic
def device_seen(*, identifier: str, name: str, imei: str, person: Person, user_agent: str) -> Device:
    """A person who gave the right password on this device: register it as pending the first time,
    otherwise remember who tried and when. A pending device still takes a corrected name or IMEI."""
    device = Device.objects.select_for_update().filter(identifier=identifier).first()
    if device is None:
        created = _device_register(identifier=identifier, name=name, imei=imei, person=person,
                                   user_agent=user_agent)
        if created is not None:
            return created
        device = Device.objects.select_for_update().get(identifier=identifier)  # registered meanwhile
    changes = {"tried_by": person, "last_seen": timezone.now(), "user_agent": user_agent[:USER_AGENT_LENGTH]}
    if device.state == Device.State.PENDING:
        changes.update(name=name, imei=imei or device.imei)
    for field, value in changes.items():
        setattr(device, field, value)
    device.full_clean(validate_unique=False)
    device.save(update_fields=list(changes))
    return device


def _device_register(
    *, identifier: str, name: str, imei: str, person: Person, user_agent: str
) -> Device | None:
    device = Device(identifier=identifier, name=name, imei=imei, tried_by=person,
                    user_agent=user_agent[:USER_AGENT_LENGTH], state=Device.State.PENDING)
    device.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            device.save(force_insert=True)
    except IntegrityError:  # the same browser sent two first logins at once
        return None
    audit_log(actor=person, action="device.registered", obj=device, after=device_snapshot(device))
    return device


@transaction.atomic
def device_enable(*, actor: Person, device: Device, note: str = "") -> Device:
    _ensure_may_manage(actor)
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.is_enabled:
        raise ApplicationError(ALREADY_ENABLED % {"device": device})
    before = device_snapshot(device)
    device.state = Device.State.ENABLED
    device.approved_by, device.approved_at = actor, timezone.now()
    device.disabled_reason, device.disabled_note = "", ""
    device.save(update_fields=["state", "approved_by", "approved_at", "disabled_reason", "disabled_note"])
    audit_log(actor=actor, action="device.enabled", obj=device, before=before, after=device_snapshot(device),
              reason=note)
    return device


@transaction.atomic
def device_disable(*, actor: Person, device: Device, reason: str, note: str = "") -> Device:
    """The device's sessions end at their next request (DeviceSessionMiddleware)."""
    _ensure_may_manage(actor)
    reason = Device.DisabledReason(reason)
    if reason == Device.DisabledReason.OTHER and not note.strip():
        raise ApplicationError(NOTE_REQUIRED, field="note")
    device = Device.objects.select_for_update().get(pk=device.pk)
    if device.state == Device.State.DISABLED:
        raise ApplicationError(ALREADY_DISABLED % {"device": device})
    before = device_snapshot(device)
    device.state, device.disabled_reason, device.disabled_note = Device.State.DISABLED, reason, note.strip()
    device.disabled_by, device.disabled_at = actor, timezone.now()
    device.save(update_fields=["state", "disabled_reason", "disabled_note", "disabled_by", "disabled_at"])
    separator = pgettext("between a reason and its note", "; ")
    audit_log(actor=actor, action="device.disabled", obj=device, before=before, after=device_snapshot(device),
              reason=separator.join(filter(None, [str(reason.label), note.strip()])))
    return device


def device_touch(*, identifier: str, last_seen: dt.datetime) -> None:
    """Move last_seen forward for a device in use, at most once per LAST_SEEN_RESOLUTION (no audit row)."""
    now = timezone.now()
    if now - last_seen > LAST_SEEN_RESOLUTION:
        stale = Device.objects.filter(identifier=identifier, last_seen__lt=now - LAST_SEEN_RESOLUTION)
        stale.update(last_seen=now)
