"""Uploaded layouts are untrusted (R-4.1.2.5): refused with a specific message, nothing stored."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document

from metrology.core.models import AuditEvent
from metrology.doctype.files import load_definition
from metrology.doctype.packs import pack_import
from metrology.print_formats.layouts import LayoutRefused
from metrology.print_formats.models import Layout, LayoutVersion
from metrology.print_formats.services import layout_upload
from metrology.testing.documents import docx_of_paragraphs

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
CERTIFICATE = REPO / "tests" / "data" / "templates" / "certificate_jjg443.docx"


@pytest.fixture
def procedure(admin):
    definition = load_definition(REPO / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json")
    return pack_import(actor=admin, definition=definition, authorise=True, publish=True)[0].procedure


def _upload(admin, procedure, data: bytes, filename: str = "layout.docx"):
    return layout_upload(actor=admin, procedure=procedure, kind="检定证书", data=data, filename=filename)


def _refused(admin, procedure, data: bytes, filename: str = "layout.docx") -> str:
    last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with pytest.raises(LayoutRefused) as caught:
        _upload(admin, procedure, data, filename)
    assert not LayoutVersion.objects.exists() and not Layout.objects.exists()
    assert list(AuditEvent.objects.filter(id__gt=last).values_list("action", flat=True)) == ["layout.refused"]  # #8
    return " ".join([caught.value.message, *caught.value.report.errors])


def test_the_shared_certificate_is_accepted_and_stored_by_hash(admin, procedure):
    version = _upload(admin, procedure, CERTIFICATE.read_bytes(), "certificate_jjg443.docx")
    assert version.number == 1 and version.format == "docx" and len(version.sha256) == 64
    assert version.file.name.endswith(f"{version.sha256}.docx")
    assert version.lint["errors"] == [] and any("油品" in note for note in version.lint["notes"])
    again = _upload(admin, procedure, CERTIFICATE.read_bytes(), "certificate_jjg443.docx")
    assert again.pk == version.pk  # the same file is not a new version


@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ 证书编号.upper() }}",
    "{% import 'os' as os %}",
    "{{ runs[0] }}",
])
def test_template_injection_is_refused_at_upload(admin, procedure, payload):
    message = _refused(admin, procedure, docx_of_paragraphs("证书编号：{{ 证书编号 }}", payload))
    assert "安全" in message


def test_an_unknown_placeholder_is_named(admin, procedure):
    message = _refused(admin, procedure, docx_of_paragraphs("{{ 证书编号 }} {{ 不存在的字段 }}"))
    assert "不存在的字段" in message


def test_an_unknown_grid_column_is_named(admin, procedure):
    message = _refused(admin, procedure, docx_of_paragraphs("{%p for r in runs %}", "{{ r.V_X }}", "{%p endfor %}"))
    assert "V_X" in message


def test_a_macro_document_is_refused(admin, procedure):
    assert "宏" in _refused(admin, procedure, docx_of_paragraphs("{{ 证书编号 }}"), "layout.docm")
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_of_paragraphs("{{ 证书编号 }}"))) as source, zipfile.ZipFile(data, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("word/vbaProject.bin", b"\0" * 64)
    assert "宏" in _refused(admin, procedure, data.getvalue())


def test_a_zip_bomb_is_refused(admin, procedure):
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_of_paragraphs("{{ 证书编号 }}"))) as source, \
            zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("word/media/filler.bin", b"\0" * (120 * 2**20))
    message = _refused(admin, procedure, data.getvalue())
    assert "压缩炸弹" in message


def test_an_entity_declaration_is_refused(admin, procedure):
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_of_paragraphs("{{ 证书编号 }}"))) as source, zipfile.ZipFile(data, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "word/document.xml":
                content = content.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY e "lol">]>', 1)
            target.writestr(item, content)
    assert "DOCTYPE" in _refused(admin, procedure, data.getvalue())


def test_not_a_word_file_is_refused(admin, procedure):
    assert ".docx" in _refused(admin, procedure, b"%PDF-1.4 not a docx")
    assert ".docx" in _refused(admin, procedure, b"anything", "layout.pdf")


def test_include_fields_that_read_other_files_are_refused(admin, procedure):
    document = Document()
    paragraph = document.add_paragraph("{{ 证书编号 }}")
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    instruction = OxmlElement("w:instrText")
    instruction.text = ' INCLUDETEXT "/etc/passwd" '
    run._r.append(instruction)
    out = io.BytesIO()
    document.save(out)
    assert "INCLUDETEXT" in _refused(admin, procedure, out.getvalue())
    assert qn  # keeps the import used


def test_the_desk_shows_the_refusal_on_the_file_field(login, admin, procedure):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bad.docx", docx_of_paragraphs("{{ ''.__class__ }}"))
    response = login(admin).post(reverse("desk:print_formats_layout_add"),
                                 {"procedure": procedure.pk, "kind": "检定证书", "upload": upload})
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["upload"])
    assert "安全" in errors
    assert not LayoutVersion.objects.exists()


def test_the_desk_accepts_a_good_layout_and_lists_the_keys(login, admin, procedure):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(admin)
    upload = SimpleUploadedFile("certificate_jjg443.docx", CERTIFICATE.read_bytes())
    response = client.post(reverse("desk:print_formats_layout_add"),
                           {"procedure": procedure.pk, "kind": "检定证书", "upload": upload})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert LayoutVersion.objects.get().original_name == "certificate_jjg443.docx"
    keys = client.get(reverse("desk:print_formats_layout_keys", args=[procedure.pk])).content.decode()
    assert "{{ 示值误差 }}" in keys and "r.V_Bt" in keys
