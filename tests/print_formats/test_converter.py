"""DOCX/XLSX → PDF through LibreOffice: Chinese fonts, the warm server's reuse, restart and shutdown,
clear errors, and the cold fallback. One warm server serves the whole module."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrology.print_formats import converter
from metrology.print_formats.converter import ConverterError, convert_to_pdf

REQUIRED_TOOLS = {"soffice": "LibreOffice (libreoffice-writer-nogui libreoffice-calc-nogui)",
                  "pdftotext": "poppler-utils"}


@pytest.fixture(scope="module", autouse=True)
def required_tools() -> None:
    """A missing converter fails these tests, never skips them: a green run must mean PDFs work (#7)."""
    missing = [package for tool, package in REQUIRED_TOOLS.items() if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"not installed: {', '.join(missing)} - run scripts/system-packages.sh test",
                    pytrace=False)

CERTIFICATE_ROWS = [("器具名称", "燃油加油机"), ("型号规格", "CS52-2220"), ("检定结论", "合格")]


@pytest.fixture(scope="module")
def warm() -> Iterator[None]:
    if converter._uno_python() is None:
        pytest.fail("no .venv-uno for the warm converter: run scripts/setup-uno.sh test", pytrace=False)
    converter.shutdown()
    yield
    converter.shutdown()


# ---------------------------------------------------------------- documents


def _docx(text: str = "检定证书", font: str = "宋体", *, lang: str = "zh-CN", table: bool = True,
          size: int | None = None) -> bytes:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()

    def add_run(paragraph, value: str) -> None:
        run = paragraph.add_run(value)
        run.font.name = font
        properties = run._element.get_or_add_rPr()
        properties.find(qn("w:rFonts")).set(qn("w:eastAsia"), font)
        language = OxmlElement("w:lang")
        language.set(qn("w:eastAsia"), lang)
        properties.append(language)
        if size:
            run.font.size = Pt(size)

    add_run(document.add_paragraph(), text)
    if table:
        grid = document.add_table(rows=0, cols=2)
        for label, value in CERTIFICATE_ROWS:
            cells = grid.add_row().cells
            add_run(cells[0].paragraphs[0], label)
            add_run(cells[1].paragraphs[0], value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["流量点", "示值误差/%"])
    sheet.append(["Qmax", 0.12])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def _pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def _page_image_digest(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "glyphs.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
                   check=True)
    return hashlib.sha256(next(tmp_path.glob("page*.pgm")).read_bytes()).hexdigest()


def _group_members(group: int) -> list[str]:
    """Live (non-zombie) processes of a process group, as "pid name"."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        state, _ppid, pgrp = tail.split()[:3]
        if int(pgrp) == group and state != "Z":
            members.append(f"{stat.parent.name} {head.split('(', 1)[1]}")
    return members


def _wait_until_gone(group: int, seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while (members := _group_members(group)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return members


# ---------------------------------------------------------------- warm conversion


def test_songti_docx_prints_chinese_text_in_an_embedded_noto_cjk_font(warm, tmp_path):
    pdf = convert_to_pdf(_docx(), suffix=".docx")

    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf, tmp_path)
    assert "检定证书" in text and "燃油加油机" in text and "合格" in text
    fonts = _pdf_fonts(pdf, tmp_path)
    assert "NotoSerifCJK" in fonts
    assert "DejaVu" not in fonts


def test_songti_uses_the_simplified_chinese_glyph_forms(warm, tmp_path):
    def digest(font: str, lang: str = "zh-CN") -> str:
        pdf = convert_to_pdf(_docx("骨直今", font, lang=lang, table=False, size=72), suffix=".docx")
        (tmp_path / font).mkdir()
        return _page_image_digest(pdf, tmp_path / font)

    songti = digest("宋体")
    assert songti == digest("Noto Serif CJK SC")
    assert songti != digest("Noto Serif CJK JP", "ja-JP")


def test_xlsx_converts(warm, tmp_path):
    text = _pdf_text(convert_to_pdf(_xlsx(), suffix=".xlsx"), tmp_path)

    assert "示值误差" in text and "0.12" in text


def test_pdfa_flag_makes_pdfa_2b(warm):
    pdf = convert_to_pdf(_docx(), suffix=".docx", pdfa=True)

    assert b"<pdfaid:part>2</pdfaid:part>" in pdf
    assert b"<pdfaid:conformance>B</pdfaid:conformance>" in pdf


def test_warm_server_is_reused_and_restarted_after_libreoffice_dies(warm, tmp_path):
    convert_to_pdf(_docx(), suffix=".docx")
    first = converter.warm_server_pid()
    convert_to_pdf(_docx(), suffix=".docx")
    assert converter.warm_server_pid() == first

    office = [member for member in _group_members(first) if member.endswith("soffice.bin")]
    assert office, _group_members(first)
    os.kill(int(office[0].split()[0]), signal.SIGKILL)

    assert "检定证书" in _pdf_text(convert_to_pdf(_docx(), suffix=".docx"), tmp_path)
    second = converter.warm_server_pid()
    assert second not in (None, first)
    assert _wait_until_gone(first, 5) == []


def test_warm_server_is_restarted_after_it_is_killed(warm):
    convert_to_pdf(_docx(), suffix=".docx")
    killed = converter.warm_server_pid()
    os.killpg(killed, signal.SIGKILL)

    assert convert_to_pdf(_xlsx(), suffix=".xlsx").startswith(b"%PDF-")
    assert converter.warm_server_pid() not in (None, killed)


def test_status_reports_the_running_warm_server(warm):
    convert_to_pdf(_docx(), suffix=".docx")

    status = converter.converter_status()
    assert status["ok"] is True and status["mode"] == "warm"
    assert str(converter.warm_server_pid()) in status["detail"]


# ---------------------------------------------------------------- errors


def test_timeout_gives_a_clear_error_and_the_next_document_converts(warm):
    convert_to_pdf(_docx(), suffix=".docx")
    started = time.monotonic()
    with pytest.raises(ConverterError, match=r"timed out after 0\.001 s"):
        convert_to_pdf(_docx(), suffix=".docx", timeout=0.001)
    assert time.monotonic() - started < 10

    assert convert_to_pdf(_docx(), suffix=".docx").startswith(b"%PDF-")


@pytest.mark.parametrize(("data", "message"), [
    (b"", "is empty"),
    (b"this is not a word document", "damaged or not a .docx file"),
    (_docx()[:600], "LibreOffice could not convert the .docx document to PDF"),
])
def test_broken_input_gives_a_clear_error(warm, data, message):
    with pytest.raises(ConverterError, match=message):
        convert_to_pdf(data, suffix=".docx")


def test_missing_libreoffice_is_reported(monkeypatch):
    monkeypatch.setenv(converter.SOFFICE_ENV, "/nonexistent/soffice")

    status = converter.converter_status()
    assert status == {"ok": False, "mode": "missing", "detail": converter.MISSING_MESSAGE}
    with pytest.raises(ConverterError, match="LibreOffice is not installed"):
        convert_to_pdf(_docx(), suffix=".docx")


# ---------------------------------------------------------------- cold fallback and shutdown


def test_cold_soffice_is_used_without_the_uno_python(warm, monkeypatch, tmp_path):
    converter.shutdown()
    monkeypatch.setenv(converter.UNO_PYTHON_ENV, "/nonexistent/.venv-uno/bin/python")
    assert converter.converter_status()["mode"] == "cold"

    pdf = convert_to_pdf(_docx(), suffix=".docx", pdfa=True)

    assert "检定证书" in _pdf_text(pdf, tmp_path)
    assert "NotoSerifCJK" in _pdf_fonts(pdf, tmp_path)
    assert b"<pdfaid:part>2</pdfaid:part>" in pdf
    assert converter.warm_server_pid() is None


def test_warm_libreoffice_runs_under_a_memory_limit(warm):
    """#8: an uploaded document is untrusted input to LibreOffice too."""
    convert_to_pdf(_docx(), suffix=".docx")
    office = [member for member in _group_members(converter.warm_server_pid()) if member.endswith("soffice.bin")]
    assert office

    limits = Path(f"/proc/{office[0].split()[0]}/limits").read_text()
    address_space = next(line for line in limits.splitlines() if line.startswith("Max address space"))
    assert address_space.split()[3] == str(converter.LIBREOFFICE_MEMORY_BYTES)


def test_a_cold_conversion_over_its_memory_limit_fails_cleanly(warm, monkeypatch):
    converter.shutdown()
    monkeypatch.setenv(converter.UNO_PYTHON_ENV, "/nonexistent/.venv-uno/bin/python")
    monkeypatch.setattr(converter, "LIBREOFFICE_MEMORY_BYTES", 64 * 1024**2)

    with pytest.raises(ConverterError, match="could not convert"):
        convert_to_pdf(_docx(), suffix=".docx", timeout=30)

    monkeypatch.undo()
    assert convert_to_pdf(_docx(), suffix=".docx").startswith(b"%PDF-")


def test_shutdown_leaves_no_libreoffice_process(warm):
    convert_to_pdf(_docx(), suffix=".docx")
    group = converter.warm_server_pid()
    assert any(member.endswith("soffice.bin") for member in _group_members(group))

    converter.shutdown()

    assert converter.warm_server_pid() is None
    assert _group_members(group) == []
    assert converter.converter_status()["detail"].startswith("warm LibreOffice starts on first use")


def test_libreoffice_goes_away_when_its_parent_process_is_killed(warm, tmp_path):
    script = ("from metrology.print_formats.converter import convert_to_pdf, warm_server_pid\n"
              "import sys, time\n"
              "convert_to_pdf(sys.stdin.buffer.read(), suffix='.docx')\n"
              "print(warm_server_pid(), flush=True)\n"
              "time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    parent.stdin.write(_docx())
    parent.stdin.close()
    group = int(parent.stdout.readline())
    assert _group_members(group)

    parent.kill()
    parent.wait()

    assert _wait_until_gone(group, 5) == []


# ---------------------------------------------------------------- scripts/setup-uno.sh

SETUP_UNO = Path(__file__).resolve().parents[2] / "scripts/setup-uno.sh"


def _setup_uno_without_python3_uno(profile: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(SETUP_UNO), profile],
                          env=os.environ | {"UNO_SYSTEM_PYTHON": "/nonexistent/python3"},
                          capture_output=True, text=True, timeout=30)


def test_setup_uno_explains_and_succeeds_without_python3_uno_for_run():
    done = _setup_uno_without_python3_uno("run")

    assert done.returncode == 0
    assert "cannot import uno" in done.stderr and "cold soffice" in done.stderr


def test_setup_uno_fails_without_python3_uno_for_test():
    """#7: `make test` must not go green on a machine whose warm converter cannot be built."""
    done = _setup_uno_without_python3_uno("test")

    assert done.returncode != 0
    assert "cannot import uno" in done.stderr and "python3-uno" in done.stderr


def test_setup_uno_is_idempotent(warm):
    assert (SETUP_UNO.parents[1] / ".venv-uno/bin/python").exists(), "run scripts/setup-uno.sh test"
    done = subprocess.run([str(SETUP_UNO)], capture_output=True, text=True, timeout=30)

    assert done.returncode == 0
    assert "creating" not in done.stdout
