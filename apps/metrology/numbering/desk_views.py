"""Desk pages beyond the lists: set the starting number, the gap report, void a number, the live preview."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.core.errors import ApplicationError
from metrology.core.permissions import perm
from metrology.numbering.forms import SetNextForm, VoidForm
from metrology.numbering.models import IssuedNumber, NumberingScheme
from metrology.numbering.preview import PREVIEW_PARTS, number_preview_for
from metrology.numbering.selectors import gap_report
from metrology.numbering.services import number_preview, number_void, scheme_set_next


def _allowed(request: HttpRequest) -> None:
    if not request.user.has_perm(perm("numbering_manage")):
        raise PermissionDenied


def _refused(form: forms.Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _page(request: HttpRequest, admin_site: AdminSite, template: str, **context) -> TemplateResponse:
    request.current_app = admin_site.name
    return TemplateResponse(request, template, {**admin_site.each_context(request), **context})


def set_next_page(request: HttpRequest, scheme_id: int, admin_site: AdminSite) -> HttpResponse:
    _allowed(request)
    scheme = get_object_or_404(NumberingScheme, pk=scheme_id)
    form = SetNextForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheme_set_next(scheme=scheme, actor=request.user, next_sequence=data["next_sequence"],
                            on=data["on"], reason=data["reason"])
        except ApplicationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("The next number of %(scheme)s is now %(number)s.")
                             % {"scheme": scheme, "number": number_preview(scheme=scheme, on=data["on"])})
            return HttpResponseRedirect(reverse("desk:numbering_numberingscheme_changelist"))
    return _page(request, admin_site, "desk/form_page.html", form=form, scheme=scheme,
                 opts=NumberingScheme._meta,
                 title=_("Set the starting number of %(scheme)s") % {"scheme": scheme},
                 intro=_("The next number today is %(number)s. A number once generated can never be set "
                         "again, so only a sequence above every one already issued is accepted.")
                 % {"number": number_preview(scheme=scheme)},
                 submit_label=_("Set the starting number"))


def preview_json(request: HttpRequest, admin_site: AdminSite, scheme_id: int | None = None) -> JsonResponse:
    """The next number with the parts being edited (?prefix=&date_part=&…), for the scheme form's preview."""
    _allowed(request)
    scheme = get_object_or_404(NumberingScheme, pk=scheme_id) if scheme_id is not None else None
    parts = {field: request.GET[field] for field in PREVIEW_PARTS if field in request.GET}
    return JsonResponse(number_preview_for(parts=parts, scheme=scheme))


def gap_report_page(request: HttpRequest, scheme_id: int, admin_site: AdminSite) -> HttpResponse:
    _allowed(request)
    scheme = get_object_or_404(NumberingScheme, pk=scheme_id)
    period = request.GET.get("period")
    report = gap_report(scheme=scheme, period=period)
    return _page(request, admin_site, "numbering/gap_report.html", scheme=scheme, report=report,
                 period=period, opts=NumberingScheme._meta,
                 title=_("Gap report of %(scheme)s") % {"scheme": scheme})


def void_page(request: HttpRequest, issued_id: int, admin_site: AdminSite) -> HttpResponse:
    _allowed(request)
    issued = get_object_or_404(IssuedNumber.objects.select_related("scheme"), pk=issued_id)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            number_void(issued=issued, actor=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Number %(number)s is void; it stays used and is never issued again.")
                             % {"number": issued.number})
            return HttpResponseRedirect(reverse("desk:numbering_issuednumber_changelist"))
    return _page(request, admin_site, "desk/form_page.html", form=form, issued=issued,
                 opts=IssuedNumber._meta, title=_("Void number %(number)s") % {"number": issued.number},
                 intro=_("Issued %(when)s for %(reference)s.")
                 % {"when": timezone.localtime(issued.issued_at).strftime("%Y-%m-%d %H:%M"),
                    "reference": issued.reference or "—"},
                 submit_label=_("Void the number"))
