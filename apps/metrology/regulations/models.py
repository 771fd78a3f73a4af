"""The regulation library (规程规范库, R-4.2.3.7): regulations, their files and their text index."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    JJG = "jjg", _("Verification regulation (JJG)")
    JJF = "jjf", _("Technical specification (JJF)")
    GB = "gb", _("National standard (GB)")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    UPCOMING = "upcoming", _("Not yet in force")
    CURRENT = "current", _("Current")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ExtractionState(models.TextChoices):
    """Where reading a file's text stands; it runs as a background job after the upload."""

    PENDING = "pending", _("Waiting for text extraction")
    RUNNING = "running", _("Extracting the text")
    DONE = "done", _("Text extracted")
    FAILED = "failed", _("Text extraction failed")


class FileFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word (.docx)"


def today() -> dt.date:
    return timezone.localdate()


def status_on(effective: dt.date | None, withdrawn: dt.date | None, day: dt.date) -> str:
    if withdrawn is not None and withdrawn <= day:
        return Status.WITHDRAWN
    if effective is not None and effective > day:
        return Status.UPCOMING
    return Status.CURRENT


class RegulationQuerySet(models.QuerySet):
    """Status follows from the dates on the day asked about, so it can never disagree with them."""

    def current(self, on: dt.date | None = None) -> RegulationQuerySet:
        day = on or today()
        return self.filter(Q(withdrawal_date__isnull=True) | Q(withdrawal_date__gt=day)).filter(
            Q(effective_date__isnull=True) | Q(effective_date__lte=day)
        )

    def withdrawn(self, on: dt.date | None = None) -> RegulationQuerySet:
        return self.filter(withdrawal_date__lte=on or today())

    def upcoming(self, on: dt.date | None = None) -> RegulationQuerySet:
        day = on or today()
        return self.filter(effective_date__gt=day).exclude(withdrawal_date__lte=day)


class Regulation(models.Model):
    """One regulation, specification or standard, with its file and the text read from it."""

    code = models.CharField(_("code"), max_length=60, unique=True, help_text=_("For example JJG 443-2023."))
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.OTHER)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    withdrawal_date = models.DateField(
        _("withdrawal date"), null=True, blank=True,
        help_text=_("From this day on the regulation is withdrawn."),
    )
    file = models.FileField(_("file"), max_length=200)
    file_format = models.CharField(_("file format"), max_length=10, choices=FileFormat.choices)
    file_sha256 = models.CharField(_("SHA-256 digest"), max_length=64)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"))
    original_name = models.CharField(_("original file name"), max_length=255)
    text = models.TextField(_("extracted text"), blank=True)
    search_text = models.TextField(_("normalised text"), blank=True, editable=False)
    extraction_note = models.CharField(_("extraction note"), max_length=300, blank=True)
    extraction_state = models.CharField(_("text extraction"), max_length=10, choices=ExtractionState.choices,
                                        default=ExtractionState.PENDING)
    extraction_error = models.CharField(_("why the extraction failed"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    objects = RegulationQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("regulation")
        verbose_name_plural = _("regulations")

    def __str__(self) -> str:
        return f"{self.code}《{self.title}》"

    def status_on(self, day: dt.date) -> str:
        return status_on(self.effective_date, self.withdrawal_date, day)

    @property
    def status(self) -> str:
        return self.status_on(today())

    def get_status_display(self) -> str:
        return str(Status(self.status).label)

    @property
    def is_current(self) -> bool:
        return self.status == Status.CURRENT


class RegulationGram(models.Model):
    """One character bigram of a regulation's code, title or text (see `search.gram_key`)."""

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="grams",
                                   verbose_name=_("regulation"))
    gram = models.BigIntegerField(_("character pair key"))

    class Meta:
        verbose_name = _("search index entry")
        verbose_name_plural = _("search index entries")
        constraints = [models.UniqueConstraint(fields=["regulation", "gram"], name="unique_regulation_gram")]
        indexes = [models.Index(fields=["gram", "regulation"], name="regulation_gram_lookup")]
