"""Reports taken out as files (R-4.2.5.5, R-4.3.13.5): an Excel workbook, CSV text, or a zip of the
workbook and the rows' certificate PDFs.

Asked for in a web request (report_export_create: the definition checked against the columns the person
may see, the export row and its audit row in one transaction), made by a job (tasks.py) that streams the
rows from the database (query.export_values) into a file on disk, reports its progress every
PROGRESS_EVERY rows, and keeps the file through Django's storage with its SHA-256. Small exports take
the same path. The workbook is streamed (xlsx_stream), so memory stays flat however many rows: numbers
are numeric cells, dates date cells, and every text a text cell (inline string), so a client named
“=1+1” is never a formula; CSV is UTF-8 with a BOM (Excel reads Chinese right) and a text that a
spreadsheet would run as a formula gets a leading '.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from itertools import chain, islice
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from metrology.certificates.downloads import (
    CHUNK, MAX_CERTIFICATES, UNSAFE_IN_NAMES, zip_add, sha256_of, entries,
)
from metrology.certificates.models import Certificate
from metrology.core.audit import audit_log
from metrology.core.errors import ApplicationError
from metrology.core.permissions import perm
from metrology.reports.columns import Column, columns_for
from metrology.reports.models_export import ReportExport
from metrology.reports.query import Report, ReportRefused, export_values, filtered, report_parse
from metrology.reports.selectors import report_records
from metrology.reports.xlsx_stream import FORMULA_STARTS, SheetWriter

logger = logging.getLogger(__name__)

FOLDER = "exports/reports"
PROGRESS_EVERY = 1000  # rows (or files) between progress updates
WIDTH_SAMPLE = 200  # rows read ahead to size the workbook's columns
MAX_XLSX_ROWS = 1_048_575  # an Excel sheet's rows, the header aside
MAX_ZIP_ROWS = MAX_CERTIFICATES
MAX_NAME = 100
CONTENT_TYPES = {
    ReportExport.Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportExport.Format.CSV: "text/csv; charset=utf-8",
    ReportExport.Format.ZIP: "application/zip",
}


class ExportRefused(ReportRefused):
    pass


# ---------------------------------------------------------------------------------------------- asking


def report_export_create(*, actor, spec: Any, format: Any, name: Any = "") -> ReportExport:
    """An export of the definition as the person may run it, queued for the job; refused (in Chinese,
    naming the field) when the definition, the format or the number of rows does not allow it."""
    from metrology.core.tasks import enqueue_on_commit
    from metrology.reports.tasks import make_report_export

    _check_may_export(actor)
    if format not in ReportExport.Format.values:
        raise ExportRefused(_("Choose the file format: Excel (.xlsx), CSV (.csv) or a zip with the certificates "
                              "(.zip)."), field="format")
    report = report_parse(spec, columns_for(actor))
    if format == ReportExport.Format.ZIP and not actor.has_perm(perm("certificates_query")):
        raise ExportRefused(_("You may not query certificates, so they cannot be exported with the report; "
                              "export a spreadsheet instead."), field="format")
    name = name.strip()[:MAX_NAME] if isinstance(name, str) else ""
    rows = _rows_allowed(filtered(report_records(actor), report)[0].count(), format)
    with transaction.atomic():
        export = ReportExport.objects.create(requested_by=actor, name=name, spec=spec, format=format, total=rows)
        audit_log(actor=actor, action="report.exported", obj=export,
                  after={"name": name, "format": format, "spec": spec, "rows": rows})
        enqueue_on_commit(make_report_export, export.pk)
    return export


def _check_may_export(person) -> None:
    if not (person.is_active and person.has_perm(perm("reports_export"))):
        raise ExportRefused(_("You may run reports but not export them."))


def _rows_allowed(rows: int, format: str) -> int:
    if format == ReportExport.Format.XLSX and rows > MAX_XLSX_ROWS:
        raise ExportRefused(_("An Excel sheet holds at most %(max)d rows and this report has %(count)d; narrow "
                              "the filters, or export CSV.") % {"max": MAX_XLSX_ROWS, "count": rows}, field="format")
    if format == ReportExport.Format.ZIP and rows > MAX_ZIP_ROWS:
        raise ExportRefused(_("A zip with the certificates holds at most %(max)d rows and this report has "
                              "%(count)d; narrow the filters, or export a spreadsheet alone.")
                            % {"max": MAX_ZIP_ROWS, "count": rows}, field="format")
    return rows


def export_of(*, pk: int, person) -> ReportExport | None:
    """An export, only for the person who asked for it."""
    return ReportExport.objects.filter(pk=pk, requested_by=person).first()


def file_name(export: ReportExport) -> str:
    """What the file is called on download: the report's name and when it was asked for."""
    stamp = timezone.localtime(export.requested_at)
    return f"{_base_name(export)}-{stamp:%Y%m%d-%H%M}.{export.format}"


def _base_name(export: ReportExport) -> str:
    return (export.name or _("statistics report")).translate(UNSAFE_IN_NAMES)


# ---------------------------------------------------------------------------------------------- making


def report_export_make(*, export_id: int) -> ReportExport:
    """Make the export's file; one already made is left as it is, one interrupted is made again."""
    export = ReportExport.objects.select_related("requested_by").get(pk=export_id)
    if export.state == ReportExport.State.DONE:
        return export
    ReportExport.objects.filter(pk=export.pk).update(state=ReportExport.State.RUNNING, done=0, error="",
                                                     started_at=timezone.now(), finished_at=None)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            stored, digest, total = _make(export)
    except Exception as error:
        if isinstance(error, ApplicationError):
            message = error.message
        else:
            logger.exception("report export %s failed", export.pk)
            with translation.override(settings.LANGUAGE_CODE):
                message = _("The file could not be made because of an error on the server; please try again, "
                            "or tell the administrator if it fails again.")
        ReportExport.objects.filter(pk=export.pk).update(state=ReportExport.State.FAILED, error=str(message)[:500],
                                                         finished_at=timezone.now())
        raise
    ReportExport.objects.filter(pk=export.pk).update(state=ReportExport.State.DONE, file=stored, sha256=digest,
                                                     done=total, total=total, finished_at=timezone.now())
    export.refresh_from_db()
    return export


def report_exports_resume() -> int:
    """Queue again every export not finished — its job lost with a killed worker — when a worker starts;
    how many. Making one twice does no harm: the second run makes the file again."""
    from metrology.reports.tasks import make_report_export

    pending = list(ReportExport.objects.filter(state__in=[ReportExport.State.WAITING, ReportExport.State.RUNNING])
                   .order_by("pk").values_list("pk", flat=True))
    for export_id in pending:
        make_report_export.enqueue(export_id)
    return len(pending)


class Progress:
    """Counts what is written and tells the export row every PROGRESS_EVERY steps."""

    def __init__(self, export_id: int, *, every: int | None = None):
        self.export_id, self.every, self.done = export_id, every or PROGRESS_EVERY, 0

    def step(self) -> None:
        self.done += 1
        if self.done % self.every == 0:
            ReportExport.objects.filter(pk=self.export_id).update(done=self.done)

    def total(self, total: int) -> None:
        ReportExport.objects.filter(pk=self.export_id).update(total=total)


def _make(export: ReportExport) -> tuple[str, str, int]:
    person = export.requested_by
    _check_may_export(person)
    report = report_parse(export.spec, columns_for(person))
    base = report_records(person)
    records = filtered(base, report)[0]
    total = _rows_allowed(records.count(), export.format)
    certificates = None
    if export.format == ReportExport.Format.ZIP:
        if not person.has_perm(perm("certificates_query")):
            raise ExportRefused(_("You may not query certificates, so they cannot be exported with the report; "
                                  "export a spreadsheet instead."))
        certificates = _certificates(records)
        total += certificates.count() + certificates.exclude(raw_record_pdf="").count()
    progress = Progress(export.pk)
    progress.total(total)
    rows = export_values(base, report)
    with tempfile.TemporaryFile(suffix=f".{export.format}") as spool:
        if export.format == ReportExport.Format.XLSX:
            write_xlsx(spool, report.columns, rows, on_row=progress.step, title=_base_name(export))
        elif export.format == ReportExport.Format.CSV:
            write_csv(spool, report.columns, rows, on_row=progress.step)
        else:
            _write_zip(spool, export, report, rows, certificates, progress)
        digest = sha256_of(spool)
        spool.seek(0)
        stored = default_storage.save(f"{FOLDER}/export-{export.pk}-{digest[:12]}.{export.format}",
                                      File(spool, name=f"export.{export.format}"))
    return stored, digest, progress.done


def _certificates(records: QuerySet) -> QuerySet:
    """The issued (or voided) certificates of the rows' records, by number."""
    return (Certificate.objects.filter(record__in=records.values("pk")).exclude(pdf="")
            .select_related("record").order_by("number"))


def _write_zip(spool: BinaryIO, export: ReportExport, report: Report, rows: Iterable[tuple],
               certificates: QuerySet, progress: Progress) -> None:
    base = _base_name(export)
    folder = _("certificates")
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        with tempfile.TemporaryFile(suffix=".xlsx") as workbook:
            write_xlsx(workbook, report.columns, rows, on_row=progress.step, title=base)
            workbook.seek(0)
            info = zipfile.ZipInfo(f"{base}.xlsx", date_time=timezone.localtime().timetuple()[:6])
            with archive.open(info, "w") as target:
                shutil.copyfileobj(workbook, target, CHUNK)
        for certificate in certificates.iterator(chunk_size=500):
            for entry in entries(certificate):
                zip_add(archive, dataclasses.replace(entry, name=f"{folder}/{entry.name}"), certificate)
                progress.step()


# ---------------------------------------------------------------------------------------------- files


def write_xlsx(target: BinaryIO, columns: Iterable[Column], rows: Iterable[tuple], *,
               on_row: Callable[[], None] = lambda: None, title: str = "") -> None:
    """The rows as one sheet (xlsx_stream): a bold, filled, frozen header of the columns' labels, columns
    sized to the header and the first rows, numbers and dates typed, texts never formulas; streamed."""
    columns = list(columns)
    rows = iter(rows)
    first = list(islice(rows, WIDTH_SAMPLE))
    with SheetWriter(target, title=title or _("statistics report"), header=[str(c.label) for c in columns],
                     widths=_widths(columns, first)) as sheet:
        for block in _blocks(chain(first, rows)):
            sheet.write(block)
            for _row in block:
                on_row()


def _blocks(rows: Iterator[tuple], size: int = 500) -> Iterator[list[tuple]]:
    while block := list(islice(rows, size)):
        yield block


def _widths(columns: list[Column], rows: list[tuple]) -> list[float]:
    widths = []
    for index, column in enumerate(columns):
        shown = [str(column.label)] + [_csv_value(row[index]) for row in rows]
        widths.append(min(60.0, max(8.0, max(_display_width(text) for text in shown) + 2.0)))
    return widths


def _display_width(text: str) -> int:
    """Characters as Excel's column width counts them: a Chinese character is two."""
    return sum(2 if ord(character) > 0x2E7F else 1 for character in text)


def write_csv(target: BinaryIO, columns: Iterable[Column], rows: Iterable[tuple], *,
              on_row: Callable[[], None] = lambda: None) -> None:
    """The rows as CSV in UTF-8 with a BOM: numbers as plain decimals, dates as 2026-12-03, a text that
    starts like a formula with a leading '."""
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([str(column.label) for column in columns])
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
        on_row()
    text.flush()
    text.detach()  # the caller keeps the file open


def _csv_text(value: Any) -> str:
    shown = _csv_value(value)
    return f"'{shown}" if isinstance(value, str) and shown.startswith(FORMULA_STARTS) else shown


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) \
            else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)

