from __future__ import annotations

from django.apps import AppConfig

from metrology.core.permissions import MODULES


class WorkflowConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "metrology.workflow"
    label = "workflow"
    # The workflow is edited with the roles it names: breadcrumbs and titles say the same module.
    verbose_name = MODULES["access"].label
