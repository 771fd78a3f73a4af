"""Layouts (print formats): the institute's own Word/Excel files, bound to a procedure and a kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrology.doctype.document_kinds import DocumentKind
from metrology.doctype.models import Procedure


class Layout(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="layouts",
                                  verbose_name=_("procedure"))
    kind = models.CharField(_("document kind"), max_length=20, choices=DocumentKind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["procedure", "kind"]
        constraints = [models.UniqueConstraint(fields=["procedure", "kind"], name="one_layout_per_kind")]
        verbose_name = _("layout")
        verbose_name_plural = _("layouts")

    def __str__(self) -> str:
        return f"{self.procedure} · {self.kind}"

    def current(self) -> LayoutVersion | None:
        # versions.all(), so a list page that prefetches versions asks nothing per row
        return max(self.versions.all(), key=lambda v: v.number, default=None)


class LayoutVersion(models.Model):
    """One uploaded file; never changed or removed, so an issued document can name its layout."""

    layout = models.ForeignKey(Layout, on_delete=models.PROTECT, related_name="versions", verbose_name=_("layout"))
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to="layouts/")
    format = models.CharField(_("format"), max_length=4, choices=[("docx", "Word"), ("xlsx", "Excel")])
    sha256 = models.CharField(_("SHA-256 digest"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    original_name = models.CharField(_("file name"), max_length=200)
    lint = models.JSONField(_("lint report"), default=dict)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["layout", "-number"]
        constraints = [models.UniqueConstraint(fields=["layout", "number"], name="unique_layout_version")]
        verbose_name = _("layout version")
        verbose_name_plural = _("layout versions")

    def __str__(self) -> str:
        return f"{self.layout} v{self.number}"
