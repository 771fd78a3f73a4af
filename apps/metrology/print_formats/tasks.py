"""Background jobs of layouts (run by `metrology worker`): a web request never renders (#8)."""

from __future__ import annotations

from django_tasks import task

from metrology.print_formats.preview import layout_preview_make


@task()
def make_layout_preview(version_id: int) -> dict:
    """The PDF preview of one layout version: {"pdf": stored name} or {"error": the reason, in Chinese}."""
    return layout_preview_make(version_id=version_id)
