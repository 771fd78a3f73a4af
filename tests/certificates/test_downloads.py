"""Many certificates as one zip (R-4.2.4.4, R-4.3.12.8): a batch of 100 holds 100 PDFs named by number,
their raw records and a manifest.csv whose SHA-256 values match every file; a job makes it and a page
follows its progress; only the person who asked for it may download it."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from metrology.certificates.downloads import certificate_zip_make
from metrology.certificates.models import Certificate, DownloadBatch
from metrology.doctype.document_kinds import DocumentKind
from metrology.print_formats.services import layout_upload
from metrology.testing.certificates import cheap_certificates
from metrology.testing.jobs import InProcessJobs
from metrology.testing.signing import take
from metrology.workflow.models import RecordStep

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[1] / "data" / "templates"
LIST = "desk:certificates_certificate_changelist"
RAW = "原始记录"


@pytest.fixture
def jobs(settings, tmp_path) -> InProcessJobs:
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return InProcessJobs()


@pytest.fixture
def hundred(fuel_versions, dispenser, initial, complete, inspector, verifier, approver, jobs,
            django_capture_on_commit_callbacks) -> list[Certificate]:
    """One certificate issued through the real path (layout, numbering, approval, job), then 99 more rows
    pointing at copies of its stored files, each with an approval and a number of its own."""
    from metrology.numbering.services import scheme_create

    for kind in (DocumentKind.CERTIFICATE, DocumentKind.RAW_RECORD):  # any layout will do for the raw record
        layout_upload(actor=None, procedure=fuel_versions[0].procedure, kind=kind,
                      data=(TEMPLATES / "certificate_jjg443.docx").read_bytes(), filename="certificate_jjg443.docx")
    scheme_create(actor=None, item=dispenser, test_type=initial.parent, document_kind=DocumentKind.CERTIFICATE,
                  prefix="JD", date_part="YYYY", separator="-", sequence_width=5)
    record = complete(serial_number="JY-BATCH-0001", client="示范加油站有限公司")
    take(inspector, record, "submit")
    take(verifier, record, "verify")
    with django_capture_on_commit_callbacks(execute=True):
        take(approver, record, "approve")
    jobs.run()
    first = Certificate.objects.get(record=record, state=Certificate.State.ISSUED)
    assert first.raw_record_pdf
    pdf, raw = _read(first.pdf), _read(first.raw_record_pdf)
    made = [first]
    for n in range(2, 101):
        approval = RecordStep.objects.create(record=record, action="approve", label="批准", from_state="verified",
                                             to_state="approved", actor=approver)
        number = f"JD-COPY-{n:05d}"
        made.append(Certificate.objects.create(
            record=record, approval=approval, kind=first.kind, number=number, state=Certificate.State.ISSUED,
            numbered_at=timezone.now(), issued_at=timezone.now(),
            pdf=default_storage.save(f"certificates/{number}.pdf", ContentFile(pdf)), pdf_sha256=first.pdf_sha256,
            raw_record_pdf=default_storage.save(f"certificates/{number}-raw.pdf", ContentFile(raw)),
            raw_record_sha256=first.raw_record_sha256))
    return made


def _read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def _ask(client, certificates, django_capture_on_commit_callbacks) -> DownloadBatch:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(LIST), {"action": "download_selected",
                                               "_selected_action": [c.pk for c in certificates]})
    batch = DownloadBatch.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("desk:certificates_downloadbatch_page", args=[batch.pk])
    return batch


def test_a_batch_of_100_holds_100_pdfs_their_raw_records_and_a_matching_manifest(
        login, approver, hundred, jobs, django_capture_on_commit_callbacks):
    client = login(approver)
    batch = _ask(client, hundred, django_capture_on_commit_callbacks)
    assert (batch.state, batch.total, batch.requested_by) == (DownloadBatch.State.WAITING, 200, approver)
    assert jobs.run() == 1
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.error) == (DownloadBatch.State.DONE, 200, "")
    data = _read(batch.file)
    assert hashlib.sha256(data).hexdigest() == batch.sha256
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = set(archive.namelist())
    numbers = [c.number for c in hundred]
    assert names == {f"{n}.pdf" for n in numbers} | {f"{n}-{RAW}.pdf" for n in numbers} | {"manifest.csv"}
    assert all(archive.getinfo(f"{n}.pdf").compress_type == zipfile.ZIP_STORED for n in numbers)
    manifest_bytes = archive.read("manifest.csv")
    assert manifest_bytes.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(manifest_bytes.decode("utf-8-sig"))))
    header, rows = rows[0], rows[1:]
    assert len(rows) == 200 and header[-1] == "SHA-256"
    for row in rows:
        number, name, digest = row[0], row[7], row[-1]
        assert number in numbers and name in names
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
        assert "示范加油站有限公司" in row and "JY-BATCH-0001" in row[2]
    first = hundred[0]
    assert hashlib.sha256(archive.read(f"{first.number}.pdf")).hexdigest() == first.pdf_sha256
    download = client.get(reverse("desk:certificates_downloadbatch_file", args=[batch.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert download["Content-Disposition"].startswith("attachment; filename")
    assert download["Content-Disposition"].endswith(".zip") or download["Content-Disposition"].endswith('.zip"')
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == batch.sha256


def test_the_batch_page_follows_the_job_through_its_progress_endpoint(
        login, approver, hundred, jobs, django_capture_on_commit_callbacks):
    client = login(approver)
    batch = _ask(client, hundred[:3], django_capture_on_commit_callbacks)
    page = client.get(reverse("desk:certificates_downloadbatch_page", args=[batch.pk])).content.decode()
    progress_url = reverse("desk:certificates_downloadbatch_progress", args=[batch.pk])
    assert f'data-progress-url="{progress_url}"' in page and 'id="download-text"' in page
    assert "certificates/desk/batch.js" in page and "<script>" not in page  # no inline script (CSP)
    waiting = client.get(progress_url).json()
    assert (waiting["state"], waiting["done"], waiting["total"], waiting["download_url"]) == ("waiting", 0, 6, "")
    assert client.get(reverse("desk:certificates_downloadbatch_file", args=[batch.pk])).status_code == 404
    jobs.run()
    done = client.get(progress_url).json()
    assert (done["state"], done["done"], done["total"]) == ("done", 6, 6)
    assert done["download_url"] == reverse("desk:certificates_downloadbatch_file", args=[batch.pk])
    batch.refresh_from_db()
    assert done["sha256"] == batch.sha256


def test_only_the_person_who_asked_may_see_or_download_a_batch(
        login, approver, verifier, outsider, hundred, jobs, django_capture_on_commit_callbacks):
    batch = _ask(login(approver), hundred[:2], django_capture_on_commit_callbacks)
    jobs.run()
    for person, refused in ((verifier, 404), (outsider, 403)):
        client = login(person)
        for name in ("page", "progress", "file"):
            url = reverse(f"desk:certificates_downloadbatch_{name}", args=[batch.pk])
            assert client.get(url).status_code == refused, (person, name)


def test_download_all_takes_every_certificate_the_query_finds(
        login, approver, hundred, jobs, django_capture_on_commit_callbacks):
    client = login(approver)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("desk:certificates_certificate_download_all") + "?q=JD-COPY-0001")
    batch = DownloadBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/downloads/{batch.pk}/")
    found = Certificate.objects.filter(number__startswith="JD-COPY-0001")
    assert sorted(batch.certificates) == sorted(c.pk for c in found) and len(found) == 10
    assert client.get(reverse("desk:certificates_certificate_download_all")).status_code == 405
    assert client.post(reverse("desk:certificates_certificate_download_all") + "?pdf__startswith=c").status_code \
        == 400
    bad_date = client.post(reverse("desk:certificates_certificate_download_all") + "?issued_at__gte=x")
    assert bad_date.status_code == 302 and bad_date["Location"].endswith("?e=1")
    assert DownloadBatch.objects.count() == 1


def test_a_file_changed_in_storage_fails_the_batch_and_says_which(
        login, approver, hundred, jobs, django_capture_on_commit_callbacks):
    tampered = hundred[1]
    default_storage.delete(tampered.pdf)
    default_storage.save(tampered.pdf, ContentFile(b"%PDF-1.7 forged"))
    batch = _ask(login(approver), hundred[:3], django_capture_on_commit_callbacks)
    jobs.run()
    batch.refresh_from_db()
    assert batch.state == DownloadBatch.State.FAILED and tampered.number in batch.error and not batch.file


def test_making_a_finished_batch_again_changes_nothing(login, approver, hundred, jobs,
                                                       django_capture_on_commit_callbacks):
    batch = _ask(login(approver), hundred[:2], django_capture_on_commit_callbacks)
    jobs.run()
    batch.refresh_from_db()
    again = certificate_zip_make(batch_id=batch.pk)
    assert (again.file, again.sha256, again.state) == (batch.file, batch.sha256, DownloadBatch.State.DONE)


def test_nothing_issued_yet_makes_no_batch(login, approver, hundred, django_capture_on_commit_callbacks):
    Certificate.objects.filter(pk=hundred[0].pk).update(state=Certificate.State.NUMBERED, pdf="")
    client = login(approver)
    response = client.post(reverse(LIST), {"action": "download_selected", "_selected_action": [hundred[0].pk]})
    assert response.status_code == 302 and not DownloadBatch.objects.exists()


def test_the_batch_page_names_the_module_in_its_breadcrumbs(login, admin, approver, start, jobs):
    from metrology.certificates.downloads import download_batch_create
    from metrology.core.permissions import MODULES

    cheap_certificates(start, approver, 2)
    batch = download_batch_create(actor=admin, certificates=Certificate.objects.all())
    page = login(admin).get(reverse("desk:certificates_downloadbatch_page", args=[batch.pk])).content.decode()
    breadcrumbs = re.search(r'(?s)<div class="breadcrumbs".*?</div>', page).group()
    assert f">{MODULES['certificates'].label}</a>" in breadcrumbs
    assert reverse(LIST) in breadcrumbs


def test_a_batch_left_running_by_a_killed_worker_is_made_when_a_worker_starts_again(login, admin, approver, start,
                                                                                   jobs):
    from metrology.certificates.downloads import download_batch_create, download_batches_resume

    cheap_certificates(start, approver, 2)
    batch = download_batch_create(actor=admin, certificates=Certificate.objects.all())
    DownloadBatch.objects.filter(pk=batch.pk).update(state=DownloadBatch.State.RUNNING, done=1)  # the worker died
    assert download_batches_resume() == 1
    jobs.run()
    batch.refresh_from_db()
    assert (batch.state, batch.done, batch.total) == (DownloadBatch.State.DONE, 2, 2)
    assert download_batches_resume() == 0
