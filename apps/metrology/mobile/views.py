"""The inspector's phone app (#10, #11): one page (the app shell), its manifest and its service worker,
and the steps a verifier may take on the inspector's phone (hand-over). Everything else the app shows
comes from the JSON API."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from metrology.devices.sessions import session_device_identifier
from metrology.doctype.document_kinds import DocumentKind
from metrology.records.models import Record
from metrology.workflow.api import transition_json
from metrology.workflow.engine import transitions_from
from metrology.workflow.models import Actor

SCRIPTS = ("app.js", "account.js", "api.js", "attachments.js", "device.js", "entry.js", "fields.js",
           "login.js", "preview.js", "queue.js", "review.js", "signing.js", "sync.js", "tabs.js", "tasks.js",
           "text.js")
SHELL_FILES = ("mobile/app.css", *(f"mobile/{name}" for name in SCRIPTS),
               "mobile/icons/icon-192.png", "mobile/icons/icon-512.png",
               "vendor/signature_pad/signature_pad.js", "metrology/passkeys.js")
THEME_COLOUR = "#1d5c8f"


@require_GET
def app_shell(request: HttpRequest) -> HttpResponse:
    return render(request, "mobile/app.html", {
        "theme_colour": THEME_COLOUR, "raw_record_kind": DocumentKind.RAW_RECORD.value,
        "workflow_url": reverse("workflow:waiting").removesuffix("waiting/"),
        "handover_steps_url": reverse("mobile:handover-steps", args=[0]).removesuffix("0/")})


@require_GET
def handover_steps(request: HttpRequest, pk: int) -> JsonResponse:
    """The steps another person may take now on the logged-in inspector's own record, offered when the
    phone is handed over (R-4.3.10.5); the hand-over endpoint checks who they are and may they."""
    if not request.user.is_authenticated or not session_device_identifier(request):
        return JsonResponse({"detail": _("Handing over works on an enabled phone only.")}, status=403)
    record = get_object_or_404(Record, pk=pk)
    if record.inspector_id != request.user.pk:
        raise Http404
    steps = [transition_json(t) for t in transitions_from(record) if t.actor == Actor.OTHER]
    return JsonResponse({"steps": steps}, json_dumps_params={"ensure_ascii": False})


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    start = reverse("mobile:app")
    body = {
        "name": _("Verification app"), "short_name": _("Verification app"),
        "description": _("On-site entry of verification records on an authorised phone."),
        "lang": "zh-Hans", "dir": "ltr", "start_url": start, "scope": start, "id": start,
        "display": "standalone", "orientation": "portrait",
        "theme_color": THEME_COLOUR, "background_color": "#ffffff",
        "icons": [{"src": static(f"mobile/icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png",
                   "purpose": "any maskable"} for size in (192, 512)],
    }
    return JsonResponse(body, content_type="application/manifest+json",
                        json_dumps_params={"ensure_ascii": False})


@lru_cache(maxsize=1)
def _shell_version() -> str:
    """Changes whenever a file of the shell does, so that an updated app replaces the cached one."""
    digest = hashlib.sha256()
    for name in SHELL_FILES:
        found = finders.find(name)
        digest.update(Path(found).read_bytes() if found else name.encode())
    return digest.hexdigest()[:16]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from /m/ so that its scope is the app; the list of files comes from here, the code is fixed."""
    shell = [reverse("mobile:app"), reverse("mobile:manifest"), *(static(name) for name in SHELL_FILES)]
    response = render(request, "mobile/sw.js", {"shell_json": json.dumps(shell), "version": _shell_version()},
                      content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("mobile:app")
    return response
