"""Reading the library in the browser (R-4.2.3.7): the file itself, its text, and full-text search.

Mounted by RegulationAdmin.get_urls under the Desk, so the Desk's login applies; each view asks
the ModelAdmin whether the person may read regulations (regulations_query or regulations_manage).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from metrology.regulations.errors import RegulationRefused
from metrology.regulations.models import FileFormat, Regulation
from metrology.regulations.search import highlighted, normalise
from metrology.regulations.selectors import regulation_search
from metrology.regulations.services import regulation_extraction_retry
from metrology.regulations.uploads import CONTENT_TYPES

MAX_QUERY_CHARS = 200


def _allowed(request: HttpRequest, model_admin) -> None:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied


def _file_response(regulation: Regulation, *, inline: bool) -> FileResponse:
    try:
        handle = default_storage.open(regulation.file.name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file of this regulation is missing.")) from None
    name = regulation.original_name or regulation.file.name
    response = FileResponse(handle, content_type=CONTENT_TYPES[regulation.file_format], as_attachment=not inline,
                            filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def read(request: HttpRequest, regulation_id: int, model_admin) -> HttpResponse:
    """A PDF opens in the browser's viewer; a Word document as its text, with a download link."""
    _allowed(request, model_admin)
    regulation = get_object_or_404(Regulation, pk=regulation_id)
    if regulation.file_format == FileFormat.PDF:
        return _file_response(regulation, inline=True)
    return text(request, regulation_id, model_admin)


def download(request: HttpRequest, regulation_id: int, model_admin) -> HttpResponse:
    _allowed(request, model_admin)
    return _file_response(get_object_or_404(Regulation, pk=regulation_id), inline=False)


def text(request: HttpRequest, regulation_id: int, model_admin) -> HttpResponse:
    _allowed(request, model_admin)
    regulation = get_object_or_404(Regulation, pk=regulation_id)
    query = request.GET.get("q", "")[:MAX_QUERY_CHARS]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": str(regulation),
        "regulation": regulation,
        "query": query,
        "parts": highlighted(regulation.text, normalise(query)),
    }
    return TemplateResponse(request, "regulations/text.html", context)


def search(request: HttpRequest, model_admin) -> HttpResponse:
    _allowed(request, model_admin)
    query = request.GET.get("q", "").strip()[:MAX_QUERY_CHARS]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.opts,
        "title": _("Full-text search of regulations"),
        "query": query,
        "hits": regulation_search(query) if query else [],
    }
    return TemplateResponse(request, "regulations/search.html", context)


def extract_again(request: HttpRequest, regulation_id: int, model_admin) -> HttpResponse:
    """The Desk's "Extract the text again" button: for managers of the library, by POST."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    regulation = get_object_or_404(Regulation, pk=regulation_id)
    if not model_admin.has_change_permission(request, regulation):
        raise PermissionDenied
    try:
        regulation_extraction_retry(actor=request.user, regulation=regulation)
    except RegulationRefused as refused:
        messages.warning(request, refused.message)
    else:
        messages.success(request, _("The text extraction of %(code)s has been queued again.")
                         % {"code": regulation.code})
    return redirect("desk:regulations_regulation_change", regulation.pk)
