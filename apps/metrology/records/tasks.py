"""Background jobs of raw records (run by `metrology worker`): a web request never renders (#8)."""

from __future__ import annotations

from django_tasks import task

from metrology.records.preview import record_preview_make


@task()
def make_record_preview(record_id: int, kind: str) -> dict:
    """The PDF preview of one document of a record: {"pdf": stored name} or {"error": the reason, in Chinese}."""
    return record_preview_make(record_id=record_id, kind=kind)
