"""The back office (Desk): Django's admin, grouped into the standard's five modules.

A ModelAdmin joins a module with `desk_module` and answers Django's view/add/change/delete
questions from catalogue permissions (`view_permissions`, `manage_permissions`), so what a person
sees follows their roles and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from metrology.core.errors import ApplicationError
from metrology.core.permissions import MODULES, perm


class DeskSite(admin.AdminSite):
    site_header = _("Metrology data and certificate platform")
    site_title = _("Metrology platform")
    index_title = _("Back office")
    enable_nav_sidebar = True
    login_template = "desk/login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_authenticated

    def each_context(self, request: HttpRequest) -> dict:
        context = super().each_context(request)
        context["site_url"] = None
        return context

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict]:
        if app_label is not None:
            return super().get_app_list(request, app_label)
        by_module: dict[str, list[dict]] = {}
        for model, model_admin in self._registry.items():
            module = getattr(model_admin, "desk_module", None)
            if module is None or not model_admin.has_module_permission(request):
                continue
            entry = self._model_entry(request, model, model_admin)
            if entry is not None:
                by_module.setdefault(module, []).append(entry)
        app_list = []
        for code, models in by_module.items():
            models.sort(key=lambda m: m["order"])
            app_list.append(
                {
                    "name": MODULES[code].label,
                    "app_label": code,
                    "app_url": models[0]["admin_url"],
                    "has_module_perms": True,
                    "models": models,
                    "order": MODULES[code].order,
                }
            )
        return sorted(app_list, key=lambda app: app["order"])

    def _model_entry(self, request: HttpRequest, model, model_admin) -> dict | None:
        perms = model_admin.get_model_perms(request)
        if not any(perms.values()):
            return None
        info = (model._meta.app_label, model._meta.model_name)
        return {
            "model": model,
            "name": model._meta.verbose_name_plural,
            "object_name": model._meta.object_name,
            "perms": perms,
            "admin_url": reverse("desk:%s_%s_changelist" % info, current_app=self.name),
            "add_url": reverse("desk:%s_%s_add" % info, current_app=self.name) if perms.get("add") else None,
            "view_only": not perms.get("change") and not perms.get("add"),
            "order": getattr(model_admin, "desk_order", 100),
        }


desk_site = DeskSite(name="desk")


class PermissionCodeAdmin(admin.ModelAdmin):
    """Django's four admin permissions mapped onto catalogue codes."""

    desk_module: str = ""
    desk_order: int = 100
    view_permissions: tuple[str, ...] = ()
    manage_permissions: tuple[str, ...] = ()

    def _has_any(self, request: HttpRequest, codes: tuple[str, ...]) -> bool:
        return any(request.user.has_perm(perm(code)) for code in codes)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._has_any(request, self.view_permissions + self.manage_permissions)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._has_any(request, self.manage_permissions)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._has_any(request, self.manage_permissions)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return self._has_any(request, self.manage_permissions)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The admin wraps the save in a transaction, so a refused service call has saved nothing.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(request.get_full_path())

    def apply_to_each(
        self, request: HttpRequest, queryset, service: Callable, argument: str, done_message: str
    ) -> None:
        """Run one service per selected object, all or nothing, for a bulk action."""
        try:
            with transaction.atomic():
                for obj in queryset:
                    service(actor=request.user, **{argument: obj})
        except ApplicationError as error:
            messages.error(request, error.message)
            return
        messages.success(request, done_message % {"count": queryset.count()})
