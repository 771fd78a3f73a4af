"""The Desk page that voids a certificate with its reason, and optionally reissues it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrology.certificates.errors import CertificateRefused
from metrology.certificates.models import Certificate
from metrology.certificates.voiding import certificate_void
from metrology.core.permissions import perm


class VoidForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("reason for voiding"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("Printed on the voided certificate with today's date."))
    reissue = forms.BooleanField(label=gettext_lazy("issue a replacement with a new number"), required=False,
                                 help_text=gettext_lazy("The new certificate names the one it replaces."))


def void_page(request: HttpRequest, pk: int) -> HttpResponse:
    from metrology.core.desk import desk_site

    if not request.user.is_authenticated or not request.user.has_perm(perm("certificates_void")):
        raise PermissionDenied
    certificate = get_object_or_404(Certificate, pk=pk)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_void(actor=request.user, certificate=certificate, **form.cleaned_data)
        except CertificateRefused as error:
            form.add_error("reason" if error.field == "reason" else None, error.message)
        else:
            messages.success(request, _("%(number)s is void.") % {"number": certificate.number})
            return HttpResponseRedirect(reverse("desk:certificates_certificate_change", args=[certificate.pk]))
    request.current_app = desk_site.name
    return TemplateResponse(request, "desk/form_page.html", {
        **desk_site.each_context(request), "form": form, "opts": Certificate._meta,
        "title": _("Void certificate %(number)s") % {"number": certificate.number},
        "intro": _("The original file is kept; a new file with the 作废 watermark, the reason and the date is "
                   "signed again, and the public verification page shows it as void."),
        "submit_label": _("Void the certificate")})
