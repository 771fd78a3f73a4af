"""The procedure designer (R-4.1.2.6, R-4.3.5.6): thin views over the engine and the services.

The page is a Desk page; the endpoints it calls (check, test run, save, publish) answer JSON and
nothing else, a refusal included, so that the page can say what happened and keep the work.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from metrology.core.busy import busy_message, is_database_busy, retry_after
from metrology.core.api import csrf_refused
from metrology.core.errors import ApplicationError
from metrology.core.limits import JsonTooDeep, json_loads_bounded
from metrology.core.permissions import perm
from metrology.doctype.diff import definition_diff
from metrology.doctype.document_kinds import DocumentKind
from metrology.doctype.engine import FAIL, PASS, InputError, ProcedureError, compute
from metrology.doctype.engine.definition import (
    CALIBRATION_DOCUMENT_KINDS,
    CALIBRATION_TYPES,
    DEFAULT_DOCUMENT_KINDS,
    RESULT_KEYS,
)
from metrology.doctype.errors import ProcedureRefused
from metrology.doctype.formula import FormulaError
from metrology.doctype.messages import problem_dict
from metrology.doctype.models import Procedure, ProcedureVersion, TestType
from metrology.doctype.services import (
    definition_check,
    record_context,
    version_new_draft,
    version_publish,
    version_save_draft,
)

logger = logging.getLogger(__name__)

MAX_BODY = 2 * 1024 * 1024
JsonView = Callable[..., JsonResponse]

# The test types docs/procedure-format.md names; the institute's own are added from the database.
FORMAT_TEST_TYPES = ("检定", "校准", "期间核查", "使用中检查", "测试")


def _may_design(request: HttpRequest) -> bool:
    return request.user.has_perm(perm("procedures_manage"))


def _allowed(request: HttpRequest) -> None:
    if not _may_design(request):
        raise PermissionDenied


# -- the JSON endpoints' envelope ------------------------------------------------------------

def _answer(status: int, message: str, **extra: Any) -> JsonResponse:
    response = JsonResponse({"ok": False, "message": message, **extra}, status=status)
    add_never_cache_headers(response)
    return response


def _login_url(request: HttpRequest, version_id: int) -> str:
    """The login page, coming back to the designer (not to the endpoint) afterwards."""
    query = QueryDict(mutable=True)
    query["next"] = reverse("desk:doctype_procedureversion_design", args=[version_id])
    return f"{resolve_url(settings.LOGIN_URL)}?{query.urlencode(safe='/')}"


def json_endpoint(view: JsonView, *, admin_site) -> JsonView:
    """Used instead of `admin_view` for the designer's endpoints: the same session, CSRF and
    permission checks, but every refusal and failure is JSON (401 for an expired session, 403,
    404, 405, 503 for a busy database, 500), never a login redirect or an HTML page."""

    @wraps(view)
    def endpoint(request: HttpRequest, version_id: int) -> JsonResponse:
        if request.method != "POST":
            return _answer(405, _("This address only accepts POST."))
        if not admin_site.has_permission(request):
            return _answer(401, _("Your session has expired. Log in again in a new tab, then come back to this "
                                  "page and save again; your changes are still on this page."),
                           login_url=_login_url(request, version_id))
        if csrf_refused(request):
            return _answer(403, _("The request could not be verified. Log in again in a new tab, then come back "
                                  "to this page and try again; your changes are still on this page."))
        if not _may_design(request):
            return _answer(403, _("You do not have the permission to design procedures."))
        try:
            response = view(request, version_id)
        except Http404:
            return _answer(404, _("This procedure version does not exist."))
        except OperationalError as error:
            if not is_database_busy(error):
                logger.exception("designer endpoint %s failed", request.path)
                return _answer(500, _server_error_message())
            response = _answer(503, busy_message())
            response["Retry-After"] = retry_after()
            return response
        except Exception:  # noqa: BLE001 — the page must get JSON it can show; the trace goes to the log
            logger.exception("designer endpoint %s failed", request.path)
            return _answer(500, _server_error_message())
        add_never_cache_headers(response)
        return response

    return csrf_exempt(endpoint)  # checked inside, after the session, so that a refusal is JSON too


def _server_error_message() -> str:
    return _("Something went wrong on the server. Your work is still on this page; please try again, and "
             "tell the administrator if it keeps happening.")


# -- request and answer bodies ---------------------------------------------------------------

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


def _metadata_attribute(problem: Any) -> str | None:
    """Which top-level attribute (code, name, test_type, sub_types, format_version) a problem the
    engine locates at "procedure" is about, so that the page shows it at that input."""
    if getattr(problem, "where", None) != "procedure":
        return None
    return getattr(problem, "part", None)  # the engine names the attribute as the problem's part


def _problem_json(problem: Any) -> dict[str, Any]:
    return {**problem_dict(problem), "attribute": _metadata_attribute(problem)}


def _problems(problems) -> JsonResponse:
    return JsonResponse({"ok": False, "problems": [_problem_json(p) for p in problems]}, status=400)


def _refused(error: ApplicationError) -> JsonResponse:
    problems = error.problems if isinstance(error, ProcedureRefused) else []
    case_results = error.case_results if isinstance(error, ProcedureRefused) else []
    return JsonResponse({"ok": False, "message": error.message,
                         "problems": [_problem_json(p) for p in problems],
                         "case_results": [report.to_dict() for report in case_results]}, status=400)


def _checked(definition: Any, context: dict[str, Any]) -> dict[str, Any]:
    problems, reports = definition_check(definition, context=context)
    return {"problems": [_problem_json(p) for p in problems], "case_results": [r.to_dict() for r in reports]}


def _version(version_id: int) -> ProcedureVersion:
    versions = ProcedureVersion.objects.select_related("procedure__item", "procedure__sub_type__parent")
    return get_object_or_404(versions, pk=version_id)


def _run_context(version: ProcedureVersion, given: Any) -> Any:
    """The context a test run computes with: the one the page sends (e.g. a sub-type picked)
    over the procedure's own, key by key; anything but an object goes to the engine to refuse."""
    own = record_context(version.procedure)
    if given is None:
        return own
    return {**own, **given} if isinstance(given, dict) else given


# -- the page ---------------------------------------------------------------------------------

def designer_page(request: HttpRequest, version_id: int, admin_site) -> HttpResponse:
    _allowed(request)
    version = _version(version_id)
    procedure = version.procedure
    published = version.status == ProcedureVersion.Status.PUBLISHED
    context = {
        **admin_site.each_context(request),
        "title": _("Design %(procedure)s, version %(number)d") % {"procedure": procedure,
                                                                    "number": version.number},
        "version": version,
        "versions": procedure.versions.order_by("-number"),
        "definition_json": version.definition,
        "editable": version.status == ProcedureVersion.Status.DRAFT,
        "published": published,
        "context": record_context(procedure),
        "sub_types": list(TestType.objects.filter(parent=procedure.sub_type.parent_id)
                          .values_list("name", flat=True)),
        "result_keys": _result_keys(),
        "choices": _choices(),
        **_next_steps(request, procedure),
        "opts": ProcedureVersion._meta,
    }
    return TemplateResponse(request, "doctype/designer.html", context)


def _result_keys() -> dict[str, str]:
    """The result's keys and verdicts as the engine writes them, for the test-run panel."""
    conclusion, failed_items, *_others = RESULT_KEYS
    return {"conclusion": conclusion, "failedItems": failed_items, "pass": PASS, "fail": FAIL}


def _choices() -> dict[str, Any]:
    """Suggestions for the procedure's information: test types and document names (free text is
    allowed too), and the document kinds the engine gives when the definition names none."""
    institute_types = TestType.objects.filter(parent__isnull=True).order_by("pk").values_list("name", flat=True)
    return {
        "testTypes": list(dict.fromkeys([*FORMAT_TEST_TYPES, *institute_types])),
        "documentKinds": [kind.value for kind in DocumentKind if kind != DocumentKind.RAW_RECORD],
        "defaultDocumentKinds": DEFAULT_DOCUMENT_KINDS,
        "calibrationDocumentKinds": CALIBRATION_DOCUMENT_KINDS,
        "calibrationTypes": list(CALIBRATION_TYPES),
    }


def _next_steps(request: HttpRequest, procedure: Procedure) -> dict[str, str | None]:
    """Where to bind a layout and a numbering scheme once published; None without the permission.
    A numbering scheme is proposed for the test type, which covers all its sub-types."""
    layout, numbering = QueryDict(mutable=True), QueryDict(mutable=True)
    layout["procedure"] = str(procedure.pk)
    numbering.update({"item": str(procedure.item_id), "test_type": str(procedure.sub_type.parent_id)})
    may = request.user.has_perm
    return {
        "bind_layout_url": f"{reverse('desk:print_formats_layout_add')}?{layout.urlencode()}"
        if may(perm("templates_manage")) else None,
        "numbering_url": f"{reverse('desk:numbering_numberingscheme_add')}?{numbering.urlencode()}"
        if may(perm("numbering_manage")) else None,
    }


# -- the JSON endpoints (wrapped by json_endpoint) -------------------------------------------

def check(request: HttpRequest, version_id: int) -> JsonResponse:
    version = _version(version_id)
    try:
        checked = _checked(_body(request).get("definition"), record_context(version.procedure))
    except ApplicationError as error:
        return _refused(error)
    return JsonResponse({"ok": not checked["problems"], **checked})


def test_run(request: HttpRequest, version_id: int) -> JsonResponse:
    version = _version(version_id)
    try:
        data = _body(request)
        result = compute(data.get("definition"), data.get("inputs") or {},
                         context=_run_context(version, data.get("context")))
    except (InputError, ProcedureError) as error:
        return _problems(error.problems)
    except FormulaError as error:
        return _problems([error])
    except ApplicationError as error:
        return _refused(error)
    return JsonResponse({"ok": True, "result": result.to_json()})


def save(request: HttpRequest, version_id: int) -> JsonResponse:
    version = _version(version_id)
    try:
        data = _body(request)
        version = version_save_draft(actor=request.user, version=version, definition=data.get("definition"),
                                     change_note=str(data.get("change_note") or "")[:200],
                                     allow_problems=True)
    except ApplicationError as error:
        return _refused(error)
    checked = _checked(version.definition, record_context(version.procedure))
    count = len(checked["problems"])
    message = (_("Draft saved with %(count)d problem(s) to solve before publishing.") % {"count": count}
               if count else _("Draft saved."))
    return JsonResponse({"ok": True, "message": message, "fingerprint": version.fingerprint, **checked})


def publish(request: HttpRequest, version_id: int) -> JsonResponse:
    version = get_object_or_404(ProcedureVersion, pk=version_id)
    try:
        version = version_publish(actor=request.user, version=version)
    except ApplicationError as error:
        return _refused(error)
    messages.success(request, _("Version %(number)d is published.") % {"number": version.number})
    return JsonResponse({"ok": True, "redirect": reverse("desk:doctype_procedureversion_design", args=[version.pk])})


# -- other Desk pages ------------------------------------------------------------------------

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
