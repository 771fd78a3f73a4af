"""Uploading regulations: untrusted files are checked before any parser sees them, and a refused
file saves nothing; what is saved is audited. The text is read afterwards by a job (#7 item 6),
whose failures are recorded on the regulation."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.utils import translation

from metrology.core.audit import audit_chain_verify
from metrology.core.models import AuditEvent
from metrology.regulations.errors import RegulationRefused
from metrology.regulations.models import ExtractionState, Kind, Regulation, RegulationGram, Status
from metrology.regulations.services import regulation_update, regulation_upload
from metrology.regulations.uploads import MAX_FILE_BYTES

from .conftest import docx_bytes, upload

pytestmark = pytest.mark.django_db


def _refused(admin, file, code: str = "JJG 443-2023") -> RegulationRefused:
    with translation.override("en"), pytest.raises(RegulationRefused) as caught:
        regulation_upload(actor=admin, file=file, code=code, title="燃油加油机检定规程")
    return caught.value


def _nothing_stored(files_dir: Path) -> bool:
    stored = list((files_dir / "regulations").glob("*")) if (files_dir / "regulations").exists() else []
    return (not Regulation.objects.exists() and not RegulationGram.objects.exists() and not stored
            and not AuditEvent.objects.filter(action__startswith="regulation.").exists())


def _rezip(data: bytes, *, add: dict[str, bytes] | None = None,
           replace: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(data))
    with source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, (replace or {}).get(member.filename, source.read(member)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def _pdf_without_text() -> bytes:
    """One blank page and no text: what a scanner without OCR produces, minus the image."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# -- accepted ----------------------------------------------------------------------------------


def test_a_pdf_is_stored_under_the_files_folder_by_its_hash_with_its_text(admin, sample_pdf, files_dir, jobs):
    regulation = jobs.after(lambda: regulation_upload(
        actor=admin, file=upload("JJG 443-2023.pdf", sample_pdf), code="  jjg443－2023 ",
        title="燃油加油机检定规程", effective_date=dt.date(2023, 6, 1)))
    sha = hashlib.sha256(sample_pdf).hexdigest()
    assert regulation.code == "JJG 443-2023" and regulation.kind == Kind.JJG
    assert regulation.file.name == f"regulations/{sha}.pdf"
    assert (files_dir / "regulations" / f"{sha}.pdf").read_bytes() == sample_pdf
    assert (regulation.file_sha256, regulation.file_size, regulation.original_name) == (
        sha, len(sample_pdf), "JJG 443-2023.pdf")
    assert "燃油加油机" in regulation.text and regulation.uploaded_by == admin
    assert regulation.status == Status.CURRENT


def test_the_upload_is_audited_in_the_chain(admin, files_dir):
    regulation = regulation_upload(actor=admin, file=upload("a.docx", docx_bytes()), code="JJF 1001-2011",
                                   title="通用计量术语及定义")
    event = AuditEvent.objects.get(action="regulation.uploaded")
    assert (event.actor, event.object_id) == (admin, str(regulation.pk))
    assert event.after["code"] == "JJF 1001-2011" and event.after["file_sha256"] == regulation.file_sha256
    assert event.after["kind"] == Kind.JJF
    assert audit_chain_verify().ok


def test_the_kind_follows_the_code_unless_given(admin):
    made = {code: regulation_upload(actor=admin, file=upload("a.docx", docx_bytes()), code=code, title="标准")
            for code in ("GB/T 9109.1-2023", "Q/ABC 1-2020")}
    assert made["GB/T 9109.1-2023"].kind == Kind.GB and made["Q/ABC 1-2020"].kind == Kind.OTHER
    given = regulation_upload(actor=admin, file=upload("a.docx", docx_bytes()), code="XYZ 1-2020", title="x",
                              kind=Kind.JJF)
    assert given.kind == Kind.JJF


def test_a_pdf_without_text_is_stored_with_empty_text_and_a_note(admin, jobs):
    regulation = jobs.after(lambda: regulation_upload(
        actor=admin, file=upload("scan.pdf", _pdf_without_text()), code="JJG 1-2000", title="扫描件"))
    assert regulation.text == "" and regulation.extraction_note
    assert regulation.extraction_state == ExtractionState.DONE
    assert regulation.file.name.endswith(".pdf")


def test_a_new_file_is_a_new_upload_and_the_old_file_is_kept(admin, files_dir):
    regulation = regulation_upload(actor=admin, file=upload("v1.docx", docx_bytes("第一版正文。")),
                                   code="JJG 443-2023", title="燃油加油机检定规程")
    old_name, old_sha = regulation.file.name, regulation.file_sha256
    regulation_update(actor=admin, regulation=regulation, file=upload("v2.docx", docx_bytes("第二版正文。")))
    regulation.refresh_from_db()
    assert regulation.file.name != old_name and regulation.original_name == "v2.docx"
    assert (files_dir / old_name).exists() and (files_dir / regulation.file.name).exists()
    event = AuditEvent.objects.get(action="regulation.file_replaced")
    assert event.before["file_sha256"] == old_sha and event.after["file_sha256"] == regulation.file_sha256


def test_editing_the_details_is_audited_with_before_and_after(admin):
    regulation = regulation_upload(actor=admin, file=upload("a.docx", docx_bytes()), code="JJG 443-2015",
                                   title="燃油加油机")
    regulation_update(actor=admin, regulation=regulation, title="燃油加油机检定规程",
                      withdrawal_date=dt.date(2024, 1, 1))
    event = AuditEvent.objects.get(action="regulation.updated")
    assert event.before == {"title": "燃油加油机", "withdrawal_date": None}
    assert event.after == {"title": "燃油加油机检定规程", "withdrawal_date": "2024-01-01"}


def test_the_status_follows_the_dates(admin):
    regulation = regulation_upload(actor=admin, file=upload("a.docx", docx_bytes()), code="JJG 443-2015",
                                   title="燃油加油机检定规程", effective_date=dt.date(2016, 3, 1),
                                   withdrawal_date=dt.date(2024, 1, 1))
    assert regulation.status_on(dt.date(2015, 12, 31)) == Status.UPCOMING
    assert regulation.status_on(dt.date(2023, 12, 31)) == Status.CURRENT
    assert regulation.status_on(dt.date(2024, 1, 1)) == Status.WITHDRAWN
    assert regulation.status == Status.WITHDRAWN
    assert list(Regulation.objects.withdrawn()) == [regulation] and not Regulation.objects.current().exists()
    assert list(Regulation.objects.current(on=dt.date(2020, 1, 1))) == [regulation]


def test_a_withdrawal_before_the_effective_date_is_refused(admin):
    with pytest.raises(RegulationRefused) as caught:
        regulation_upload(actor=admin, file=upload("a.docx", docx_bytes()), code="JJG 1-2020", title="x",
                          effective_date=dt.date(2020, 5, 1), withdrawal_date=dt.date(2020, 4, 1))
    assert caught.value.code == "bad_dates"


def test_a_code_already_in_the_library_is_refused(admin, files_dir):
    regulation_upload(actor=admin, file=upload("a.docx", docx_bytes()), code="JJG 443-2023", title="x")
    error = _refused(admin, upload("b.docx", docx_bytes()), code="jjg 443—2023")
    assert error.code == "duplicate_code" and "JJG 443-2023" in error.message
    assert Regulation.objects.count() == 1


# -- refused, nothing stored -------------------------------------------------------------------


def test_a_docm_file_is_refused(admin, files_dir):
    error = _refused(admin, upload("macro.docm", docx_bytes(),
                                   "application/vnd.ms-word.document.macroEnabled.12"))
    assert error.code == "macro" and "Macro-enabled" in error.message
    assert _nothing_stored(files_dir)


def test_a_docx_carrying_macros_is_refused_whatever_its_name(admin, files_dir):
    data = docx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml").replace(
            b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml")
    macro = _rezip(data, add={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 512},
                   replace={"[Content_Types].xml": types})
    error = _refused(admin, upload("innocent.docx", macro))
    assert error.code == "macro"
    assert _nothing_stored(files_dir)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(admin, files_dir):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("[Content_Types].xml", b"<Types/>")
        bomb.writestr("word/document.xml", b"\0" * (20 * 1024 * 1024))
    assert len(out.getvalue()) < 100_000
    error = _refused(admin, upload("bomb.docx", out.getvalue()))
    assert error.code == "zip_bomb" and "word/document.xml" in error.message and "zip bomb" in error.message
    assert _nothing_stored(files_dir)


def test_a_docx_with_too_many_parts_is_refused(admin, files_dir):
    many = _rezip(docx_bytes(), add={f"word/media/p{i}.bin": b"x" for i in range(1001)})
    error = _refused(admin, upload("many.docx", many))
    assert error.code == "zip_bomb" and "1000" in error.message
    assert _nothing_stored(files_dir)


def test_a_docx_declaring_entities_is_refused(admin, files_dir):
    data = docx_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = archive.read("word/document.xml")
    laughs = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "ha">]>' + body.split(b"?>", 1)[1]
    error = _refused(admin, upload("laughs.docx", _rezip(data, replace={"word/document.xml": laughs})))
    assert error.code == "doctype"
    assert _nothing_stored(files_dir)


def test_a_fake_pdf_is_refused(admin, files_dir):
    page = b"<html><script>alert(1)</script></html>"
    error = _refused(admin, upload("regulation.pdf", page, "application/pdf"))
    assert error.code == "not_pdf" and "not a PDF" in error.message
    assert _nothing_stored(files_dir)


def test_a_word_document_named_pdf_is_refused(admin, files_dir):
    error = _refused(admin, upload("regulation.pdf", docx_bytes(), "application/pdf"))
    assert error.code == "not_pdf"
    assert _nothing_stored(files_dir)


def test_a_file_that_is_not_a_docx_is_refused(admin, files_dir):
    error = _refused(admin, upload("regulation.docx", b"just some text"))
    assert error.code == "not_docx" and "not a Word (.docx) file" in error.message
    assert _nothing_stored(files_dir)


def test_an_oversize_file_is_refused(admin, files_dir):
    error = _refused(admin, upload("huge.pdf", b"%PDF-1.7\n" + b"\0" * MAX_FILE_BYTES))
    assert error.code == "too_large" and "50 MiB" in error.message
    assert _nothing_stored(files_dir)


def test_other_file_types_are_refused(admin, files_dir):
    for name in ("notes.txt", "old.doc", "page.html", "noextension"):
        assert _refused(admin, upload(name, b"%PDF-1.4 pretending")).code == "wrong_type"
    assert _nothing_stored(files_dir)


def test_an_empty_file_is_refused(admin, files_dir):
    assert _refused(admin, upload("empty.pdf", b"")).code == "empty"
    assert _nothing_stored(files_dir)


def _failed(jobs, admin, file) -> Regulation:
    with translation.override("en"):
        return jobs.after(lambda: regulation_upload(actor=admin, file=file, code="JJG 443-2023",
                                                    title="燃油加油机检定规程"))


def test_a_pdf_whose_text_cannot_be_read_is_kept_with_the_failure_recorded(admin, files_dir, jobs):
    """#7 item 6: the file passed the upload checks, so it is kept; the job records why it failed."""
    regulation = _failed(jobs, admin, upload("broken.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 100))
    assert regulation.extraction_state == ExtractionState.FAILED
    assert "cannot be read" in regulation.extraction_error and regulation.text == ""
    assert AuditEvent.objects.filter(action="regulation.text_failed", object_id=str(regulation.pk)).exists()


def test_a_pdf_reader_that_hangs_is_stopped_and_the_failure_recorded(
        admin, files_dir, monkeypatch, sample_pdf, jobs):
    import subprocess

    from metrology.regulations import extraction

    def hang(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.setattr(extraction.subprocess, "run", hang)
    regulation = _failed(jobs, admin, upload("slow.pdf", sample_pdf))
    assert regulation.extraction_state == ExtractionState.FAILED
    assert "60 seconds" in regulation.extraction_error
