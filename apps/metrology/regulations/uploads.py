"""Uploaded regulation files are untrusted: bounded size, real type by magic bytes, safe zips.

Nothing here parses a document; `check_upload` decides whether a parser may look at it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _

from metrology.core.office_files import Limits, UnsafeFile, check_office_file
from metrology.regulations.errors import RegulationRefused
from metrology.regulations.models import FileFormat

MiB = 1024 * 1024
MAX_FILE_BYTES = 50 * MiB
DOCX_LIMITS = Limits(max_bytes=MAX_FILE_BYTES, max_unpacked=200 * MiB)
PDF_MAGIC = b"%PDF-"
MACRO_EXTENSIONS = (".docm", ".dotm", ".xlsm", ".pptm")
CODES = {"not_office": "not_docx", "old_format": "old_word"}  # the shared guard's codes, as this app names them


@dataclass(frozen=True)
class CheckedUpload:
    data: bytes
    file_format: str
    original_name: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.file_format]


CONTENT_TYPES = {
    FileFormat.PDF: "application/pdf",
    FileFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _refuse(code: str, message: str) -> RegulationRefused:
    return RegulationRefused(code, message, field="upload")


def _read_bounded(file: IO[bytes] | Any) -> bytes:
    declared = getattr(file, "size", None)
    if declared is not None and declared > MAX_FILE_BYTES:
        raise _too_large()
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _too_large()
    return data


def _too_large() -> RegulationRefused:
    message = _("The file is larger than %(limit)d MiB.")
    return _refuse("too_large", message % {"limit": MAX_FILE_BYTES // MiB})


def check_upload(file: IO[bytes] | Any) -> CheckedUpload:
    """Read an uploaded file and accept it only as a real PDF or a macro-free, bounded .docx."""
    name = PurePath(getattr(file, "name", "") or "").name
    extension = PurePath(name).suffix.lower()
    content_type = (getattr(file, "content_type", "") or "").lower()
    if extension in MACRO_EXTENSIONS or "macroenabled" in content_type:
        raise _macro()
    if extension not in (".pdf", ".docx"):
        raise _refuse("wrong_type", _("Only PDF files and Word .docx documents can be uploaded."))
    data = _read_bounded(file)
    if not data:
        raise _refuse("empty", _("The file is empty."))
    file_format = _check_pdf(data) if extension == ".pdf" else _check_docx(data)
    return CheckedUpload(data=data, file_format=file_format, original_name=name[:255],
                         sha256=hashlib.sha256(data).hexdigest())


def _check_pdf(data: bytes) -> str:
    if not data.startswith(PDF_MAGIC):
        raise _refuse("not_pdf", _("The file is named .pdf but is not a PDF document (its first bytes are "
                                   "not a PDF signature)."))
    return FileFormat.PDF


def _check_docx(data: bytes) -> str:
    try:
        check_office_file(data, "docx", DOCX_LIMITS)
    except UnsafeFile as error:
        raise _refuse(CODES.get(error.code, error.code), error.message) from error
    return FileFormat.DOCX


def _macro() -> RegulationRefused:
    return _refuse("macro", _("Macro-enabled Word documents (.docm) are refused; save it as .docx without "
                              "macros, or as PDF."))
