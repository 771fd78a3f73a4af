from __future__ import annotations

from django.apps import AppConfig

from metrology.core.permissions import MODULES


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrology.accounts"
    label = "accounts"
    # Breadcrumbs and titles name the Desk module this app's pages belong to, as the home page does.
    verbose_name = MODULES["access"].label
