"""Fixtures of the certificates tests: the JJG 443 certificate layout bound, a certificate numbering scheme,
an approved F1 record whose issuing job is queued, and the job queue run in the test's process."""

from __future__ import annotations

from pathlib import Path

import pytest

from metrology.doctype.document_kinds import DocumentKind
from metrology.print_formats.services import layout_upload
from metrology.testing.jobs import InProcessJobs
from metrology.testing.signing import take

TEMPLATES = Path(__file__).resolve().parents[1] / "data" / "templates"


@pytest.fixture
def jobs(settings, tmp_path) -> InProcessJobs:
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return InProcessJobs()


@pytest.fixture
def issuing(fuel_versions, dispenser, initial, jobs):
    from metrology.numbering.services import scheme_create

    layout_upload(actor=None, procedure=fuel_versions[0].procedure, kind=DocumentKind.CERTIFICATE,
                  data=(TEMPLATES / "certificate_jjg443.docx").read_bytes(), filename="certificate_jjg443.docx")
    return scheme_create(actor=None, item=dispenser, test_type=initial.parent, document_kind=DocumentKind.CERTIFICATE,
                         prefix="JD", date_part="YYYY", separator="-", sequence_width=5)


@pytest.fixture
def approved(complete, inspector, verifier, approver, issuing, django_capture_on_commit_callbacks):
    record = complete(serial_number="JY-ISSUE-0042", client="示范加油站有限公司")
    take(inspector, record, "submit")
    take(verifier, record, "verify")
    with django_capture_on_commit_callbacks(execute=True):
        take(approver, record, "approve")
    return record
