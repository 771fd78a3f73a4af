"""Small Office files made on the spot for tests."""

from __future__ import annotations

import io


def docx_of_paragraphs(*paragraphs: str) -> bytes:
    """A Word document with one paragraph per text (placeholders and all), as python-docx saves it."""
    from docx import Document

    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
