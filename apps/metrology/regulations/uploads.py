"""Uploaded regulation files are untrusted: bounded size, real type by magic bytes, safe zips.

Nothing here parses a document; `check_upload` decides whether a parser may look at it.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.utils.translation import gettext as _

from metrology.regulations.errors import RegulationRefused
from metrology.regulations.models import FileFormat

MiB = 1024 * 1024
MAX_FILE_BYTES = 50 * MiB
MAX_ZIP_ENTRIES = 1_000
MAX_UNPACKED_BYTES = 200 * MiB
MAX_RATIO = 100
# Below this size a zip member cannot hurt whatever its ratio (small XML parts compress well).
RATIO_FLOOR_BYTES = 1 * MiB
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MACRO_EXTENSIONS = (".docm", ".dotm", ".xlsm", ".pptm")
MACRO_PARTS = ("vbaproject.bin", "vbaprojectsignature.bin", "vbadata.xml")
MACRO_MARKERS = (b"macroenabled", b"vbaproject")
XML_SUFFIXES = (".xml", ".rels")


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
    if data.startswith(OLE_MAGIC):
        raise _refuse("old_word", _("Old Word .doc files (or password-protected documents) cannot be read; "
                                    "save it as .docx or PDF."))
    if not data.startswith(ZIP_MAGIC):
        raise _refuse("not_docx", _("The file is named .docx but is not a Word document."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _refuse("not_docx", _("The file is named .docx but is not a readable Word document.")) from None
    with archive:
        _check_members(members)
        for member in members:
            _check_part(archive, member)
    return FileFormat.DOCX


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ZIP_ENTRIES:
        raise _refuse("zip_bomb", _("The document has more than %(limit)d parts; refused as a possible zip "
                                    "bomb.") % {"limit": MAX_ZIP_ENTRIES})
    if sum(m.file_size for m in members) > MAX_UNPACKED_BYTES:
        raise _refuse("zip_bomb", _("The document unpacks to more than %(limit)d MiB; refused as a possible "
                                    "zip bomb.") % {"limit": MAX_UNPACKED_BYTES // MiB})
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            raise _refuse("zip_bomb", _("The document part %(part)s is compressed more than %(limit)d times; "
                                        "refused as a possible zip bomb.")
                          % {"part": member.filename, "limit": MAX_RATIO})
        if member.flag_bits & 0x1:
            raise _refuse("not_docx", _("Encrypted documents cannot be read."))
    names = {m.filename.lower() for m in members}
    if names & {f"word/{part}" for part in MACRO_PARTS}:
        raise _macro()
    if "[content_types].xml" not in names or "word/document.xml" not in names:
        raise _refuse("not_docx", _("The file is a zip archive but not a Word .docx document."))


def _check_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    name = member.filename.lower()
    if not name.endswith(XML_SUFFIXES):
        return
    # zipfile never yields more than the declared file_size, so the totals checked above hold.
    try:
        data = archive.read(member)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        raise _refuse("not_docx", _("The document part %(part)s cannot be unpacked.")
                      % {"part": member.filename}) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = data.decode("utf-16", errors="replace").encode()
    lowered = data.lower()
    if name == "[content_types].xml" and any(marker in lowered for marker in MACRO_MARKERS):
        raise _macro()
    if b"<!doctype" in lowered or b"<!entity" in lowered:
        raise _refuse("doctype", _("The document part %(part)s declares a DOCTYPE or entities, which are "
                                   "refused.") % {"part": member.filename})


def _macro() -> RegulationRefused:
    return _refuse("macro", _("Macro-enabled Word documents (.docm) are refused; save it as .docx without "
                              "macros, or as PDF."))
