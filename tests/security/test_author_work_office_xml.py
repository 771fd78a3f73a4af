"""#8: an XML part of an uploaded Word/Excel file is read as a parser reads it, whatever its encoding,
so a DOCTYPE in UTF-16 without a byte-order mark, a billion-laughs or an XXE `settings.xml` is refused
with a clear message: a form error in the Desk (not a 500), a message and exit code 2 on the command
line (not an lxml traceback), a WorkbookError for the Excel procedure form."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext
from docx import Document
from openpyxl import Workbook

from metrology.cli import main
from metrology.core.office_files import UnsafeFile, check_office_file
from metrology.doctype.xlsform import WorkbookError
from metrology.doctype.xlsform.safety import check_upload

REPO = Path(__file__).resolve().parents[2]
PACK_PATH = REPO / "apps/metrology/packs/jjg443_fuel_dispenser.json"
PACK = json.loads(PACK_PATH.read_text(encoding="utf-8"))

LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
          + ']><w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:zoom w:percent="&lol9;"/></w:settings>')
XXE = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       '<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
       '<w:zoom w:percent="&xxe;"/></w:settings>')
HOSTILE_SETTINGS = {
    "utf-16 without a byte-order mark": LAUGHS.replace('version="1.0"', 'version="1.0" encoding="UTF-16"')
    .encode("utf-16-le"),
    "billion laughs": LAUGHS.encode(),
    "external entity": XXE.encode(),
}


def _docx() -> bytes:
    document = Document()
    document.add_paragraph("{{ 证书编号 }}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _replace_part(data: bytes, part: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, content if item.filename == part else source.read(item))
    return out.getvalue()


def _hostile_docx(name: str) -> bytes:
    return _replace_part(_docx(), "word/settings.xml", HOSTILE_SETTINGS[name])


def _doctype_message() -> str:
    return gettext("The part %(part)s declares a DOCTYPE or entities, which are refused.") % {
        "part": "word/settings.xml"}


@pytest.mark.parametrize("name", HOSTILE_SETTINGS)
def test_a_hostile_settings_part_is_refused_before_any_parser_reads_it(name):
    with pytest.raises(UnsafeFile) as caught:
        check_office_file(_hostile_docx(name), "docx")
    assert caught.value.code == "doctype"
    assert caught.value.message == _doctype_message()


def test_a_part_in_another_encoding_is_refused():
    """#8: only UTF-8 and UTF-16 are read; UTF-7 or UTF-32 could hide `<!DOCTYPE` from a byte search."""
    utf7 = b'<?xml version="1.0" encoding="UTF-7"?>+ADw-!DOCTYPE x+AD4-<w:settings/>'
    utf32 = LAUGHS.replace('version="1.0"', 'version="1.0" encoding="UTF-32"').encode("utf-32-le")
    for content in (utf7, utf32):
        with pytest.raises(UnsafeFile) as caught:
            check_office_file(_replace_part(_docx(), "word/settings.xml", content), "docx")
        assert caught.value.code in ("encoding", "doctype")


def test_a_part_that_no_parser_can_read_is_a_clear_refusal_not_a_traceback(admin, db):
    from metrology.print_formats.layouts import LayoutRefused, checked_layout

    broken = _replace_part(_docx(), "word/document.xml", b"<w:document><unclosed></w:document>")
    with pytest.raises(LayoutRefused) as caught:
        checked_layout(broken, "docx", PACK)
    assert "Word (.docx)" in caught.value.message


@pytest.fixture
def procedure(admin):
    from metrology.doctype.packs import pack_import

    return pack_import(actor=admin, definition=json.loads(json.dumps(PACK)), authorise=True,
                       publish=True)[0].procedure


@pytest.mark.django_db
@pytest.mark.parametrize("name", HOSTILE_SETTINGS)
def test_the_desk_shows_the_refusal_on_the_form_instead_of_a_server_error(login, admin, procedure, name):
    from metrology.print_formats.models import LayoutVersion

    upload = SimpleUploadedFile("hostile.docx", _hostile_docx(name))
    response = login(admin).post(reverse("desk:print_formats_layout_add"),
                                 {"procedure": procedure.pk, "kind": "检定证书", "upload": upload})
    assert response.status_code == 200
    assert _doctype_message() in response.context["adminform"].form.errors["upload"]
    assert not LayoutVersion.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", HOSTILE_SETTINGS)
def test_the_render_command_prints_the_refusal_and_no_traceback(tmp_path, capsys, name):
    layout = tmp_path / "hostile.docx"
    layout.write_bytes(_hostile_docx(name))
    values = tmp_path / "values.json"
    values.write_text(json.dumps(PACK["test_cases"][0]["inputs"], ensure_ascii=False), encoding="utf-8")
    code = main(["render", str(layout), str(PACK_PATH), str(values), "-o", str(tmp_path / "out.docx")])
    err = capsys.readouterr().err
    assert code == 2
    assert _doctype_message() in err and "Traceback" not in err
    assert not (tmp_path / "out.docx").exists()


def test_the_procedure_workbook_guard_reads_utf16_without_a_byte_order_mark():
    """#8: the Excel procedure form shares the same check (core/office_xml.py)."""
    out = io.BytesIO()
    Workbook().save(out)
    hostile = LAUGHS.replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16-le")
    with pytest.raises(WorkbookError) as caught:
        check_upload(_replace_part(out.getvalue(), "xl/workbook.xml", hostile))
    assert [problem.code for problem in caught.value.problems] == ["doctype"]
