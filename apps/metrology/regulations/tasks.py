"""Background jobs of the regulation library (run by `metrology worker`)."""

from __future__ import annotations

from django_tasks import task

from metrology.regulations.services import regulation_extract


@task()
def extract_regulation_text(regulation_id: int, file_sha256: str) -> str:
    """Read the text of an uploaded file (pdftotext can take up to a minute); returns the new state."""
    return regulation_extract(regulation_id=regulation_id, file_sha256=file_sha256)
