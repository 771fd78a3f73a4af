"""The review chain as data (Frappe's Workflow): states, the transitions between them, who may take
each and what it asks of them; and what happened: each step taken, each signature given."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from metrology.core.permissions import PERMISSION_CHOICES
from metrology.records.models import Record


class Workflow(models.Model):
    """The chain a raw record goes through. One is active; the default ships (草稿 → 待核验 → 待审批 → 已批准)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("workflow name"), max_length=100)
    is_active = models.BooleanField(_("in use"), default=True)
    allow_one_person_in_several_roles = models.BooleanField(
        _("one person may inspect, verify and approve the same record"), default=False,
        help_text=_("Off by default: the verifier is not the inspector and the approver is neither. When an "
                    "institute turns this on, every signature given under it says so."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("review workflow")
        verbose_name_plural = _("review workflows")

    def __str__(self) -> str:
        return self.name


class WorkflowState(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="states",
                                 verbose_name=_("review workflow"))
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("state name"), max_length=50)
    allows_entry = models.BooleanField(
        _("the inspector enters values"), default=False,
        help_text=_("In this state the record's inspector may enter and change values; leaving it checks that "
                    "the record is complete."))
    is_final = models.BooleanField(_("final"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["workflow", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["workflow", "code"], name="unique_workflow_state")]
        verbose_name = _("workflow state")
        verbose_name_plural = _("workflow states")

    def __str__(self) -> str:
        return self.name


class Meaning(models.TextChoices):
    """What a signature means (21 CFR 11.50: the meaning is part of the signature)."""

    INSPECTED = "inspected", pgettext_lazy("signature meaning", "inspected")
    VERIFIED = "verified", pgettext_lazy("signature meaning", "verified")
    APPROVED = "approved", pgettext_lazy("signature meaning", "approved")


class Identity(models.TextChoices):
    """How a signer proves who they are when signing."""

    NONE = "none", pgettext_lazy("identity check", "no check")
    PASSWORD = "password", pgettext_lazy("identity check", "password")
    BIOMETRIC_OR_PASSWORD = "biometric_or_password", pgettext_lazy(
        "identity check", "fingerprint or face where the device has one, otherwise password")
    BIOMETRIC = "biometric", pgettext_lazy("identity check", "fingerprint or face only")


class Actor(models.TextChoices):
    INSPECTOR = "inspector", pgettext_lazy("transition actor", "the record's inspector")
    OTHER = "other", pgettext_lazy("transition actor", "another person holding the permission")


class Effect(models.TextChoices):
    NONE = "", pgettext_lazy("transition effect", "none")
    ISSUE = "issue", pgettext_lazy("transition effect", "start issuing the certificate")


class WorkflowTransition(models.Model):
    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="transitions",
                                 verbose_name=_("review workflow"))
    from_state = models.ForeignKey(WorkflowState, on_delete=models.CASCADE, related_name="outgoing",
                                   verbose_name=_("from state"))
    to_state = models.ForeignKey(WorkflowState, on_delete=models.CASCADE, related_name="incoming",
                                 verbose_name=_("to state"))
    action = models.SlugField(_("action code"), max_length=30,
                              help_text=_("The same code may leave several states, e.g. return."))
    label = models.CharField(_("button text"), max_length=50)
    permission = models.CharField(_("permission required"), max_length=50, choices=PERMISSION_CHOICES)
    actor = models.CharField(_("who takes it"), max_length=10, choices=Actor.choices, default=Actor.OTHER)
    meaning = models.CharField(_("signature meaning"), max_length=10, choices=Meaning.choices, blank=True,
                               help_text=_("Leave empty when this step needs no signature."))
    requires_handwriting = models.BooleanField(_("handwritten signature"), default=False)
    identity = models.CharField(_("identity check when signing"), max_length=25, choices=Identity.choices,
                                default=Identity.NONE)
    requires_reason = models.BooleanField(_("reason required"), default=False)
    condition = models.CharField(
        _("condition"), max_length=500, blank=True,
        help_text=_("A formula over the record's values, e.g. 检定结论=\"合格\"; the step is offered only when "
                    "it is true. Leave empty to always offer it."))
    effect = models.CharField(_("afterwards"), max_length=10, choices=Effect.choices, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["workflow", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["from_state", "action"], name="unique_transition_action")]
        verbose_name = _("workflow transition")
        verbose_name_plural = _("workflow transitions")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}（{self.label}）"

    @property
    def signs(self) -> bool:
        return bool(self.meaning)


class RecordStep(models.Model):
    """One transition taken on a record: the record's history of review, never changed or deleted."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="steps", verbose_name=_("raw record"))
    transition = models.ForeignKey(WorkflowTransition, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("workflow transition"))
    action = models.CharField(_("action code"), max_length=30)
    label = models.CharField(_("step"), max_length=50)
    from_state = models.CharField(_("from state"), max_length=30)
    to_state = models.CharField(_("to state"), max_length=30)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("taken by"))
    taken_at = models.DateTimeField(_("taken at"), default=timezone.now)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    device = models.CharField(_("device"), max_length=200, blank=True)
    inputs = models.JSONField(_("values when taken"), null=True, blank=True,
                              help_text=_("Kept for steps leaving an entry state, to show what changed between "
                                          "submissions."))

    class Meta:
        ordering = ["record", "taken_at", "id"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self) -> str:
        return f"{self.label} · {self.actor}"


class Signature(models.Model):
    """An electronic signature: who, what it means, when, on which device, how the signer was checked, and
    the SHA-256 of the record's canonical content (workflow.canonical) it was given on."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="signatures",
                               verbose_name=_("raw record"))
    step = models.OneToOneField(RecordStep, on_delete=models.PROTECT, related_name="signature",
                                verbose_name=_("review step"))
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures",
                               verbose_name=_("signer"))
    meaning = models.CharField(_("signature meaning"), max_length=10, choices=Meaning.choices)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    device = models.CharField(_("device"), max_length=200, blank=True)
    device_verified = models.BooleanField(_("enabled device"), default=False,
                                          help_text=_("Signed in a session of an enabled mobile device."))
    methods = models.JSONField(_("how the signer was checked"), default=list)
    image = models.BinaryField(_("handwritten signature"), null=True, blank=True)
    passkey_id = models.CharField(_("fingerprint or face credential"), max_length=200, blank=True)
    content_sha256 = models.CharField(_("SHA-256 of the signed content"), max_length=64)
    content_format = models.CharField(_("canonical content format"), max_length=30)
    one_person_in_several_roles = models.BooleanField(
        _("signed where one person may hold several roles"), default=False)
    handed_over = models.BooleanField(_("signed on the inspector's device"), default=False)

    class Meta:
        ordering = ["record", "signed_at", "id"]
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")

    def __str__(self) -> str:
        return f"{self.signer} · {self.get_meaning_display()} · {self.signed_at:%Y-%m-%d %H:%M}"
