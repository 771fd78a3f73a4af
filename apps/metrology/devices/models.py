"""Mobile devices and whether they may be used (R-4.2.6.3, R-4.3.4)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from metrology.core.errors import ApplicationError
from metrology.devices.identifiers import validate_identifier, validate_imei


class Device(models.Model):
    """A phone or tablet as its browser identifies itself. Never deleted: one no longer used is disabled."""

    class State(models.TextChoices):
        PENDING = "pending", pgettext_lazy("device state", "pending approval")
        ENABLED = "enabled", pgettext_lazy("device state", "enabled")
        DISABLED = "disabled", pgettext_lazy("device state", "disabled")

    class DisabledReason(models.TextChoices):
        NOT_OURS = "not_ours", pgettext_lazy("device disabled", "not the institute's device")
        RETIRED = "retired", pgettext_lazy("device disabled", "retired")
        LOST = "lost", pgettext_lazy("device disabled", "lost")
        OTHER = "other", pgettext_lazy("device disabled", "other")

    identifier = models.CharField(_("device identifier"), max_length=64, unique=True,
                                  validators=[validate_identifier],
                                  help_text=_("Made at random by the mobile app and kept in its browser."))
    name = models.CharField(_("device name"), max_length=100)
    imei = models.CharField(_("IMEI"), max_length=15, blank=True, validators=[validate_imei])
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    disabled_reason = models.CharField(_("reason for disabling"), max_length=10,
                                       choices=DisabledReason.choices, blank=True)
    disabled_note = models.TextField(_("note on disabling"), blank=True)
    tried_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("tried by"),
                                 help_text=_("The last person who logged in, or tried to, on this device."))
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now, editable=False)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("enabled by"))
    approved_at = models.DateTimeField(_("enabled at"), null=True, blank=True)
    disabled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("disabled by"))
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    class Meta:
        ordering = ["-last_seen", "-id"]
        verbose_name = _("mobile device")
        verbose_name_plural = _("mobile devices")

    def __str__(self) -> str:
        return f"{self.name}（{self.identifier[:8]}）"

    @property
    def is_enabled(self) -> bool:
        return self.state == self.State.ENABLED

    def delete(self, *args, **kwargs):
        raise ApplicationError(_("A device is never deleted; disable it instead."))
