from __future__ import annotations

from django.apps import AppConfig

from metrology.core.permissions import MODULES


class DevicesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrology.devices"
    label = "devices"
    verbose_name = MODULES["devices"].label
