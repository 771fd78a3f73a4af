"""The back office (Desk): Django's admin, grouped into the standard's five modules.

A ModelAdmin joins a module with `desk_module` and answers Django's view/add/change/delete
questions from catalogue permissions (`view_permissions`, `manage_permissions`), so what a person
sees follows their roles and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models, transaction
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.text import capfirst
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

    def register(self, model_or_iterable, admin_class=None, **options) -> None:
        # Every Desk list must answer permissions and lookups the way PermissionCodeAdmin does (#8).
        if admin_class is None or not issubclass(admin_class, PermissionCodeAdmin):
            raise ImproperlyConfigured(f"{admin_class!r}: Desk pages must derive from PermissionCodeAdmin")
        super().register(model_or_iterable, admin_class, **options)

    def password_change(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Django's page, but the change goes through the service: audited, other sessions end (#8)."""
        from django.contrib.auth.views import PasswordChangeView

        from metrology.accounts.forms import OwnPasswordChangeForm

        request.current_app = self.name
        return PasswordChangeView.as_view(
            form_class=OwnPasswordChangeForm,
            success_url=reverse("desk:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )(request)

    def each_context(self, request: HttpRequest) -> dict:
        context = super().each_context(request)
        context["site_url"] = None
        return context

    def index(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Django's home with the institute's set-up path above the modules (#9)."""
        from metrology.core.setup_path import setup_path

        return super().index(request, {"setup_path": setup_path(request.user), **(extra_context or {})})

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

# Never filtered, ordered or searched by anyone, whatever a list offers.
SECRET_FIELDS = frozenset({"password", "digest", "key", "secret", "auth_generation"})
FIELD_FILTER_SUFFIXES = ("exact", "isnull", "in", "isempty")
DATE_FILTER_SUFFIXES = ("gte", "lt", "lte", "gt")
DATE_HIERARCHY_SUFFIXES = ("year", "month", "day")


class PermissionCodeAdmin(admin.ModelAdmin):
    """Django's four admin permissions mapped onto catalogue codes.

    A list accepts only the lookups it offers (its filters, its date hierarchy) and searches only its
    search fields; nothing secret or hidden from the viewer can be filtered, ordered or searched (#8).
    Django's own admin allows any lookup on the model's own fields, which let `password__startswith`
    recover a hash one character at a time.
    """

    desk_module: str = ""
    desk_order: int = 100
    view_permissions: tuple[str, ...] = ()
    manage_permissions: tuple[str, ...] = ()
    empty_list_hint: Promise | None = None  # what to do when the list has nothing yet (#9)

    def hidden_fields(self, request: HttpRequest) -> frozenset[str]:
        """Fields this viewer may not see; a page masking a field adds it for those who may not unmask."""
        return SECRET_FIELDS

    def lookup_allowed(self, lookup: str, value, request: HttpRequest) -> bool:
        return lookup in self.offered_lookups(request) and not self._touches_hidden(lookup, request)

    def offered_lookups(self, request: HttpRequest) -> set[str]:
        offered: set[str] = set()
        for item in self.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                offered.add(item.parameter_name)
            elif isinstance(item, str):
                offered |= self._field_filter_lookups(item)
            elif isinstance(item, (list, tuple)):
                offered |= self._field_filter_lookups(item[0])
        if self.date_hierarchy:
            offered |= {f"{self.date_hierarchy}__{suffix}" for suffix in DATE_HIERARCHY_SUFFIXES}
        return offered

    def _field_filter_lookups(self, path: str) -> set[str]:
        field = get_fields_from_path(self.model, path)[-1]
        suffixes = list(FIELD_FILTER_SUFFIXES)
        if isinstance(field, models.DateField):
            suffixes += DATE_FILTER_SUFFIXES
        if field.is_relation:
            target = field.target_field.name
            suffixes += [f"{target}__exact", f"{target}__in"]
        return {f"{path}__{suffix}" for suffix in suffixes}

    def _touches_hidden(self, lookup: str, request: HttpRequest) -> bool:
        return not self.hidden_fields(request).isdisjoint(lookup.split(LOOKUP_SEP))

    def get_search_fields(self, request: HttpRequest):
        return tuple(f for f in super().get_search_fields(request)
                     if not self._touches_hidden(f.lstrip("^=@"), request))

    def get_sortable_by(self, request: HttpRequest):
        return [name for name in super().get_sortable_by(request)
                if not (isinstance(name, str) and self._orders_by_hidden(name, request))]

    def _orders_by_hidden(self, column: str, request: HttpRequest) -> bool:
        try:
            self.model._meta.get_field(column)
        except FieldDoesNotExist:
            attribute = getattr(self, column, None) or getattr(self.model, column, None)
            ordering = getattr(attribute, "admin_order_field", None)
            if not isinstance(ordering, str):
                return False
            column = ordering.lstrip("-")
        return self._touches_hidden(column, request)

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

    def changelist_view(self, request: HttpRequest, extra_context=None):
        # The list is titled by what it lists (检测规程), not "选择 检测规程 来修改" (#9); a pop-up still selects.
        if IS_POPUP_VAR not in request.GET:
            extra_context = {"title": capfirst(self.model._meta.verbose_name_plural), **(extra_context or {})}
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if changelist is not None and self._nothing_at_all(changelist):
            response.context_data["empty_list"] = self.empty_list(request)
        return response

    @staticmethod
    def _nothing_at_all(changelist) -> bool:
        return changelist.result_count == 0 and not changelist.has_active_filters and not changelist.query

    def empty_list(self, request: HttpRequest) -> dict:
        """What an empty list says to do, and where to add the first one when this person may."""
        from metrology.core.setup_path import empty_list_hint

        name = self.model._meta.verbose_name_plural
        message = (self.empty_list_hint or empty_list_hint(self.model)
                   or _("There are no %(things)s yet.") % {"things": name})
        add_url = ""
        if self.has_add_permission(request):
            add_url = reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_add")
        return {"message": message, "add_url": add_url,
                "add_label": _("Add %(thing)s now") % {"thing": self.model._meta.verbose_name}}

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
