"""Statistics (R-4.2.5): the record's procedure-defined values as rows a filter finds through an index,
and the reports people save."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrology.records.models import Record

TEXT_LENGTH = 200


class RecordField(models.Model):
    """One procedure-defined value of a record (a grid gives one per cell, with its row), kept beside the
    record's JSON so that `key = value` or `key between a and b` is an index lookup on SQLite and MariaDB
    alike (JSON-key expression indexes are not used by SQLite's planner and impossible on MariaDB)."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="report_fields",
                               verbose_name=_("raw record"))
    key = models.CharField(_("field"), max_length=100)
    row = models.PositiveSmallIntegerField(_("row"), null=True, blank=True)
    text = models.CharField(_("value as text"), max_length=TEXT_LENGTH, blank=True)
    number = models.DecimalField(_("value as number"), max_digits=28, decimal_places=10, null=True, blank=True)
    date = models.DateField(_("value as date"), null=True, blank=True)

    class Meta:
        # Covering: a filter finds its records, and a column its value, from the index alone (bench/report).
        indexes = [
            models.Index(fields=["key", "text", "row", "record"], name="report_field_text"),
            models.Index(fields=["key", "number", "row", "record"], name="report_field_number"),
            models.Index(fields=["key", "date", "row", "record"], name="report_field_date"),
            models.Index(fields=["record", "key", "row", "text", "number", "date"], name="report_field_record"),
        ]
        verbose_name = _("record value for reports")
        verbose_name_plural = _("record values for reports")

    def __str__(self) -> str:
        return f"{self.key} = {self.text}"


class SavedReport(models.Model):
    """A report as built in the Desk (columns, filters, order, grouping, chart), private or shared."""

    name = models.CharField(_("report name"), max_length=100)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reports",
                              verbose_name=_("owner"))
    shared = models.BooleanField(_("shared"), default=False,
                                 help_text=_("Everyone who may query reports can open a shared report; only its "
                                             "owner can change it."))
    spec = models.JSONField(_("definition"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="unique_report_name_per_owner")]
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")

    def __str__(self) -> str:
        return self.name
from metrology.reports.models_export import ReportExport  # noqa: E402,F401
