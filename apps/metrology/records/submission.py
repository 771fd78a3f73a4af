"""What leaving entry means for a record, whatever step of the workflow takes it out: every step
checked complete in order, whatever the client claims, the results stored, and at the first
submission the raw record number allocated (in the caller's transaction, the record locked)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.doctype.document_kinds import DocumentKind
from metrology.numbering.selectors import scheme_for
from metrology.numbering.services import number_allocate
from metrology.records.entry import entry_plan, live_results, missing_all
from metrology.records.errors import RecordRefused
from metrology.records.models import Record
from metrology.records.selectors import record_context
from metrology.records.services import store_results


def _raw_record_number(record: Record, actor: Person) -> str:
    scheme = scheme_for(item=record.item, test_type=record.sub_type, document_kind=DocumentKind.RAW_RECORD)
    if scheme is None:
        raise RecordRefused(_("There is no numbering scheme for raw records of %(item)s · %(sub_type)s; please "
                              "ask the administrator to add one.") % {"item": record.item.name,
                                                                      "sub_type": record.sub_type})
    return number_allocate(scheme=scheme, actor=actor, reference=f"record:{record.pk}").number


def prepare_submission(record: Record, actor: Person, now: dt.datetime) -> None:
    plan = entry_plan(record.version.definition)
    missing = missing_all(plan, record.inputs)
    if missing:
        first = missing[0]
        raise RecordRefused(
            _("Step %(step)d is not complete: %(label)s is still to be entered.")
            % {"step": first.step, "label": first.label if first.row is None else f"{first.label}（{first.row}）"},
            extra={"missing": [m.to_json() for m in missing]})
    live = live_results(plan, record.inputs, record_context(record))
    if not live["complete"]:
        raise RecordRefused(_("The record has values with errors; correct them before submitting: %(error)s")
                            % {"error": live["errors"][0]["message"] if live["errors"] else ""},
                            extra={"errors": live["errors"]})
    store_results(record, live)
    if not record.ever_submitted:
        record.raw_record_number = _raw_record_number(record, actor)
        record.first_submitted_at = now
    record.submitted_at = now
