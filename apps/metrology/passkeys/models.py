"""Fingerprint and face credentials (WebAuthn passkeys) registered per person and device (R-4.3.2.2)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from metrology.core.errors import ApplicationError


def credential_digest(credential_id: str) -> str:
    """SHA-256 of the base64url credential id: unique-indexable on every database (an id may be
    up to 1023 bytes, longer than MariaDB indexes a column)."""
    return hashlib.sha256(credential_id.encode("ascii")).hexdigest()


class PasskeyCredential(models.Model):
    """One authenticator's key pair for one person. Never deleted: a revoked one is disabled and kept,
    so the signatures it confirmed can still be traced to it."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="passkeys",
                               verbose_name=_("person"))
    device_identifier = models.CharField(
        _("device identifier"), max_length=64, blank=True,
        help_text=_("The phone it was registered on; blank when registered on the Desk."))
    name = models.CharField(_("credential name"), max_length=100, blank=True)
    credential_id = models.TextField(_("credential ID"), help_text=_("As the authenticator gave it, base64url."))
    credential_digest = models.CharField(_("credential ID digest"), max_length=64, unique=True, editable=False)
    public_key = models.BinaryField(_("public key"))
    sign_count = models.PositiveBigIntegerField(_("signature counter"), default=0)
    transports = models.JSONField(_("transports"), default=list, blank=True)
    created_at = models.DateTimeField(_("registered at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_challenge = models.CharField(
        _("last challenge digest"), max_length=64, blank=True, editable=False,
        help_text=_("SHA-256 of the challenge it last answered, so the same answer is never taken twice."))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("fingerprint or face credential")
        verbose_name_plural = _("fingerprint and face credentials")

    def __str__(self) -> str:
        return self.name or self.credential_id[:12]

    def save(self, *args, **kwargs) -> None:
        self.credential_digest = credential_digest(self.credential_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ApplicationError(_("A fingerprint or face credential is never deleted; revoke it instead."))
