from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    """Shown by django-axes after too many failed logins for one account."""
    minutes = int(settings.AXES_COOLOFF_TIME * 60)
    message = _(
        "Too many failed logins for this account. It is locked for %(minutes)d minutes; "
        "try again later or ask the system administrator to unlock it."
    ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(request, "desk/locked_out.html", {"message": message, "title": _("Account locked")}, status=429)
