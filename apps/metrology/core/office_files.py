"""Checks on an uploaded Word or Excel file before any parser touches it (uploads are untrusted).

A .docx/.xlsx is a zip of XML parts: refused when it is not one, is too big unpacked, has too many
parts or a part compressed suspiciously well (a zip bomb), carries macros, or declares a DOCTYPE or
entities (XML entity expansion / external entities) in any XML part, whatever its encoding
(core/office_xml.py, shared with the Excel procedure form).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from metrology.core.errors import ApplicationError
from metrology.core.office_xml import XmlPartProblem, check_xml_part
from metrology.core.plain_gettext import gettext as _

MACRO_PARTS = ("vbaproject.bin", "vbaprojectsignature.bin", "vbadata.xml")
MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject")
XML_SUFFIXES = (".xml", ".rels", ".vml")
MAIN_PART = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml"}
LABEL = {"docx": "Word (.docx)", "xlsx": "Excel (.xlsx)"}


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 10 * 1024 * 1024
    max_entries: int = 1_000
    max_unpacked: int = 100 * 1024 * 1024
    max_ratio: int = 100
    ratio_floor: int = 1024 * 1024  # tiny parts of repetitive XML legitimately compress very well


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.xls, and password-protected Office files


class UnsafeFile(ApplicationError):
    """`code`: too_large, old_format, not_office, zip_bomb, macro, encoding or doctype."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


def check_office_file(data: bytes, kind: str, limits: Limits = Limits()) -> None:
    """Raise UnsafeFile unless `data` is a plain, bounded .docx or .xlsx (kind)."""
    label = LABEL[kind]
    if len(data) > limits.max_bytes:
        raise UnsafeFile(_("The file is larger than %(limit)d MiB.") % {"limit": limits.max_bytes // 2**20},
                         "too_large")
    if data.startswith(OLE_MAGIC):
        raise UnsafeFile(_("Old .doc/.xls files and password-protected files cannot be read; save the file as "
                           "%(kind)s.") % {"kind": label}, "old_format")
    if not data.startswith(b"PK\x03\x04"):
        raise UnsafeFile(_("The file is not a %(kind)s file (old .doc/.xls files cannot be used; save as "
                           "%(kind)s).") % {"kind": label}, "not_office")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UnsafeFile(_("The file is damaged and cannot be read as %(kind)s.") % {"kind": label},
                         "not_office") from None
    with archive:
        _check_members(members, kind, limits)
        for member in members:
            _check_part(archive, member)


def unreadable(kind: str, error: Exception) -> UnsafeFile:
    """The refusal for a file that passed the checks but that the parser could not read."""
    detail = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
    return UnsafeFile(_("The file cannot be read as %(kind)s; it is damaged or not a valid file (%(detail)s).")
                      % {"kind": LABEL[kind], "detail": detail}, "not_office")


def _check_members(members: list[zipfile.ZipInfo], kind: str, limits: Limits) -> None:
    if len(members) > limits.max_entries:
        raise UnsafeFile(_("The file has more than %(limit)d parts; refused as a possible zip bomb.")
                         % {"limit": limits.max_entries}, "zip_bomb")
    if sum(m.file_size for m in members) > limits.max_unpacked:
        raise UnsafeFile(_("The file unpacks to more than %(limit)d MiB; refused as a possible zip bomb.")
                         % {"limit": limits.max_unpacked // 2**20}, "zip_bomb")
    for member in members:
        if member.file_size > limits.ratio_floor and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            raise UnsafeFile(_("The part %(part)s is compressed more than %(limit)d times; refused as a possible "
                               "zip bomb.") % {"part": member.filename, "limit": limits.max_ratio}, "zip_bomb")
        if member.flag_bits & 0x1:
            raise UnsafeFile(_("Encrypted files cannot be read."), "not_office")
        if member.filename.lower().rsplit("/", 1)[-1] in MACRO_PARTS:
            raise _macros()
    names = {m.filename.lower() for m in members}
    if "[content_types].xml" not in names or MAIN_PART[kind] not in names:
        raise UnsafeFile(_("The file is a zip archive but not a %(kind)s file.") % {"kind": LABEL[kind]},
                         "not_office")


def _macros() -> UnsafeFile:
    return UnsafeFile(_("Files with macros (.docm, .xlsm) are refused; save the file without macros."), "macro")


def _check_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    name = member.filename.lower()
    if not name.endswith(XML_SUFFIXES):
        return
    try:
        data = archive.read(member)  # bounded: zipfile never yields more than the declared size
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        raise UnsafeFile(_("The part %(part)s cannot be unpacked.") % {"part": member.filename},
                         "not_office") from None
    try:
        lowered = check_xml_part(data)
    except XmlPartProblem as problem:
        if problem.code == "encoding":
            raise UnsafeFile(_("The part %(part)s is not UTF-8 or UTF-16 XML (%(encoding)s); such files are "
                               "refused.") % {"part": member.filename, "encoding": problem.encoding},
                             "encoding") from None
        raise UnsafeFile(_("The part %(part)s declares a DOCTYPE or entities, which are refused.")
                         % {"part": member.filename}, "doctype") from None
    if name == "[content_types].xml" and any(marker.decode() in lowered for marker in MACRO_CONTENT_TYPES):
        raise _macros()
