"""Raw records (原始记录): a record pins one published procedure version and keeps every value entered."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrology.doctype.models import Item, ProcedureVersion, TestType

# The ten common fields of every procedure (engine.common_fields) → the record's own columns.
COMMON_FIELD_COLUMNS: dict[str, str] = {
    "委托单位": "client",
    "计量器具准确度": "accuracy_class",
    "计量器具型号": "instrument_model",
    "制造单位名称": "manufacturer",
    "产品出厂编号": "serial_number",
    "使用单位地址": "user_address",
    "出厂日期": "manufacture_date",
    "检定日期": "verification_date",
    "下次检定日期": "next_verification_date",
    "结论说明": "conclusion_note",
}
DATE_COLUMNS = frozenset({"manufacture_date", "verification_date", "next_verification_date"})


class Record(models.Model):
    class State(models.TextChoices):
        """The states of the default review workflow; the states themselves are data (metrology.workflow)."""

        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("waiting for verification")
        VERIFIED = "verified", _("waiting for approval")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned")
        WITHDRAWN = "withdrawn", _("withdrawn for correction")

    version = models.ForeignKey(ProcedureVersion, on_delete=models.PROTECT, related_name="records",
                                verbose_name=_("procedure version"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="records", verbose_name=_("item"))
    sub_type = models.ForeignKey(TestType, on_delete=models.PROTECT, related_name="records",
                                 verbose_name=_("test sub-type"))
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="records",
                                  verbose_name=_("inspector"))
    state = models.CharField(_("state"), max_length=30, default=State.DRAFT, db_index=True,
                             help_text=_("A state of the review workflow."))
    prefilled_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("common fields taken from"),
        help_text=_("The last record of the same instrument, whose common fields this record started with."),
    )

    client = models.CharField(_("client"), max_length=200, blank=True)
    accuracy_class = models.CharField(_("instrument accuracy"), max_length=100, blank=True)
    instrument_model = models.CharField(_("instrument model"), max_length=100, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True, db_index=True)
    user_address = models.CharField(_("user's address"), max_length=300, blank=True)
    manufacture_date = models.DateField(_("date of manufacture"), null=True, blank=True)
    verification_date = models.DateField(_("verification date"), null=True, blank=True)
    next_verification_date = models.DateField(_("next verification date"), null=True, blank=True)
    conclusion_note = models.CharField(_("notes on the conclusion"), max_length=500, blank=True)

    # Where and under what conditions the work was done (JJF 1069, ISO/IEC 17025 7.8): records/conditions.py.
    place = models.CharField(_("place of verification"), max_length=200, blank=True)
    temperature = models.CharField(_("ambient temperature"), max_length=50, blank=True,
                                   help_text=_("As read, with its unit, e.g. 20.5 ℃."))
    humidity = models.CharField(_("relative humidity"), max_length=50, blank=True,
                                help_text=_("As read, with its unit (percent relative humidity)."))

    inputs = models.JSONField(_("entered values"), default=dict, blank=True)
    results = models.JSONField(_("computed results"), default=dict, blank=True)
    conclusion = models.CharField(_("verification conclusion"), max_length=20, blank=True)
    failed_items = models.JSONField(_("failed items"), default=list, blank=True)
    raw_record_number = models.CharField(_("raw record number"), max_length=60, null=True, blank=True,
                                         unique=True)

    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["inspector", "state"], name="record_inspector_state")]
        verbose_name = _("raw record")
        verbose_name_plural = _("raw records")

    def __str__(self) -> str:
        return self.raw_record_number or f"{self.item.name} #{self.pk}"

    @property
    def ever_submitted(self) -> bool:
        return self.first_submitted_at is not None


class RecordValue(models.Model):
    """One value as entered: the record's history of entry, never changed or deleted."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="values",
                               verbose_name=_("raw record"))
    field = models.CharField(_("field"), max_length=100)
    row = models.PositiveSmallIntegerField(_("row"), null=True, blank=True)
    column = models.CharField(_("column"), max_length=100, blank=True)
    value = models.JSONField(_("value"), null=True, blank=True)
    previous = models.JSONField(_("previous value"), null=True, blank=True)
    captured_at = models.DateTimeField(_("captured at"), help_text=_("When the value was typed on the device."))
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)
    device = models.CharField(_("device"), max_length=200, blank=True)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("entered by"))
    request_id = models.CharField(_("client request id"), max_length=100)
    reason = models.CharField(_("reason for the change"), max_length=500, blank=True)

    class Meta:
        ordering = ["record", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "request_id"], name="unique_record_request")]
        verbose_name = _("entered value")
        verbose_name_plural = _("entered values")

    def __str__(self) -> str:
        place = self.field if self.row is None else f"{self.field}[{self.row}].{self.column}"
        return f"{place} = {self.value}"


class Standard(models.Model):
    """A measurement standard (计量标准器) of the institute's equipment list."""

    name = models.CharField(_("standard name"), max_length=200)
    certificate_number = models.CharField(_("certificate number"), max_length=100, unique=True)
    measuring_range = models.CharField(_("measuring range"), max_length=200, blank=True)
    accuracy = models.CharField(_("accuracy class, maximum permissible error or uncertainty"), max_length=200,
                                blank=True, help_text=_("As its certificate states it."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True,
                                  help_text=_("The date its verification or calibration certificate was issued."))
    valid_until = models.DateField(_("valid until"))

    class Meta:
        ordering = ["name", "certificate_number"]
        verbose_name = _("measurement standard")
        verbose_name_plural = _("measurement standards")

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_number}）"

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end of validity cannot come before its start.")})

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and day <= self.valid_until


class RecordStandard(models.Model):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="standards_used",
                               verbose_name=_("raw record"))
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="uses",
                                 verbose_name=_("measurement standard"))
    valid_until = models.DateField(_("valid until"), help_text=_("The standard's validity when it was used."))
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["record", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "standard"], name="unique_record_standard")]
        verbose_name = _("standard used")
        verbose_name_plural = _("standards used")

    def __str__(self) -> str:
        return str(self.standard)


class RecordAttachment(models.Model):
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="attachments",
                               verbose_name=_("raw record"))
    file_id = models.CharField(_("file"), max_length=200)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["record", "id"]
        constraints = [models.UniqueConstraint(fields=["record", "file_id"], name="unique_record_attachment")]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.caption or self.file_id


class WorkInProgress(Record):
    """The records not finished yet, as the Desk's monitoring page shows them (no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("work in progress")
        verbose_name_plural = _("work in progress")
