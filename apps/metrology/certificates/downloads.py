"""Many certificates as one zip (R-4.2.4.4, R-4.3.12.8): each PDF named by its number, its raw record
beside it, and manifest.csv naming every file with its SHA-256.

A batch is asked for in a web request and made by a job (download_tasks.py), which streams the files
one by one into a zip on disk (stored, not compressed: PDFs are compressed already) and reports its
progress on the batch; the finished zip is kept through Django's storage API with its SHA-256. Each
file's hash is computed as it is copied and must be the one recorded when it was issued, so a zip never
carries a file that changed in storage.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from metrology.certificates.errors import CertificateRefused
from metrology.certificates.models import Certificate, DownloadBatch
from metrology.certificates.selectors import certificates_in_order, current_pdf, instrument

FOLDER = "certificate-downloads"
MAX_CERTIFICATES = 10_000
CHUNK = 1024 * 1024
READ_IN = 500  # certificates read from the database at a time
PROGRESS_EVERY = 0.5  # seconds between progress updates
UNSAFE_IN_NAMES = str.maketrans({c: "_" for c in '/\\:*?"<>|\0'})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Entry:
    name: str  # in the zip
    stored: str  # in storage
    sha256: str  # recorded at issue
    kind: str  # what the file is, in words


def download_batch_create(*, actor, certificates: QuerySet[Certificate]) -> DownloadBatch:
    """A batch of the certificates that have a PDF, in the order given, queued to be zipped."""
    from metrology.certificates.download_tasks import make_certificate_zip
    from metrology.core.tasks import enqueue_on_commit

    rows = list(certificates.exclude(pdf="").values_list("pk", "raw_record_pdf")[:MAX_CERTIFICATES + 1])
    if not rows:
        raise CertificateRefused(_("None of the chosen certificates has been issued yet; there is nothing to "
                                   "download."))
    if len(rows) > MAX_CERTIFICATES:
        raise CertificateRefused(ngettext(
            "At most %(count)d certificate can be downloaded at once; please narrow the query.",
            "At most %(count)d certificates can be downloaded at once; please narrow the query.",
            MAX_CERTIFICATES) % {"count": MAX_CERTIFICATES})
    with transaction.atomic():
        batch = DownloadBatch.objects.create(
            requested_by=actor, certificates=[pk for pk, _raw in rows],
            total=len(rows) + sum(1 for _pk, raw in rows if raw))
        enqueue_on_commit(make_certificate_zip, batch.pk)
    return batch


def certificate_zip_make(*, batch_id: int) -> DownloadBatch:
    """Make the batch's zip; a batch already made is left as it is, one interrupted is made again."""
    batch = DownloadBatch.objects.get(pk=batch_id)
    if batch.state == DownloadBatch.State.DONE:
        return batch
    DownloadBatch.objects.filter(pk=batch.pk).update(state=DownloadBatch.State.RUNNING, done=0, error="")
    try:
        with translation.override(settings.LANGUAGE_CODE):
            name, digest, files = _zip(batch)
    except Exception as error:
        message = error.message if isinstance(error, CertificateRefused) else str(error)
        DownloadBatch.objects.filter(pk=batch.pk).update(state=DownloadBatch.State.FAILED, error=message[:500])
        raise
    DownloadBatch.objects.filter(pk=batch.pk).update(state=DownloadBatch.State.DONE, file=name, sha256=digest,
                                                     done=files, total=files)
    batch.refresh_from_db()
    return batch


def download_batches_resume() -> int:
    """Queue again every batch not finished — its job lost with a killed worker — when a worker starts;
    how many. Making one twice does no harm: the second run makes the same zip again."""
    from metrology.certificates.download_tasks import make_certificate_zip

    pending = list(DownloadBatch.objects.filter(state__in=[DownloadBatch.State.WAITING, DownloadBatch.State.RUNNING])
                   .order_by("pk").values_list("pk", flat=True))
    for batch_id in pending:
        make_certificate_zip.enqueue(batch_id)
    return len(pending)


def entries(certificate: Certificate) -> list[Entry]:
    """The files of one certificate in a zip: `<number>.pdf` and `<number>-原始记录.pdf` when it has one."""
    number = certificate.number.translate(UNSAFE_IN_NAMES)
    stored, digest = current_pdf(certificate)
    found = [Entry(f"{number}.pdf", stored, digest, _("certificate"))]
    if certificate.raw_record_pdf:
        found.append(Entry(f"{number}-{_('raw record')}.pdf", certificate.raw_record_pdf,
                           certificate.raw_record_sha256, _("raw record")))
    return found


def _each(ids: list[int]) -> Iterator[Certificate]:
    for start in range(0, len(ids), READ_IN):
        yield from certificates_in_order(ids[start:start + READ_IN])


def _zip(batch: DownloadBatch) -> tuple[str, str, int]:
    with tempfile.TemporaryFile(suffix=".zip") as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            manifest, done, reported = [], 0, time.monotonic()
            for certificate in _each(batch.certificates):
                for entry in entries(certificate):
                    digest = zip_add(archive, entry, certificate)
                    manifest.append(_manifest_row(certificate, entry, digest))
                    done += 1
                    if time.monotonic() - reported >= PROGRESS_EVERY:
                        DownloadBatch.objects.filter(pk=batch.pk).update(done=done)
                        reported = time.monotonic()
            _write_manifest(archive, manifest)
        digest = sha256_of(spool)
        spool.seek(0)
        name = default_storage.save(f"{FOLDER}/batch-{batch.pk}-{digest[:12]}.zip", File(spool, name="batch.zip"))
    return name, digest, done


def zip_add(archive: zipfile.ZipFile, entry: Entry, certificate: Certificate) -> str:
    stamp = timezone.localtime(certificate.issued_at or certificate.numbered_at)
    info = zipfile.ZipInfo(entry.name, date_time=(max(stamp.year, 1980), *stamp.timetuple()[1:6]))
    info.compress_type = zipfile.ZIP_STORED
    digest = hashlib.sha256()
    try:
        source = default_storage.open(entry.stored, "rb")
    except (FileNotFoundError, OSError):
        raise CertificateRefused(_("The file %(file)s of certificate %(number)s is missing from storage.")
                                 % {"file": entry.name, "number": certificate.number}) from None
    with source, archive.open(info, "w") as target:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            target.write(chunk)
    if entry.sha256 and digest.hexdigest() != entry.sha256:
        raise CertificateRefused(_("The file %(file)s of certificate %(number)s is not the one issued: its "
                                   "SHA-256 differs from the one recorded.")
                                 % {"file": entry.name, "number": certificate.number})
    return digest.hexdigest()


def manifest_header() -> list[str]:
    return [_("certificate number"), _("document kind"), _("instrument"), _("client"), _("conclusion"),
            _("issued at"), _("state"), _("file"), _("file type"), "SHA-256"]


def _manifest_row(certificate: Certificate, entry: Entry, digest: str) -> list[str]:
    issued = timezone.localtime(certificate.issued_at).strftime("%Y-%m-%d %H:%M") if certificate.issued_at else ""
    return [certificate.number, certificate.get_kind_display(), instrument(certificate), certificate.record.client,
            certificate.record.conclusion, issued, certificate.get_state_display(), entry.name, entry.kind, digest]


def _cell(value: str) -> str:
    """A value Excel shows as text, never runs as a formula."""
    value = str(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _write_manifest(archive: zipfile.ZipFile, rows: list[list[str]]) -> None:
    info = zipfile.ZipInfo("manifest.csv", date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text:
        writer = csv.writer(text)
        writer.writerow(manifest_header())
        writer.writerows([_cell(value) for value in row] for row in rows)


def sha256_of(handle) -> str:
    handle.seek(0)
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()
