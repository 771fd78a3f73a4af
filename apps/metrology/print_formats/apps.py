from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrintFormatsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrology.print_formats"
    label = "print_formats"
    verbose_name = _("Print formats")
