"""Desk pages beyond the list: enable or disable one device."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from metrology.core.errors import ApplicationError
from metrology.core.permissions import perm
from metrology.devices.forms import DisableForm, EnableForm
from metrology.devices.models import Device
from metrology.devices.selectors import device_list
from metrology.devices.services import device_disable, device_enable

TEMPLATE = "devices/form_page.html"


def _device_for_manager(request: HttpRequest, device_id: int) -> Device:
    if not request.user.has_perm(perm("devices_manage")):
        raise PermissionDenied
    return get_object_or_404(device_list(), pk=device_id)


def _page(request: HttpRequest, admin_site: AdminSite, **context) -> TemplateResponse:
    request.current_app = admin_site.name
    return TemplateResponse(request, TEMPLATE, {**admin_site.each_context(request), "opts": Device._meta,
                                                **context})


def _done(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    return HttpResponseRedirect(reverse("desk:devices_device_changelist"))


def _refused(form: forms.Form, error: ApplicationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def enable_page(request: HttpRequest, device_id: int, admin_site: AdminSite) -> HttpResponse:
    device = _device_for_manager(request, device_id)
    form = EnableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device_enable(actor=request.user, device=device, note=form.cleaned_data["note"])
        except ApplicationError as error:
            _refused(form, error)
        else:
            return _done(request, _("%(device)s is enabled; it can log in now.") % {"device": device})
    return _page(request, admin_site, form=form, device=device,
                 title=_("Enable device %(device)s") % {"device": device},
                 intro=_("Once enabled, anyone with a valid account can log in on this device."),
                 submit_label=_("Enable the device"))


def disable_page(request: HttpRequest, device_id: int, admin_site: AdminSite) -> HttpResponse:
    device = _device_for_manager(request, device_id)
    form = DisableForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device_disable(actor=request.user, device=device, **form.cleaned_data)
        except ApplicationError as error:
            _refused(form, error)
        else:
            return _done(request, _("%(device)s is disabled; whoever is logged in on it is logged out "
                                    "at their next step.") % {"device": device})
    return _page(request, admin_site, form=form, device=device,
                 title=_("Disable device %(device)s") % {"device": device},
                 intro=_("A disabled device can no longer log in, and its open sessions end at once."),
                 submit_label=_("Disable the device"))
