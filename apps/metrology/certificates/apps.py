from __future__ import annotations

from django.apps import AppConfig

from metrology.core.permissions import MODULES


class CertificatesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrology.certificates"
    label = "certificates"
    verbose_name = MODULES["certificates"].label

    def ready(self) -> None:
        from metrology.certificates import issuance  # noqa: F401  (issues on approval, after the commit)
