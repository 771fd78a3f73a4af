"""The Desk page 我的指纹与面容: a logged-in person lists, registers, checks and revokes their own
fingerprint and face credentials. Registering and checking run in the browser (static/passkeys/page.js)
against the JSON API; revoking is a plain form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from metrology.core.desk import desk_site
from metrology.core.errors import ApplicationError
from metrology.passkeys.selectors import passkeys_of
from metrology.passkeys.services import passkey_revoke

TEMPLATE = "passkeys/mine.html"


def _done_messages() -> dict[str, str]:
    return {"registered": _("The fingerprint or face is registered; it can confirm your signatures now."),
            "confirmed": _("The fingerprint or face check succeeded.")}


@login_required
@require_http_methods(["GET", "POST"])
def my_passkeys_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _revoke(request)
    done = _done_messages().get(request.GET.get("done", ""))
    if done:
        messages.success(request, done)
        return HttpResponseRedirect(reverse("passkeys:mine"))
    request.current_app = desk_site.name
    return TemplateResponse(request, TEMPLATE, {**desk_site.each_context(request),
                                                "title": _("My fingerprints and faces"),
                                                "passkeys": passkeys_of(request.user)})


def _revoke(request: HttpRequest) -> HttpResponse:
    credential = get_object_or_404(passkeys_of(request.user), pk=request.POST.get("passkey") or 0)
    try:
        passkey_revoke(actor=request.user, credential=credential)
    except (ApplicationError, PermissionDenied) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is revoked; it can no longer confirm signatures.")
                         % {"name": credential})
    return HttpResponseRedirect(reverse("passkeys:mine"))
