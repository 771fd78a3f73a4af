from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DoctypeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrology.doctype"
    label = "doctype"
    verbose_name = _("Procedures")
