"""Items, test types and procedures: the low-code metadata (Frappe's DocType, as data)."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Item(models.Model):
    """A measurement item (计量检测项目) the institute works on, e.g. 燃油加油机."""

    code = models.CharField(_("item code"), max_length=40, unique=True)
    name = models.CharField(_("item name"), max_length=100)
    authorisation_basis = models.CharField(
        _("authorisation basis"), max_length=120, blank=True,
        help_text=_("Certificate number of the measurement standard assessment or of the authorisation."),
    )
    is_authorised = models.BooleanField(
        _("authorised"), default=False,
        help_text=_("Only items the institute is authorised for can be chosen for work (R-4.3.5.3)."),
    )
    period_months = models.PositiveSmallIntegerField(_("verification period (months)"), null=True, blank=True)
    regulation_codes = models.JSONField(
        _("regulations"), default=list, blank=True, help_text=_("Codes of the regulations, e.g. JJG 443-2023."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("measurement item")
        verbose_name_plural = _("measurement items")

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class TestTypeManager(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().select_related("parent")  # str() names the parent


class TestType(models.Model):
    """检定 → 首次检定, 后续检定 …: a type when it has no parent, a sub-type otherwise."""

    __test__ = False  # not a pytest test class, despite the name

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="sub_types",
        verbose_name=_("test type"),
    )
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = TestTypeManager()

    class Meta:
        ordering = ["parent__order", "parent__id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="unique_test_type_name")]
        verbose_name = _("test type")
        verbose_name_plural = _("test types")

    def __str__(self) -> str:
        return f"{self.parent.name} · {self.name}" if self.parent_id else self.name

    def clean(self) -> None:
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("A sub-type belongs to a test type, not to another sub-type.")})


class Procedure(models.Model):
    """The procedure of one item × sub-type; its content lives in versions."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("item"))
    sub_type = models.ForeignKey(
        TestType, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("test sub-type")
    )
    code = models.CharField(_("procedure code"), max_length=60, unique=True)
    name = models.CharField(_("procedure name"), max_length=100)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["item__code", "sub_type__order", "code"]
        constraints = [models.UniqueConstraint(fields=["item", "sub_type"], name="unique_item_sub_type")]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return f"{self.name}（{self.sub_type.name}）"

    # Read through versions.all(), so a list page that prefetches versions asks nothing per row.
    def latest_version(self, status: str | None = None) -> ProcedureVersion | None:
        versions = [v for v in self.versions.all() if status is None or v.status == status]
        return max(versions, key=lambda v: v.number, default=None)

    def published_version(self) -> ProcedureVersion | None:
        return self.latest_version(ProcedureVersion.Status.PUBLISHED)

    def draft_version(self) -> ProcedureVersion | None:
        return self.latest_version(ProcedureVersion.Status.DRAFT)


class ProcedureVersion(models.Model):
    """One version of a procedure's definition (docs/procedure-format.md). Published ones never change."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")
        RETIRED = "retired", _("retired")

    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="versions", verbose_name=_("procedure")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    definition = models.JSONField(_("definition"))
    fingerprint = models.CharField(_("fingerprint"), max_length=64, editable=False)
    change_note = models.CharField(_("change note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["procedure", "-number"]
        constraints = [models.UniqueConstraint(fields=["procedure", "number"], name="unique_version_number")]
        verbose_name = _("procedure version")
        verbose_name_plural = _("procedure versions")

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}（{self.get_status_display()}）"

    @property
    def label(self) -> str:
        return f"{self.procedure.code}@{self.number}"

    def save(self, *args, **kwargs) -> None:
        self.fingerprint = definition_hash(self.definition)
        if self.pk:
            stored = ProcedureVersion.objects.filter(pk=self.pk).values_list("status", "fingerprint").first()
            if stored and stored[0] != self.Status.DRAFT and stored[1] != self.fingerprint:
                raise ValidationError(_("A published version never changes; edit a new draft instead."))
        super().save(*args, **kwargs)


def definition_hash(definition: dict) -> str:
    """SHA-256 of the definition's canonical JSON, test cases included."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
