"""Untrusted uploads: only a bounded, macro-free .xlsx without DOCTYPEs reaches openpyxl."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import openpyxl.xml
import pytest

from metrology.doctype.xlsform import WorkbookError, procedure_from_xlsx, procedure_to_xlsx
from metrology.doctype.xlsform import reader as reader_module

PACKS = Path(__file__).resolve().parents[2] / "apps" / "metrology" / "packs"


def exported() -> bytes:
    pack = json.loads((PACKS / "jjg443_fuel_dispenser.json").read_text(encoding="utf-8"))
    return procedure_to_xlsx(pack)


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None,
          compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", compression) as target:
        for item in source.infolist():
            target.writestr(item.filename, (replace or {}).get(item.filename, source.read(item)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def refused(data: bytes) -> list[str]:
    with pytest.raises(WorkbookError) as caught:
        procedure_from_xlsx(data)
    return [p.code for p in caught.value.problems]


def test_a_zip_bomb_is_refused_before_unpacking():
    bomb = rezip(exported(), add={"xl/media/image1.png": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 200_000
    assert refused(bomb) == ["zip_bomb"]


def test_a_workbook_unpacking_beyond_the_size_limit_is_refused():
    zeros = b"\0" * (51 * 1024 * 1024)
    big = rezip(exported(), add={"xl/media/big.bin": zeros}, compression=zipfile.ZIP_STORED)
    assert refused(big) == ["too_large"]


def test_a_workbook_with_too_many_parts_is_refused():
    crowded = rezip(exported(), add={f"xl/media/{i}.txt": b"x" for i in range(1000)})
    assert refused(crowded) == ["too_many_parts"]


def test_a_macro_enabled_workbook_is_refused():
    data = exported()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml")
    xlsm_types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert refused(rezip(data, replace={"[Content_Types].xml": xlsm_types})) == ["macro"]
    assert refused(rezip(data, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 100})) == ["macro"]


@pytest.mark.parametrize(
    "data",
    [
        b"key,value\ncode,JJG443\n",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,  # an old .xls / encrypted workbook
        b"PK\x03\x04 truncated",
        b"",
    ],
)
def test_a_file_that_is_not_an_xlsx_is_refused(data):
    assert refused(data) == ["not_xlsx"]


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(out.getvalue()) == ["not_xlsx"]


def _entity_workbook() -> bytes:
    data = exported()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    doctype = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    )
    sheet = doctype + sheet.replace("<t>code</t>", "<t>&c;</t>", 1)
    return rezip(data, replace={"xl/worksheets/sheet1.xml": sheet.encode()})


def test_a_workbook_declaring_entities_is_refused():
    assert refused(_entity_workbook()) == ["doctype"]


def test_entities_are_refused_by_the_xml_parser_too(monkeypatch):
    assert openpyxl.xml.DEFUSEDXML  # openpyxl parses through defusedxml
    with pytest.raises(ValueError) as caught:
        openpyxl.load_workbook(io.BytesIO(_entity_workbook()), read_only=True)
    assert type(caught.value.__cause__ or caught.value.__context__).__name__ == "EntitiesForbidden"
    monkeypatch.setattr(reader_module, "check_upload", lambda data: None)
    assert refused(_entity_workbook()) == ["unreadable"]


def test_a_sheet_with_too_many_rows_is_refused():
    book = openpyxl.load_workbook(io.BytesIO(exported()))
    book["rules"].cell(5001, 1).value = "late"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(WorkbookError) as caught:
        procedure_from_xlsx(out.getvalue())
    assert ("rules", "too_many_rows") in {(p.sheet, p.code) for p in caught.value.problems}


def test_a_sheet_with_too_many_columns_is_refused():
    book = openpyxl.load_workbook(io.BytesIO(exported()))
    book["fields"].cell(2, 300).value = "far"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(WorkbookError) as caught:
        procedure_from_xlsx(out.getvalue())
    assert ("fields", "too_many_columns") in {(p.sheet, p.code) for p in caught.value.problems}
