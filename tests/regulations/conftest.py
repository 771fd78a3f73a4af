"""Sample regulation files made on the spot: Word with python-docx, and a PDF of it by LibreOffice."""

from __future__ import annotations

import io
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from metrology.testing.jobs import InProcessJobs

BODY = [
    "本规程适用于燃油加油机的首次检定、后续检定和使用中检查。",
    "检定时环境温度应为零下二十五摄氏度至五十五摄氏度，相对湿度不大于百分之九十五。",
    "加油机的流量计应在最大流量和最小流量之间选取三个流量点进行示值误差检定。" * 4,
    "The Flow Meter shall be verified with a standard metal gauge.",
]
TABLE = [("检定项目", "首次检定"), ("示值误差", "正负百分之零点三"), ("重复性", "不超过百分之零点一")]


def docx_bytes(*paragraphs: str, table: list[tuple[str, str]] | None = None,
               broken: tuple[str, str] | None = None, title: str = "燃油加油机检定规程") -> bytes:
    """A .docx: heading, Chinese paragraphs, a table, and a paragraph cut by a line break inside a phrase."""
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for text in paragraphs or BODY:
        document.add_paragraph(text)
    rows = TABLE if table is None else table
    if rows:
        grid = document.add_table(rows=len(rows), cols=2)
        for r, (left, right) in enumerate(rows):
            grid.cell(r, 0).text, grid.cell(r, 1).text = left, right
    if broken:
        run = document.add_paragraph().add_run(broken[0])
        run.add_break()
        run.add_text(broken[1])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture(autouse=True)
def files_dir(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture(scope="session")
def sample_pdf(tmp_path_factory) -> bytes:
    """Converted by LibreOffice, so it holds real CJK text as pdftotext reads it (line breaks included)."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) is needed to make the sample PDF"
    work = tmp_path_factory.mktemp("pdf")
    source = work / "jjg443.docx"
    source.write_bytes(docx_bytes())
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{work / 'profile'}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(work), str(source)],
        check=True, timeout=120, capture_output=True,
    )
    return (work / "jjg443.pdf").read_bytes()


class Jobs(InProcessJobs):
    """The site's job queue, run in this process by the suite's backend (database queue or RQ).

    Jobs are queued when the transaction commits; inside a test's transaction `enqueued()` runs
    those commit hooks, and `run()` then does what `metrology worker --burst` does.
    """

    def __init__(self, capture_on_commit):
        super().__init__()
        self._capture = capture_on_commit

    @contextmanager
    def enqueued(self):
        with self._capture(execute=True):
            yield

    def after(self, make):
        """`make()` (an upload), then every job it queued; the regulation as the jobs left it."""
        with self.enqueued():
            regulation = make()
        self.run()
        regulation.refresh_from_db()
        return regulation


@pytest.fixture
def jobs(db, django_capture_on_commit_callbacks) -> Jobs:
    return Jobs(django_capture_on_commit_callbacks)


@pytest.fixture
def make_regulation(admin, jobs):
    from metrology.regulations.services import regulation_upload

    def make(code: str, title: str, *paragraphs: str, **dates):
        data = docx_bytes(*(paragraphs or (f"{title}的正文。",)), table=[], title=title)
        return jobs.after(lambda: regulation_upload(actor=admin, file=upload("r.docx", data), code=code,
                                                    title=title, **dates))

    return make
