from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NumberingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrology.numbering"
    label = "numbering"
    verbose_name = _("Numbering")
