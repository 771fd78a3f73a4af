"""Desk pages of 检测设置: items, test types, procedures and their versions (with the designer)."""

from __future__ import annotations

from functools import partial

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from metrology.core.audited import instance_save
from metrology.core.desk import PermissionCodeAdmin, desk_site
from metrology.doctype import designer
from metrology.doctype.engine import FORMAT_VERSION
from metrology.doctype.forms import ItemForm
from metrology.doctype.models import Item, Procedure, ProcedureVersion, TestType
from metrology.doctype.services import item_save, procedure_create


class SetupAdmin(PermissionCodeAdmin):
    desk_module = "setup"
    view_permissions = ()
    manage_permissions = ("procedures_manage",)


@admin.register(Item, site=desk_site)
class ItemAdmin(SetupAdmin):
    desk_order = 1
    form = ItemForm
    list_display = ("code", "name", "is_authorised", "authorisation_basis", "period_months")
    list_filter = ("is_authorised",)
    search_fields = ("code", "name", "authorisation_basis")

    def save_model(self, request, obj, form, change) -> None:
        item_save(actor=request.user, item=obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # items carry procedures and history; withdraw authorisation instead


@admin.register(TestType, site=desk_site)
class TestTypeAdmin(SetupAdmin):
    desk_order = 2
    list_display = ("__str__", "parent", "order")
    list_filter = ("parent",)

    def save_model(self, request, obj, form, change) -> None:
        instance_save(actor=request.user, instance=obj, action="test_type.saved")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Procedure, site=desk_site)
class ProcedureAdmin(SetupAdmin):
    desk_order = 3
    list_display = ("code", "name", "item", "sub_type", "published_label", "design_link")
    list_filter = ("item", "sub_type__parent")
    search_fields = ("code", "name", "item__name")
    fields = ("item", "sub_type", "code", "name")
    list_select_related = ("item", "sub_type__parent")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    @admin.display(description=gettext_lazy("published version"))
    def published_label(self, procedure: Procedure) -> str:
        version = procedure.published_version()
        return f"v{version.number}" if version else "—"

    @admin.display(description=gettext_lazy("design"))
    def design_link(self, procedure: Procedure) -> str:
        version = procedure.draft_version() or procedure.latest_version()
        url = reverse("desk:doctype_procedureversion_design", args=[version.pk])
        return format_html('<a href="{}">{}</a>', url, gettext_lazy("open the designer"))

    def get_readonly_fields(self, request, obj=None):
        return ("item", "sub_type", "code", "name") if obj else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "item":
            kwargs["queryset"] = Item.objects.filter(is_authorised=True)  # R-4.3.5.3
        if db_field.name == "sub_type":
            kwargs["queryset"] = TestType.objects.filter(parent__isnull=False).select_related("parent")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        if change:
            return
        definition = {"format_version": FORMAT_VERSION, "code": obj.code, "name": obj.name,
                      "test_type": obj.sub_type.parent.name, "sub_types": [obj.sub_type.name],
                      "item": {"name": obj.item.name, "period_months": obj.item.period_months},
                      "fields": [], "tables": [], "rules": [], "test_cases": []}
        version = procedure_create(actor=request.user, item=obj.item, sub_type=obj.sub_type,
                                   code=obj.code, name=obj.name, definition=definition, allow_problems=True)
        obj.pk = version.procedure.pk
        obj._state.adding = False

    def response_add(self, request, obj, post_url_continue=None):
        version = obj.latest_version()
        return HttpResponseRedirect(reverse("desk:doctype_procedureversion_design", args=[version.pk]))

    def get_urls(self):
        return [
            path("<int:procedure_id>/new-draft/", self.admin_site.admin_view(designer.new_draft),
                 name="doctype_procedure_new_draft"),
            path("<int:procedure_id>/diff/", self.admin_site.admin_view(
                partial(designer.diff_page, admin_site=self.admin_site)), name="doctype_procedure_diff"),
            *super().get_urls(),
        ]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ProcedureVersion, site=desk_site)
class ProcedureVersionAdmin(SetupAdmin):
    desk_order = 4
    list_display = ("procedure", "number", "status", "published_at", "design_link")
    list_filter = ("status", "procedure__item")
    search_fields = ("procedure__code", "procedure__name")
    list_select_related = ("procedure__sub_type",)
    readonly_fields = ("procedure", "number", "status", "fingerprint", "change_note", "created_by", "created_at",
                       "published_by", "published_at", "retired_at", "definition")

    @admin.display(description=gettext_lazy("design"))
    def design_link(self, version: ProcedureVersion) -> str:
        url = reverse("desk:doctype_procedureversion_design", args=[version.pk])
        return format_html('<a href="{}">{}</a>', url, gettext_lazy("open the designer"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        page = self.admin_site.admin_view
        endpoint = partial(designer.json_endpoint, admin_site=self.admin_site)  # JSON answers, even refusals
        return [
            path("<int:version_id>/design/", page(partial(designer.designer_page, admin_site=self.admin_site)),
                 name="doctype_procedureversion_design"),
            path("<int:version_id>/design/check/", endpoint(designer.check), name="doctype_procedureversion_check"),
            path("<int:version_id>/design/test-run/", endpoint(designer.test_run),
                 name="doctype_procedureversion_test_run"),
            path("<int:version_id>/design/save/", endpoint(designer.save), name="doctype_procedureversion_save"),
            path("<int:version_id>/design/publish/", endpoint(designer.publish),
                 name="doctype_procedureversion_publish"),
            *super().get_urls(),
        ]
