"""A report taken out as a file (R-4.2.5.5, R-4.3.13.5): asked for in the Desk, made by a job, kept in
storage for the person who asked for it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrology.certificates.models import DownloadBatch


class ReportExport(models.Model):
    """One export of a report's definition as .xlsx, .csv or a .zip of the spreadsheet and the rows'
    certificates; the job reports its progress in rows (and files, for a zip)."""

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel workbook (.xlsx)")
        CSV = "csv", _("CSV text (.csv)")
        ZIP = "zip", _("workbook and certificate PDFs (.zip)")

    State = DownloadBatch.State  # waiting, being made, ready, failed: the same words as a certificate zip

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    name = models.CharField(_("report name"), max_length=100, blank=True)
    spec = models.JSONField(_("definition"), default=dict)
    format = models.CharField(_("file format"), max_length=10, choices=Format.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    done = models.PositiveIntegerField(_("rows and files written"), default=0)
    total = models.PositiveIntegerField(_("rows and files in all"), default=0)
    file = models.CharField(_("export file"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256 of the export file"), max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")

    def __str__(self) -> str:
        return f"{self.name or self.pk} · {self.format} · {self.requested_at:%Y-%m-%d %H:%M}"
