"""Numbering schemes, their counters and every number ever issued (R-4.2.3.8, R-4.3.8)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrology.doctype.document_kinds import DocumentKind
from metrology.doctype.models import Item, TestType
from metrology.numbering.errors import NumberingRefused
from metrology.numbering.patterns import DatePart, Reset, format_number, period_key, reset_problem

# The codes (YYYY, YYMM …) are what is stored; people choose them by these words.
DATE_PART_CHOICES = [
    (DatePart.NONE, _("no date")),
    (DatePart.YYYY, _("four-digit year (e.g. 2025)")),
    (DatePart.YY, _("two-digit year (e.g. 25)")),
    (DatePart.YYYYMM, _("four-digit year and month (e.g. 202503)")),
    (DatePart.YYMM, _("two-digit year and month (e.g. 2503)")),
    (DatePart.MM, _("month (e.g. 03)")),
]


class NumberingScheme(models.Model):
    """How the numbers of a set of items × test types × document kinds are made (R-4.2.3.8).

    An empty set of items or of test types means every one, so an institute-wide 检定证书 sequence is
    one scheme; document kinds are always named. Two active schemes never number the same
    item × test type × kind, except that a scheme naming a sub-type goes before one naming its test type.
    """

    name = models.CharField(_("scheme name"), max_length=200, blank=True,
                            help_text=_("How people tell the scheme apart; made from what it numbers when left "
                                        "blank."))
    items = models.ManyToManyField(Item, blank=True, related_name="numbering_schemes", verbose_name=_("items"),
                                   help_text=_("Leave empty for every item."))
    test_types = models.ManyToManyField(
        TestType, blank=True, related_name="numbering_schemes", verbose_name=_("test types"),
        help_text=_("Leave empty for every test type. A test type covers its sub-types that have no scheme of "
                    "their own."),
    )
    document_kinds = models.JSONField(_("document kinds"), default=list, blank=True)
    prefix = models.CharField(_("prefix"), max_length=30, blank=True)
    date_part = models.CharField(_("date part"), max_length=6, choices=DATE_PART_CHOICES, blank=True,
                                 default=DatePart.YYYY)
    separator = models.CharField(_("separator"), max_length=5, blank=True,
                                 help_text=_("Put between the date part and the sequence, e.g. “-”."))
    sequence_width = models.PositiveSmallIntegerField(
        _("sequence digits"), default=4, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("The sequence is padded with zeros to this many digits."),
    )
    suffix = models.CharField(_("suffix"), max_length=30, blank=True)
    reset = models.CharField(_("sequence restarts"), max_length=10, choices=Reset.choices,
                             default=Reset.YEARLY)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("numbering scheme")
        verbose_name_plural = _("numbering schemes")

    def __str__(self) -> str:
        return self.name or f"{self.prefix}…{self.suffix} #{self.pk}"

    def clean(self) -> None:
        problem = reset_problem(date_part=self.date_part, reset=self.reset)
        if problem:
            raise ValidationError({"reset": problem})
        kinds = self.document_kinds if isinstance(self.document_kinds, list) else []
        if not kinds or any(kind not in DocumentKind.values for kind in kinds):
            raise ValidationError({"document_kinds": _("Choose the document kinds the scheme numbers.")})

    def kind_labels(self) -> list[str]:
        labels = dict(DocumentKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.document_kinds]

    @property
    def highest_sequence(self) -> int:
        """The largest sequence the width holds: 9999 for four digits."""
        return 10 ** self.sequence_width - 1

    def period(self, on: dt.date) -> str:
        return period_key(self.reset, on)

    def number_text(self, sequence: int, on: dt.date) -> str:
        return format_number(prefix=self.prefix, date_part=self.date_part, separator=self.separator,
                             width=self.sequence_width, suffix=self.suffix, sequence=sequence, on=on)

    def pattern_signature(self) -> tuple:
        return tuple(getattr(self, field) for field in SHAPE_FIELDS)


# The parts that shape a number: fixed while the current period has numbers.
SHAPE_FIELDS = ("prefix", "date_part", "separator", "sequence_width", "suffix")


class NumberCounter(models.Model):
    """The last sequence handed out in one period of a scheme; allocation locks this row."""

    scheme = models.ForeignKey(NumberingScheme, on_delete=models.PROTECT, related_name="counters",
                               verbose_name=_("numbering scheme"))
    period = models.CharField(_("period"), max_length=7, blank=True)
    last_sequence = models.PositiveIntegerField(_("last sequence"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scheme", "period"], name="unique_number_counter")]
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")

    def __str__(self) -> str:
        return f"{self.scheme_id}/{self.period or '-'}: {self.last_sequence}"


class StartAdjustment(models.Model):
    """A starting number set by hand; the sequences it skipped are a documented gap."""

    scheme = models.ForeignKey(NumberingScheme, on_delete=models.PROTECT, related_name="start_adjustments",
                               verbose_name=_("numbering scheme"))
    period = models.CharField(_("period"), max_length=7, blank=True)
    previous_last = models.PositiveIntegerField(_("last sequence before"))
    next_sequence = models.PositiveIntegerField(_("next sequence"))
    reason = models.TextField(_("reason"), blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("set by"))
    set_at = models.DateTimeField(_("set at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["scheme", "period", "set_at", "id"]
        verbose_name = _("starting number adjustment")
        verbose_name_plural = _("starting number adjustments")

    def __str__(self) -> str:
        return f"{self.scheme_id}/{self.period or '-'} → {self.next_sequence}"

    @property
    def skipped(self) -> tuple[int, int] | None:
        first, last = self.previous_last + 1, self.next_sequence - 1
        return (first, last) if first <= last else None


class IssuedNumber(models.Model):
    """Every number ever issued. Never deleted and never reused, voided ones included."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        VOIDED = "voided", _("voided")

    scheme = models.ForeignKey(NumberingScheme, on_delete=models.PROTECT, related_name="issued_numbers",
                               verbose_name=_("numbering scheme"))
    period = models.CharField(_("period"), max_length=7, blank=True)
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("number"), max_length=100, unique=True)
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("issued by"))
    reference = models.CharField(_("issued for"), max_length=100, blank=True, db_index=True,
                                 help_text=_("What the number was issued for, e.g. record:123."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ISSUED)
    void_reason = models.TextField(_("void reason"), blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("voided by"))

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period", "sequence"], name="unique_issued_sequence"),
        ]
        verbose_name = _("issued number")
        verbose_name_plural = _("issued numbers")

    def __str__(self) -> str:
        return self.number

    def delete(self, *args, **kwargs):
        raise NumberingRefused(_("An issued number is never deleted; void it instead."))
