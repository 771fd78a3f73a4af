"""Certificates issued from approved records (R-4.3.12, R-4.2.4): the number, the signed PDF and its SHA-256."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from metrology.doctype.document_kinds import DocumentKind
from metrology.records.models import Record
from metrology.workflow.models import RecordStep


def public_token() -> str:
    """The address of the public verification page: 192 random bits, not guessable."""
    return secrets.token_urlsafe(24)


class Certificate(models.Model):
    class State(models.TextChoices):
        NUMBERED = "numbered", pgettext_lazy("certificate state", "numbered, being made")
        ISSUED = "issued", pgettext_lazy("certificate state", "valid")
        VOID = "void", pgettext_lazy("certificate state", "void")

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="certificates",
                               verbose_name=_("raw record"))
    approval = models.ForeignKey(RecordStep, on_delete=models.PROTECT, related_name="certificates",
                                 verbose_name=_("approval"),
                                 help_text=_("The approval that issued it: one certificate per approval, and one "
                                             "reissue per voided certificate."))
    kind = models.CharField(_("document kind"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("certificate number"), max_length=60, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.NUMBERED)
    numbered_at = models.DateTimeField(_("numbered at"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    pdf = models.CharField(_("signed PDF"), max_length=300, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the signed PDF"), max_length=64, blank=True)
    raw_record_pdf = models.CharField(_("raw record PDF"), max_length=300, blank=True)
    raw_record_sha256 = models.CharField(_("SHA-256 of the raw record PDF"), max_length=64, blank=True)
    public_token = models.CharField(_("verification token"), max_length=64, unique=True, default=public_token,
                                    editable=False)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by",
                                 verbose_name=_("replaces"),
                                 help_text=_("The voided certificate this one was reissued for (ISO/IEC 17025 7.8.8)."))
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("voided by"))
    void_reason = models.CharField(_("reason for voiding"), max_length=500, blank=True)
    void_pdf = models.CharField(_("voided PDF"), max_length=300, blank=True,
                                help_text=_("A new PDF with the 作废 watermark, signed again; the original is kept."))
    void_pdf_sha256 = models.CharField(_("SHA-256 of the voided PDF"), max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts to make it"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-numbered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["approval"], condition=models.Q(replaces__isnull=True),
                                    name="one_certificate_per_approval"),
            models.UniqueConstraint(fields=["replaces"], name="one_reissue_per_certificate"),
        ]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number


class DownloadBatch(models.Model):
    """Many certificates as one zip (R-4.2.4.4): their PDFs named by number, their raw records and
    manifest.csv with each file's SHA-256, made by a job that reports its progress."""

    class State(models.TextChoices):
        WAITING = "waiting", pgettext_lazy("download state", "waiting")
        RUNNING = "running", pgettext_lazy("download state", "being made")
        DONE = "done", pgettext_lazy("download state", "ready")
        FAILED = "failed", pgettext_lazy("download state", "failed")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    certificates = models.JSONField(_("certificates"), default=list, help_text=_("Their ids, in order."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.WAITING)
    done = models.PositiveIntegerField(_("files added"), default=0)
    total = models.PositiveIntegerField(_("files in all"), default=0)
    file = models.CharField(_("zip file"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256 of the zip"), max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("certificate download")
        verbose_name_plural = _("certificate downloads")

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d %H:%M} · {self.total}"
