"""The place and environmental conditions of the work on a raw record (JJF 1069, ISO/IEC 17025 7.8):
noted by the record's inspector while the record is in their hands, printed on its documents."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.core.audit import audit_log
from metrology.core.permissions import perm
from metrology.records.errors import RecordRefused
from metrology.records.models import Record
from metrology.workflow.selectors import entry_state_codes

CONDITION_FIELDS = ("place", "temperature", "humidity")
# The keys a layout prints them under (print_formats.keys.DOCUMENT_KEYS).
CONDITION_KEYS = {"place": "检定地点", "temperature": "环境温度", "humidity": "相对湿度"}


def record_conditions(record: Record) -> dict[str, str]:
    """The record's work conditions as the API answers them."""
    return {name: getattr(record, name) for name in CONDITION_FIELDS}


def conditions_printed(record: Record) -> dict[str, str]:
    """The record's work conditions under the keys a layout prints."""
    return {key: getattr(record, name) for name, key in CONDITION_KEYS.items()}


def _locked_own_record(actor: Person, record: Record) -> Record:
    """The same rule as adding a standard (records.services.record_standard_add): permission to enter
    records, the record's own inspector, the record's row locked, and only in an entry state."""
    if not actor.has_perm(perm("records_enter")):
        raise RecordRefused(_("You do not have permission to enter raw records."))
    Record.objects.select_for_update().filter(pk=record.pk).values_list("pk", flat=True).get()
    locked = Record.objects.get(pk=record.pk)
    if locked.inspector_id != actor.pk:
        raise RecordRefused(_("Only the inspector of this record can enter or change its values."))
    if locked.state not in entry_state_codes():
        raise RecordRefused(_("This record has been submitted; its work conditions can no longer change."))
    return locked


def _checked(name: str, value: Any) -> str:
    field = Record._meta.get_field(name)
    if value is not None and not isinstance(value, str):
        raise RecordRefused(_("%(field)s must be text.") % {"field": field.verbose_name}, field=name)
    text = (value or "").strip()
    if len(text) > field.max_length:
        raise RecordRefused(_("%(field)s is too long: at most %(limit)d characters.")
                            % {"field": field.verbose_name, "limit": field.max_length}, field=name)
    return text


@transaction.atomic
def record_conditions_set(
    *, actor: Person, record: Record, place: Any, temperature: Any, humidity: Any, request_id: str = "",
) -> Record:
    """Note where the work was done and the ambient temperature and relative humidity, as free text
    with their units (e.g. 20.5 ℃, 55 %RH); blank clears one. Changing nothing writes nothing."""
    record = _locked_own_record(actor, record)
    given = {"place": place, "temperature": temperature, "humidity": humidity}
    after = {name: _checked(name, given[name]) for name in CONDITION_FIELDS}
    before = record_conditions(record)
    if after == before:
        return record
    for name, value in after.items():
        setattr(record, name, value)
    record.updated_at = timezone.now()
    record.save(update_fields=[*CONDITION_FIELDS, "updated_at"])
    audit_log(actor=actor, action="record.conditions_set", obj=record,
              before={name: value for name, value in before.items() if value != after[name]},
              after={**{name: value for name, value in after.items() if value != before[name]},
                     "request_id": (request_id or "")[:100]})
    return record
