from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PasskeysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrology.passkeys"
    label = "passkeys"
    verbose_name = _("fingerprint and face confirmation")
