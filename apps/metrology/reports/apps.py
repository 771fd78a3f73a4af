from __future__ import annotations

from django.apps import AppConfig

from metrology.core.permissions import MODULES


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrology.reports"
    label = "reports"
    verbose_name = MODULES["reports"].label
