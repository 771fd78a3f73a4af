"""The procedure designer (R-4.1.2.6, R-4.3.5.6): thin views over the engine and the services."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from metrology.core.errors import ApplicationError
from metrology.core.limits import JsonTooDeep, json_loads_bounded
from metrology.core.permissions import perm
from metrology.doctype.diff import definition_diff
from metrology.doctype.engine import InputError, ProcedureError, compute, validate_procedure
from metrology.doctype.errors import ProcedureRefused
from metrology.doctype.formula import FormulaError
from metrology.doctype.messages import problem_dict
from metrology.doctype.models import Procedure, ProcedureVersion
from metrology.doctype.services import version_new_draft, version_publish, version_save_draft

MAX_BODY = 2 * 1024 * 1024


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perm(perm("procedures_manage")):
        raise PermissionDenied


def _body(request: HttpRequest) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise ApplicationError(_("The procedure is too large to check."))
    try:
        data = json_loads_bounded(request.body.decode("utf-8"))  # floats are refused where numbers go
    except JsonTooDeep as exc:
        raise ApplicationError(str(exc)) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApplicationError(_("The request is not valid JSON.")) from exc
    if not isinstance(data, dict):
        raise ApplicationError(_("The request is not valid JSON."))
    return data


def _problems(problems) -> JsonResponse:
    return JsonResponse({"ok": False, "problems": [problem_dict(p) for p in problems]}, status=400)


def _refused(error: ApplicationError) -> JsonResponse:
    if isinstance(error, ProcedureRefused) and error.problems:
        return JsonResponse({"ok": False, "message": error.message,
                             "problems": [problem_dict(p) for p in error.problems]}, status=400)
    return JsonResponse({"ok": False, "message": error.message, "problems": []}, status=400)


def designer_page(request: HttpRequest, version_id: int, admin_site) -> HttpResponse:
    _allowed(request)
    version = get_object_or_404(ProcedureVersion.objects.select_related("procedure__item"), pk=version_id)
    context = {
        **admin_site.each_context(request),
        "title": _("Design %(procedure)s, version %(number)d") % {"procedure": version.procedure,
                                                                    "number": version.number},
        "version": version,
        "versions": version.procedure.versions.order_by("-number"),
        "definition_json": version.definition,
        "editable": version.status == ProcedureVersion.Status.DRAFT,
        "opts": ProcedureVersion._meta,
    }
    return TemplateResponse(request, "doctype/designer.html", context)


@require_POST
def check(request: HttpRequest, version_id: int) -> JsonResponse:
    _allowed(request)
    try:
        problems = validate_procedure(_body(request).get("definition"))
    except ApplicationError as error:
        return _refused(error)
    return JsonResponse({"ok": not problems, "problems": [problem_dict(p) for p in problems]})


@require_POST
def test_run(request: HttpRequest, version_id: int) -> JsonResponse:
    _allowed(request)
    try:
        data = _body(request)
        result = compute(data.get("definition"), data.get("inputs") or {})
    except (InputError, ProcedureError) as error:
        return _problems(error.problems)
    except FormulaError as error:
        return _problems([error])
    except ApplicationError as error:
        return _refused(error)
    return JsonResponse({"ok": True, "result": result.to_json()})


@require_POST
def save(request: HttpRequest, version_id: int) -> JsonResponse:
    _allowed(request)
    version = get_object_or_404(ProcedureVersion, pk=version_id)
    try:
        data = _body(request)
        version = version_save_draft(actor=request.user, version=version, definition=data.get("definition"),
                                     change_note=str(data.get("change_note") or "")[:200])
    except ApplicationError as error:
        return _refused(error)
    return JsonResponse({"ok": True, "message": _("Draft saved."), "fingerprint": version.fingerprint})


@require_POST
def publish(request: HttpRequest, version_id: int) -> JsonResponse:
    _allowed(request)
    version = get_object_or_404(ProcedureVersion, pk=version_id)
    try:
        version = version_publish(actor=request.user, version=version)
    except ApplicationError as error:
        return _refused(error)
    messages.success(request, _("Version %(number)d is published.") % {"number": version.number})
    return JsonResponse({"ok": True, "redirect": reverse("desk:doctype_procedureversion_design", args=[version.pk])})


@require_POST
def new_draft(request: HttpRequest, procedure_id: int) -> HttpResponse:
    _allowed(request)
    procedure = get_object_or_404(Procedure, pk=procedure_id)
    version = version_new_draft(actor=request.user, procedure=procedure)
    return HttpResponseRedirect(reverse("desk:doctype_procedureversion_design", args=[version.pk]))


def diff_page(request: HttpRequest, procedure_id: int, admin_site) -> HttpResponse:
    _allowed(request)
    procedure = get_object_or_404(Procedure, pk=procedure_id)
    versions = list(procedure.versions.order_by("number"))
    by_number = {str(v.number): v for v in versions}
    newest = versions[-1]
    older = versions[-2] if len(versions) > 1 else newest
    old = by_number.get(request.GET.get("a", ""), older)
    new = by_number.get(request.GET.get("b", ""), newest)
    context = {
        **admin_site.each_context(request),
        "title": _("Changes in %(procedure)s") % {"procedure": procedure},
        "procedure": procedure, "versions": versions, "old": old, "new": new,
        "changes": definition_diff(old.definition, new.definition),
        "opts": Procedure._meta,
    }
    return TemplateResponse(request, "doctype/diff.html", context)
