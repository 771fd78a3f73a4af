"""Exports of the report builder: asking for one and following its job (JSON, through api.endpoint, which
checks the session, CSRF and reports_export), and downloading the file, for the person who asked only."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from metrology.core.permissions import perm
from metrology.reports.api import _body
from metrology.reports.exports import CONTENT_TYPES, export_of, file_name, report_export_create
from metrology.reports.models_export import ReportExport


def export_json(export: ReportExport) -> dict[str, Any]:
    done = export.state == ReportExport.State.DONE
    return {"id": export.pk, "state": export.state, "state_label": str(export.get_state_display()),
            "format": export.format, "done": export.done, "total": export.total, "error": export.error,
            "state_url": reverse("desk:reports_api_export_state", args=[export.pk]),
            "url": reverse("desk:reports_export_download", args=[export.pk]) if done else ""}


def export_start(request: HttpRequest) -> JsonResponse:
    """POST {"spec": {…}, "format": "xlsx" | "csv" | "zip", "name": "…"} → the export, queued."""
    data = _body(request)
    export = report_export_create(actor=request.user, spec=data.get("spec"), format=data.get("format"),
                                  name=data.get("name") or "")
    return JsonResponse({"ok": True, "export": export_json(export)})


def export_state(request: HttpRequest, export_id: int) -> JsonResponse:
    export = export_of(pk=export_id, person=request.user)
    if export is None:
        return JsonResponse({"ok": False, "message": _("There is no such export of yours.")}, status=404)
    return JsonResponse({"ok": True, "export": export_json(export)})


def export_download(request: HttpRequest, export_id: int) -> FileResponse:
    if not request.user.has_perm(perm("reports_export")):
        raise PermissionDenied
    export = export_of(pk=export_id, person=request.user)
    if export is None:
        raise Http404(_("There is no such export of yours."))
    if export.state != ReportExport.State.DONE or not export.file:
        raise Http404(_("The export is not ready yet."))
    try:
        handle = default_storage.open(export.file, "rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file is missing from storage.")) from None
    response = FileResponse(handle, content_type=CONTENT_TYPES[export.format], as_attachment=True,
                            filename=file_name(export))  # RFC 5987 filename* for the Chinese name
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
