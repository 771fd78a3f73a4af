from __future__ import annotations

from django.apps import AppConfig

from metrology.core.permissions import MODULES


class MobileConfig(AppConfig):
    """The inspector's phone app at /m/: pages and static files only; its data goes through the API."""

    name = "metrology.mobile"
    label = "mobile"
    verbose_name = MODULES["certificates"].label
