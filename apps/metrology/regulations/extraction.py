"""Text out of a checked upload: python-docx for .docx, poppler's pdftotext for PDF."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from docx.oxml.ns import qn

from metrology.regulations.errors import RegulationRefused
from metrology.regulations.models import FileFormat
from metrology.regulations.uploads import CheckedUpload

PDFTOTEXT = "pdftotext"
PDF_TIMEOUT_SECONDS = 60
MAX_TEXT_CHARS = 20_000_000

W_P, W_TBL, W_TR, W_TC, W_SDT, W_SDT_CONTENT = (qn(t) for t in ("w:p", "w:tbl", "w:tr", "w:tc", "w:sdt",
                                                                 "w:sdtContent"))
W_T, W_TAB, W_BR, W_CR = (qn(t) for t in ("w:t", "w:tab", "w:br", "w:cr"))
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


@dataclass(frozen=True)
class Extracted:
    text: str
    note: str = ""


def extract_text(upload: CheckedUpload) -> Extracted:
    if upload.file_format == FileFormat.PDF:
        return _pdf_text(upload.data)
    return _docx_text(upload.data)


def _unreadable(kind: str) -> RegulationRefused:
    message = _("The text of this %(kind)s file cannot be read; it may be damaged or password-protected.")
    return RegulationRefused("unreadable", message % {"kind": kind}, field="upload")


# -- Word --------------------------------------------------------------------------------------


def _docx_text(data: bytes) -> Extracted:
    import docx  # python-docx parses with resolve_entities=False

    try:
        document = docx.Document(io.BytesIO(data))
        lines = list(_block_lines(document.element.body))
    except Exception as exc:  # python-docx raises many kinds on a broken package
        raise _unreadable("Word") from exc
    text = "\n".join(line for line in lines if line.strip()).strip()
    if not text:
        return Extracted("", _("The document contains no text."))
    return Extracted(text)


def _block_lines(container) -> Iterator[str]:
    """Paragraphs and table rows in document order; a row's cells separated by tabs."""
    for child in container.iterchildren():
        if child.tag == W_P:
            yield _paragraph_text(child)
        elif child.tag == W_TBL:
            for row in child.iterchildren(W_TR):
                cells = [" ".join(line for line in _block_lines(cell) if line.strip())
                         for cell in row.iterchildren(W_TC)]
                yield "\t".join(cells)
        elif child.tag == W_SDT:
            for content in child.iterchildren(W_SDT_CONTENT):
                yield from _block_lines(content)


def _paragraph_text(paragraph) -> str:
    parts: list[str] = []
    stack = [paragraph]
    while stack:
        element = stack.pop()
        tag = element.tag
        if tag == W_T:
            parts.append(element.text or "")
        elif tag == W_TAB:
            parts.append("\t")
        elif tag in (W_BR, W_CR):
            parts.append("\n")
        elif tag != MC_FALLBACK:  # the same content again, for older readers
            stack.extend(reversed(list(element)))
    return "".join(parts)


# -- PDF ---------------------------------------------------------------------------------------


def _pdf_text(data: bytes) -> Extracted:
    try:
        result = subprocess.run(
            [PDFTOTEXT, "-q", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
            timeout=PDF_TIMEOUT_SECONDS, check=False,
        )
    except subprocess.TimeoutExpired:
        message = _("Reading the text of this PDF took longer than %(seconds)d seconds.")
        raise RegulationRefused("timeout", message % {"seconds": PDF_TIMEOUT_SECONDS},
                                field="upload") from None
    except OSError as exc:
        raise RegulationRefused("no_reader", _("The PDF text reader (pdftotext) is not available on the "
                                               "server."), field="upload") from exc
    if result.returncode != 0:
        raise _unreadable("PDF")
    text = result.stdout[:MAX_TEXT_CHARS * 4].decode("utf-8", errors="replace")[:MAX_TEXT_CHARS]
    text = text.replace("\f", "\n\n").strip()
    if not text:
        return Extracted("", _("No text could be read from this PDF (it may be scanned images); it can be "
                               "read but not found by full-text search."))
    return Extracted(text)
