"""The report builder's JSON endpoints (Desk session, CSRF, catalogue permissions): column search,
values to pick, running a definition, saving and deleting. Every answer is JSON, a refusal included."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from metrology.core.api import csrf_refused
from metrology.core.errors import ApplicationError
from metrology.core.limits import JsonTooDeep, json_loads_bounded
from metrology.core.permissions import perm
from metrology.reports import selectors
from metrology.reports.columns import columns_for, search
from metrology.reports.models import SavedReport
from metrology.reports.query import ReportRefused, distinct_values, report_groups, report_parse, report_rows
from metrology.reports.services import report_delete, report_save

logger = logging.getLogger(__name__)
MAX_BODY = 256 * 1024
PAGE_SIZE = 50


def _answer(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message, **extra}, status=status)


def endpoint(view: Callable[..., JsonResponse], *, needs: str = "reports_query",
             method: str = "GET") -> Callable[..., JsonResponse]:
    @wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        if request.method != method:
            return _answer(405, _("This address only accepts %(method)s.") % {"method": method})
        if not (request.user.is_authenticated and request.user.is_active):
            return _answer(401, _("Your session has expired. Log in again in a new tab, then come back to this "
                                  "page; your report is still on this page."))
        if method == "POST" and csrf_refused(request):
            return _answer(403, _("The request could not be verified. Log in again in a new tab, then try "
                                  "again."))
        if not request.user.has_perm(perm(needs)):
            return _answer(403, _("You do not have the permission to do this."))
        try:
            response = view(request, *args, **kwargs)
        except ApplicationError as error:
            response = _answer(400, error.message, field=error.field)
        except Exception:  # noqa: BLE001 — the page must get JSON it can show; the trace goes to the log
            logger.exception("report endpoint %s failed", request.path)
            response = _answer(500, _("Something went wrong on the server. Your report is still on this page; "
                                      "please try again."))
        add_never_cache_headers(response)
        return response

    return csrf_exempt(answer)  # checked inside, after the session, so that a refusal is JSON too


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise ReportRefused(_("The report's definition is too large."))
    try:
        data = json_loads_bounded(request.body.decode("utf-8"))
    except JsonTooDeep as error:
        raise ReportRefused(str(error)) from error
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ReportRefused(_("The request is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ReportRefused(_("The request is not valid JSON."))
    return data


def column_json(column) -> dict[str, Any]:
    return {"id": column.id, "label": str(column.label), "kind": column.kind, "field": column.is_field}


def columns(request: HttpRequest) -> JsonResponse:
    found = search(columns_for(request.user), request.GET.get("q", "")[:100])
    return JsonResponse({"ok": True, "columns": [column_json(c) for c in found]})


def values(request: HttpRequest) -> JsonResponse:
    allowed = columns_for(request.user)
    column = allowed.get(request.GET.get("column", ""))
    if column is None:
        raise ReportRefused(_("There is no such column you may use."), field="column")
    return JsonResponse({"ok": True, "values": distinct_values(selectors.report_records(request.user), column)})


def run(request: HttpRequest) -> JsonResponse:
    data = _body(request)
    report = report_parse(data.get("spec"), columns_for(request.user))
    page = data.get("page") if isinstance(data.get("page"), int) and data.get("page") > 0 else 1
    base = selectors.report_records(request.user)
    total, rows = report_rows(base, report, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return JsonResponse({"ok": True, "total": total, "page": page, "page_size": PAGE_SIZE, "rows": rows,
                         "columns": [column_json(c) for c in report.columns],
                         "groups": report_groups(base, report)})


def saved_json(report: SavedReport, person) -> dict[str, Any]:
    return {"id": report.pk, "name": report.name, "shared": report.shared, "spec": report.spec,
            "owner": report.owner.name, "mine": report.owner_id == person.pk,
            "updated_at": report.updated_at.isoformat()}


def saved(request: HttpRequest) -> JsonResponse:
    reports = selectors.reports_open_to(request.user)
    return JsonResponse({"ok": True, "reports": [saved_json(r, request.user) for r in reports]})


def save(request: HttpRequest) -> JsonResponse:
    data = _body(request)
    existing = None
    if data.get("id") is not None:
        existing = get_object_or_404(selectors.reports_open_to(request.user), pk=data["id"])
    report = report_save(actor=request.user, name=data.get("name"), spec=data.get("spec"),
                         shared=bool(data.get("shared")), report=existing)
    return JsonResponse({"ok": True, "report": saved_json(report, request.user)})


def delete(request: HttpRequest, report_id: int) -> JsonResponse:
    report = get_object_or_404(selectors.reports_open_to(request.user), pk=report_id)
    report_delete(actor=request.user, report=report)
    return JsonResponse({"ok": True})
