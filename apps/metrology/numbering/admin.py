"""Desk pages of numbering under 检测设置: schemes (through the services) and the issued numbers."""

from __future__ import annotations

from functools import partial

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy

from metrology.core.desk import PermissionCodeAdmin, desk_site
from metrology.doctype.models import Procedure
from metrology.numbering import desk_views
from metrology.numbering.forms import SchemeForm
from metrology.numbering.models import IssuedNumber, NumberingScheme
from metrology.numbering.preview import number_preview_for
from metrology.numbering.selectors import with_current_last
from metrology.numbering.services import SCHEME_FIELDS, number_preview, scheme_create, scheme_update


class NumberingAdmin(PermissionCodeAdmin):
    desk_module = "setup"
    view_permissions = ()
    manage_permissions = ("numbering_manage",)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # numbers are never deleted or reused; schemes are deactivated


@admin.register(NumberingScheme, site=desk_site)
class NumberingSchemeAdmin(NumberingAdmin):
    desk_order = 20
    form = SchemeForm
    change_form_template = "admin/numbering/numberingscheme/change_form.html"
    list_display = ("name", "kinds", "next_number", "reset", "is_active", "tools")
    list_filter = ("is_active", "reset", "items")
    search_fields = ("name", "prefix", "suffix")

    def get_queryset(self, request: HttpRequest):
        return with_current_last(super().get_queryset(request), on=timezone.localdate())

    def get_fields(self, request: HttpRequest, obj=None):
        return (*SCHEME_FIELDS, "next_number") if obj else SCHEME_FIELDS

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return ("next_number",) if obj else ()

    def get_changeform_initial_data(self, request: HttpRequest) -> dict:
        """`?procedure=<id>` (the designer links here after publishing) preselects its item and test type;
        a scheme of the test type covers every sub-type without one of its own. `?item=&test_type=`
        preselect one of each."""
        initial = super().get_changeform_initial_data(request)
        for single, many in (("item", "items"), ("test_type", "test_types")):
            value = initial.pop(single, "")
            if str(value).isdigit():
                initial.setdefault(many, [int(value)])
        procedure_id = request.GET.get("procedure", "")
        procedure = (Procedure.objects.select_related("sub_type").filter(pk=procedure_id).first()
                     if procedure_id.isdigit() else None)
        if procedure is not None:
            initial.setdefault("items", [procedure.item_id])
            initial.setdefault("test_types", [procedure.sub_type.parent_id or procedure.sub_type_id])
        return initial

    def render_change_form(self, request: HttpRequest, context: dict, add=False, change=False, form_url="",
                           obj=None):
        url = (reverse("desk:numbering_numberingscheme_preview", args=[obj.pk]) if obj is not None
               else reverse("desk:numbering_numberingscheme_preview_new"))
        context.update(
            preview_url=url, preview=number_preview_for(parts={}, scheme=obj),
            preview_text={"failed": gettext("The preview could not be updated; the number shown may be out of "
                                            "date.")},
        )
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    @admin.display(description=gettext_lazy("document kinds"))
    def kinds(self, scheme: NumberingScheme) -> str:
        return "、".join(scheme.kind_labels())

    @admin.display(description=gettext_lazy("next number"))
    def next_number(self, scheme: NumberingScheme) -> str:
        if not hasattr(scheme, "current_last"):
            return number_preview(scheme=scheme)
        return scheme.number_text((scheme.current_last or 0) + 1, timezone.localdate())

    @admin.display(description=gettext_lazy("tools"))
    def tools(self, scheme: NumberingScheme) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("desk:numbering_numberingscheme_set_next", args=[scheme.pk]),
            gettext_lazy("set starting number"),
            reverse("desk:numbering_numberingscheme_gaps", args=[scheme.pk]),
            gettext_lazy("gap report"),
        )

    def save_model(self, request: HttpRequest, obj: NumberingScheme, form, change: bool) -> None:
        data = {field: form.cleaned_data[field] for field in SCHEME_FIELDS}
        if change:
            scheme_update(actor=request.user, scheme=obj,
                          **{field: data[field] for field in form.changed_data if field in data})
            return
        scheme = scheme_create(actor=request.user, **data)
        obj.pk, obj.created_at, obj.name = scheme.pk, scheme.created_at, scheme.name
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        """The services set the items and test types with their audit row; nothing else is related."""

    def get_urls(self):
        def view(page):
            return self.admin_site.admin_view(partial(page, admin_site=self.admin_site))

        return [
            path("<int:scheme_id>/set-next/", view(desk_views.set_next_page),
                 name="numbering_numberingscheme_set_next"),
            path("<int:scheme_id>/gaps/", view(desk_views.gap_report_page),
                 name="numbering_numberingscheme_gaps"),
            path("<int:scheme_id>/preview/", view(desk_views.preview_json),
                 name="numbering_numberingscheme_preview"),
            path("preview/", view(desk_views.preview_json), name="numbering_numberingscheme_preview_new"),
            *super().get_urls(),
        ]


@admin.register(IssuedNumber, site=desk_site)
class IssuedNumberAdmin(NumberingAdmin):
    desk_order = 21
    list_display = ("number", "scheme", "period", "sequence", "status", "issued_at", "issued_by", "reference",
                    "void_reason", "void_link")
    list_filter = ("scheme", "status")
    search_fields = ("number", "reference")
    list_select_related = ("scheme", "issued_by")

    @admin.display(description=gettext_lazy("void"))
    def void_link(self, issued: IssuedNumber) -> str:
        if issued.status == IssuedNumber.Status.VOIDED:
            return "—"
        url = reverse("desk:numbering_issuednumber_void", args=[issued.pk])
        return format_html('<a href="{}">{}</a>', url, gettext_lazy("void"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # numbers are only ever issued by number_allocate()

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(partial(desk_views.void_page, admin_site=self.admin_site))
        return [path("<int:issued_id>/void/", view, name="numbering_issuednumber_void"), *super().get_urls()]
