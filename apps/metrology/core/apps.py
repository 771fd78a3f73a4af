from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrology.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from metrology.core import checks  # noqa: F401  (registers system checks)
