"""The inspector's phone app (#10): one page (the app shell), its manifest and its service worker.
Everything the app shows comes from the JSON API; these views only serve the shell."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from metrology.doctype.document_kinds import DocumentKind

SCRIPTS = ("app.js", "api.js", "attachments.js", "device.js", "entry.js", "fields.js", "login.js", "preview.js",
           "queue.js", "sync.js", "tasks.js", "text.js")
SHELL_FILES = ("mobile/app.css", *(f"mobile/{name}" for name in SCRIPTS),
               "mobile/icons/icon-192.png", "mobile/icons/icon-512.png")
THEME_COLOUR = "#1d5c8f"


@require_GET
def app_shell(request: HttpRequest) -> HttpResponse:
    return render(request, "mobile/app.html",
                  {"theme_colour": THEME_COLOUR, "raw_record_kind": DocumentKind.RAW_RECORD.value})


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
