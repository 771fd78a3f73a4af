"""Checks on an uploaded file before openpyxl parses it: a bounded, macro-free .xlsx zip."""

from __future__ import annotations

import io
import zipfile

from metrology.core.office_xml import XmlPartProblem, check_xml_part

from ..formula import gettext_noop
from .errors import WorkbookError, WorkbookProblem

MAX_ENTRIES = 1_000
MAX_TOTAL_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100
# Below this uncompressed size a member cannot hurt, whatever its ratio (tiny XML parts of
# repeated markup legitimately compress well).
RATIO_FLOOR_BYTES = 1024 * 1024
MACRO_PARTS = ("vbaproject.bin", "vbaprojectsignature.bin", "vbadata.xml")
MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject", b"ms-excel.sheet.binary")
XML_SUFFIXES = (".xml", ".rels", ".vml")


def _refuse(code: str, template: str, **params: object) -> WorkbookError:
    return WorkbookError([WorkbookProblem(code, template, dict(params))])


def check_upload(data: bytes) -> None:
    """Raise WorkbookError unless ``data`` is a zip within the limits, without macros and
    without DOCTYPE/entity declarations in any XML part."""
    if not isinstance(data, (bytes, bytearray)) or not data.startswith(b"PK\x03\x04"):
        raise _refuse(
            "not_xlsx",
            gettext_noop(
                "This file is not an .xlsx workbook (old .xls files and password-protected "
                "workbooks cannot be read; save as .xlsx)"
            ),
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _refuse("not_xlsx", gettext_noop("This file is not a readable .xlsx workbook")) from None
    with archive:
        _check_members(members)
        for member in members:
            _check_part(archive, member)


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_ENTRIES:
        template = gettext_noop("The workbook has more than {limit} parts")
        raise _refuse("too_many_parts", template, limit=MAX_ENTRIES)
    total = sum(m.file_size for m in members)
    if total > MAX_TOTAL_BYTES:
        template = gettext_noop("The workbook unpacks to more than {limit} MiB")
        raise _refuse("too_large", template, limit=MAX_TOTAL_BYTES // (1024 * 1024))
    names = {m.filename.lower() for m in members}
    if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
        raise _refuse("not_xlsx", gettext_noop("This file is a zip archive but not an .xlsx workbook"))
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_BYTES and ratio > MAX_RATIO:
            template = gettext_noop(
                "The workbook part {part} is compressed more than {limit} times; "
                "refused as a possible zip bomb"
            )
            raise _refuse("zip_bomb", template, part=member.filename, limit=MAX_RATIO)
        if member.filename.lower().rsplit("/", 1)[-1] in MACRO_PARTS:
            raise _macro()


def _macro() -> WorkbookError:
    template = gettext_noop(
        "Macro-enabled workbooks (.xlsm) are refused; save the workbook as .xlsx without macros"
    )
    return _refuse("macro", template)


def _check_part(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    name = member.filename.lower()
    if not name.endswith(XML_SUFFIXES):
        return
    # zipfile never yields more than the declared file_size, so the totals checked above hold.
    try:
        data = archive.read(member)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError):
        template = gettext_noop("The workbook part {part} cannot be unpacked")
        raise _refuse("unreadable", template, part=member.filename) from None
    try:
        lowered = check_xml_part(data)  # decoded as a parser would: UTF-16 without a BOM included
    except XmlPartProblem as problem:
        if problem.code == "encoding":
            template = gettext_noop(
                "The workbook part {part} is not UTF-8 or UTF-16 XML ({encoding}); such files are refused")
            raise _refuse("encoding", template, part=member.filename, encoding=problem.encoding) from None
        template = gettext_noop("The workbook part {part} declares a DOCTYPE or entities, which are refused")
        raise _refuse("doctype", template, part=member.filename) from None
    if name == "[content_types].xml" and any(t.decode() in lowered for t in MACRO_CONTENT_TYPES):
        raise _macro()
