"""A record rendered as its documents before submission (R-4.3.9.5): the raw record, and the
certificate or notice its current verdict gives, each from the layout bound to the record's procedure.

The request only checks and queues; a job (records/tasks.py) renders with the layout's current
version under the same limits and converter as every document (print_formats), never in the web
request. The PDF is kept in the site's files under previews/records/.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus

from metrology.accounts.jurisdiction import records_in_jurisdiction, regions
from metrology.accounts.models import Person
from metrology.core.permissions import perm
from metrology.doctype.document_kinds import DocumentKind
from metrology.print_formats.context import layout_context
from metrology.print_formats.converter import convert_to_pdf
from metrology.print_formats.layouts import checked_layout, render_layout
from metrology.print_formats.models import Layout, LayoutVersion
from metrology.print_formats.preview import preview_made
from metrology.print_formats.services import library_basis
from metrology.records.entry import entry_plan, live_results
from metrology.records.conditions import conditions_printed
from metrology.records.errors import RecordRefused
from metrology.records.models import Record
from metrology.records.selectors import record_context, record_get

PREVIEW_FOLDER = "previews/records"
WAITING, DONE, FAILED = "waiting", "done", "failed"
# Shown where the document's own number will be once it is issued.
PENDING_NUMBERS = {"证书编号": "（证书编号）", "通知书编号": "（通知书编号）", "原始记录编号": "（原始记录编号）"}


def may_preview(actor: Person, record: Record) -> bool:
    """Whoever may read the record: its own inspector, or a records reader whose jurisdiction holds it."""
    if record.inspector_id == actor.pk and actor.has_perm(perm("records_enter")):
        return True
    if not actor.has_perm(perm("records_query")):
        return False
    return not regions(actor) or records_in_jurisdiction(actor, Record.objects.filter(pk=record.pk)).exists()


def _live(record: Record) -> dict[str, Any]:
    return live_results(entry_plan(record.version.definition), record.inputs, record_context(record))


def _checked_kind(record: Record, kind: str) -> str:
    """The raw record always; a certificate or notice only when the complete record's verdict gives it."""
    if kind == DocumentKind.RAW_RECORD:
        return kind
    if kind not in DocumentKind.values:
        raise RecordRefused(_("There is no document of that kind."), field="kind")
    live = _live(record)
    if not live["complete"]:
        raise RecordRefused(_("The record is not complete yet; its certificate or notice can be previewed once "
                              "every value is entered without errors."), field="kind")
    if live["document_kind"] != kind:
        raise RecordRefused(_("With the current values this record gives %(given)s, not %(kind)s.")
                            % {"given": DocumentKind(live["document_kind"]).label if live["document_kind"]
                               in DocumentKind.values else live["document_kind"],
                               "kind": DocumentKind(kind).label}, field="kind")
    return kind


def bound_layout(record: Record, kind: str) -> LayoutVersion | None:
    """The current version of the layout bound to the record's procedure for this kind."""
    layout = (Layout.objects.filter(procedure_id=record.version.procedure_id, kind=kind)
              .prefetch_related("versions").first())
    return layout.current() if layout is not None else None


def _no_layout(kind: str) -> str:
    return _("No layout is bound to this procedure for %(kind)s; please ask the template manager to upload one.") \
        % {"kind": DocumentKind(kind).label}


def preview_request(*, actor: Person, record: Record, kind: str) -> str:
    """Check and queue the preview of one document of the record; the job's id."""
    from metrology.records.tasks import make_record_preview

    if not may_preview(actor, record):
        raise RecordRefused(_("You do not have permission to see this raw record."))
    record = record_get(pk=record.pk)  # as saved now, whatever the caller holds
    kind = _checked_kind(record, str(kind))
    if bound_layout(record, kind) is None:
        raise RecordRefused(_no_layout(kind), field="kind")
    return str(make_record_preview.enqueue(record.pk, kind).id)


def _preview_job(record: Record, job_id: str):
    from metrology.records.tasks import make_record_preview

    try:
        job = make_record_preview.get_result(job_id)
    except Exception:  # noqa: BLE001 — unknown, malformed or expired ids alike
        job = None
    if job is None or job.task.module_path != make_record_preview.module_path or not job.args \
            or job.args[0] != record.pk:
        raise RecordRefused(_("There is no such preview of this record."), field="job")
    return job


def preview_outcome(record: Record, job_id: str) -> tuple[str, bytes | None, str]:
    """(state, PDF, message): waiting, done with the PDF, or failed with the reason in words."""
    job = _preview_job(record, job_id)
    if job.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
        return WAITING, None, ""
    if job.status != TaskResultStatus.SUCCESSFUL:
        return FAILED, None, _("The preview could not be made; please try again, or ask the administrator to "
                               "look at the worker log.")
    outcome = job.return_value if isinstance(job.return_value, dict) else {}
    if outcome.get("error"):
        return FAILED, None, str(outcome["error"])
    pdf = _stored(outcome.get("pdf", ""))
    if pdf is None:
        return FAILED, None, _("The preview is no longer kept; please make it again.")
    return DONE, pdf, ""


def _stored(name: str) -> bytes | None:
    if not isinstance(name, str) or not name.startswith(f"{PREVIEW_FOLDER}/") or ".." in name \
            or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()


# --- the job ----------------------------------------------------------------------------------------------


def document_values(record: Record, kind: str) -> dict[str, Any]:
    """What the layout prints: the final result once complete; for a raw record still being entered,
    the values typed so far with what they compute to."""
    live = _live(record)
    if live["complete"]:
        return {**live["values"], "检定结论": live["检定结论"], "不合格项目": live["不合格项目"]}
    if kind != DocumentKind.RAW_RECORD:
        raise RecordRefused(_("The record is not complete yet; its certificate or notice can be previewed once "
                              "every value is entered without errors."))
    return {**record.inputs, **live["values"], "检定结论": "", "不合格项目": []}


def standards_printed(record: Record) -> list[dict[str, str]]:
    """The standards used, one row each, as a layout prints them (`{%tr for s in 计量标准器 %}`)."""
    return [{"名称": used.standard.name, "测量范围": used.standard.measuring_range,
             "准确度": used.standard.accuracy, "证书编号": used.standard.certificate_number,
             "有效期至": used.valid_until.isoformat()}
            for used in record.standards_used.select_related("standard").order_by("id")]


def work_fields(record: Record) -> dict[str, Any]:
    """What every document of the record prints about the work itself: the standards used, the place
    and the environmental conditions (JJF 1069, ISO/IEC 17025 7.8), and the item's authorisation."""
    return {**conditions_printed(record), "计量标准器": standards_printed(record),
            "授权证书号": record.item.authorisation_basis}


def _document_fields(record: Record, definition: dict[str, Any]) -> dict[str, Any]:
    numbers = {**PENDING_NUMBERS, "原始记录编号": record.raw_record_number or PENDING_NUMBERS["原始记录编号"]}
    return {**numbers, "检定依据": library_basis(definition), "机构名称": settings.INSTITUTE_NAME,
            "检定员": record.inspector.name, **work_fields(record)}


def layout_pdf(record: Record, version: LayoutVersion, kind: str, fields: dict[str, Any],
               images: dict[str, bytes] | None = None) -> bytes:
    """The record's document of this kind through one layout version, as PDF: the layout checked
    against the record's pinned version (the record prints as it computes), rendered and converted
    under print_formats' limits. Shared by previews and issued documents (certificates.documents)."""
    definition = record.version.definition
    values = document_values(record, kind)
    with version.file.open("rb") as handle:
        layout, _report = checked_layout(handle.read(), version.format, definition)
    context = layout_context(definition, values, fields)
    return convert_to_pdf(render_layout(layout, context, images), suffix=f".{version.format}")


def record_preview_pdf(record: Record, kind: str) -> bytes:
    version = bound_layout(record, kind)
    if version is None:
        raise RecordRefused(_no_layout(kind))
    return layout_pdf(record, version, kind, _document_fields(record, record.version.definition))


def record_preview_make(*, record_id: int, kind: str) -> dict:
    with translation.override(settings.LANGUAGE_CODE):
        record = record_get(pk=record_id)
        return preview_made(PREVIEW_FOLDER, str(record.pk), lambda: record_preview_pdf(record, kind))
