from __future__ import annotations

from django.apps import AppConfig

from metrology.core.permissions import MODULES


class RecordsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrology.records"
    label = "records"
    verbose_name = MODULES["certificates"].label
