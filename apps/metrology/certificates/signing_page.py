"""The Desk page of the institute's signing certificate and seal: what signs now, and uploads to replace them."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrology.certificates.errors import CertificateRefused
from metrology.certificates.models import Certificate
from metrology.certificates.pdf.keys import KeyRefused, load_signing_key
from metrology.certificates.signing_setup import PERMISSION, seal_install, signing_certificate_install
from metrology.core.permissions import perm


class SigningCertificateForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("certificate file (.p12 or .pfx)"))
    password = forms.CharField(label=gettext_lazy("its password"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False))


class SealForm(forms.Form):
    seal = forms.FileField(label=gettext_lazy("seal image (PNG with a transparent background)"))


def _current() -> dict | None:
    try:
        return load_signing_key(settings.SIGNING_DIR).summary()
    except (FileNotFoundError, KeyRefused):
        return None


def signing_page(request: HttpRequest) -> HttpResponse:
    from metrology.core.desk import desk_site

    if not request.user.is_authenticated or not request.user.has_perm(perm(PERMISSION)):
        raise PermissionDenied
    asked = "install_certificate" if "install_certificate" in request.POST else "install_seal" \
        if "install_seal" in request.POST else ""
    certificate_form = SigningCertificateForm(*((request.POST, request.FILES) if asked == "install_certificate" else ()))
    seal_form = SealForm(*((request.POST, request.FILES) if asked == "install_seal" else ()))
    done = _installed(request, certificate_form, seal_form)
    if done:
        messages.success(request, done)
        return HttpResponseRedirect(reverse("certificate-signing"))
    request.current_app = desk_site.name
    return TemplateResponse(request, "certificates/desk/signing.html", {
        **desk_site.each_context(request), "opts": Certificate._meta, "current": _current(),
        "title": _("Signing certificate and seal"), "certificate_form": certificate_form, "seal_form": seal_form})


def _installed(request: HttpRequest, certificate_form: SigningCertificateForm, seal_form: SealForm) -> str:
    """The success message of an upload, or "" when nothing was installed (the form shows why)."""
    try:
        if certificate_form.is_bound and certificate_form.is_valid():
            upload = certificate_form.cleaned_data["file"]
            summary = signing_certificate_install(actor=request.user, data=upload.read(),
                                                  password=certificate_form.cleaned_data["password"])
            return _("Certificates are now signed with %(subject)s.") % {"subject": summary["subject"]}
        if seal_form.is_bound and seal_form.is_valid():
            seal_install(actor=request.user, data=seal_form.cleaned_data["seal"].read())
            return _("The new seal is printed on certificates issued from now on.")
    except CertificateRefused as error:
        form = certificate_form if certificate_form.is_bound else seal_form
        form.add_error(error.field if error.field in form.fields else None, error.message)
    return ""
