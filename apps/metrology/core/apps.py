from __future__ import annotations

from django.apps import AppConfig

from metrology.core.permissions import MODULES


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrology.core"
    label = "core"
    # Breadcrumbs and titles name the Desk module this app's pages belong to, as the home page does.
    verbose_name = MODULES["access"].label

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from metrology.core import checks  # noqa: F401  (registers system checks)
        from metrology.core.middleware import SessionMiddleware

        user_logged_in.connect(SessionMiddleware.mark_fresh, dispatch_uid="session-fresh-at-login")
