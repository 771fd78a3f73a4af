"""A layout rendered with its procedure's first test case, as the PDF the author will get.

Made by a job (print_formats/tasks.py), never in the web request: rendering runs the author's
layout, and conversion runs LibreOffice (#8). The PDF is kept in the site's files under previews/.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.core.errors import ApplicationError
from metrology.doctype.engine import compute
from metrology.print_formats.context import layout_context
from metrology.print_formats.converter import ConverterError, convert_to_pdf
from metrology.print_formats.layouts import checked_layout, render_layout
from metrology.print_formats.models import LayoutVersion
from metrology.print_formats.services import library_basis, procedure_definition

SAMPLE_DOCUMENT = {"证书编号": "（证书编号）", "原始记录编号": "（原始记录编号）", "通知书编号": "（通知书编号）"}
PREVIEW_FOLDER = "previews"
PREVIEW_KEEP = dt.timedelta(days=1)


def preview_pdf(version: LayoutVersion) -> bytes:
    definition = procedure_definition(version.layout.procedure)
    cases = definition.get("test_cases") or []
    inputs = cases[0]["inputs"] if cases else {}
    result = compute(definition, inputs).to_json()
    with version.file.open("rb") as handle:
        layout, _report = checked_layout(handle.read(), version.format, definition)
    document = {**SAMPLE_DOCUMENT, "检定依据": library_basis(definition)}
    rendered = render_layout(layout, layout_context(definition, result, document))
    return convert_to_pdf(rendered, suffix=f".{version.format}")


def layout_preview_make(*, version_id: int) -> dict:
    version = LayoutVersion.objects.select_related("layout__procedure").get(pk=version_id)
    return preview_made(PREVIEW_FOLDER, version.sha256[:16], lambda: preview_pdf(version))


def preview_made(folder: str, stem: str, make: Callable[[], bytes]) -> dict:
    """Make a preview PDF and keep it under `folder`, pruning the old ones there; a refusal or a
    conversion failure is the result ({"error": …}), not a crash."""
    try:
        pdf = make()
    except ApplicationError as error:
        report = getattr(error, "report", None)
        return {"error": " ".join([str(error.message), *(report.errors if report else [])])}
    except ConverterError as error:
        return {"error": _("The preview could not be made: %(error)s") % {"error": error}}
    name = default_storage.save(f"{folder}/{stem}-{uuid.uuid4().hex}.pdf", ContentFile(pdf))
    previews_prune(folder)
    return {"pdf": name}


def previews_prune(folder: str, *, now: dt.datetime | None = None) -> int:
    """Delete the previews in `folder` older than PREVIEW_KEEP (a preview is fetched within minutes
    of being made); the number deleted."""
    now = now or timezone.now()
    removed = 0
    for name in default_storage.listdir(folder)[1]:
        path = f"{folder}/{name}"
        if name.endswith(".pdf") and now - default_storage.get_modified_time(path) > PREVIEW_KEEP:
            default_storage.delete(path)
            removed += 1
    return removed


def stored_preview(name: str) -> bytes | None:
    """A stored preview's bytes; None for a name that is not one (a result never names anything else)."""
    if not name.startswith(f"{PREVIEW_FOLDER}/") or ".." in name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return handle.read()
