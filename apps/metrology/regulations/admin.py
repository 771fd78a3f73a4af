"""Desk pages of the regulation library (检测设置 › 规程规范库); every write goes through the services."""

from __future__ import annotations

from functools import partial

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from metrology.core.desk import PermissionCodeAdmin, desk_site
from metrology.regulations import views
from metrology.regulations.codes import kind_of_code
from metrology.regulations.forms import RegulationForm
from metrology.regulations.models import ExtractionState, Regulation, Status
from metrology.regulations.services import (
    EDITABLE_FIELDS,
    regulation_extraction_retry,
    regulation_update,
    regulation_upload,
)


class StatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        by_status = {Status.CURRENT: queryset.current, Status.WITHDRAWN: queryset.withdrawn,
                     Status.UPCOMING: queryset.upcoming}
        return by_status[self.value()]() if self.value() in by_status else queryset


@admin.register(Regulation, site=desk_site)
class RegulationAdmin(PermissionCodeAdmin):
    desk_module = "setup"
    desk_order = 6
    view_permissions = ("regulations_query",)
    manage_permissions = ("regulations_manage",)

    form = RegulationForm
    list_display = ("code", "title", "kind", "status_label", "effective_date", "withdrawal_date",
                    "extraction_status", "read_link")
    list_filter = (StatusFilter, "kind", "file_format", "extraction_state")
    actions = ("extract_text_again",)
    search_fields = ("code", "title")
    readonly_fields = ("status_label", "read_link", "original_name", "file_format", "file_size",
                       "file_sha256", "extraction_status", "extraction_note", "uploaded_by", "uploaded_at")
    details = ("code", "title", "kind", "effective_date", "withdrawal_date")
    add_fieldsets = ((None, {"fields": (*details, "upload")}),)
    fieldsets = (
        (None, {"fields": (*details, "status_label")}),
        (gettext_lazy("File"), {"fields": ("read_link", "original_name", "file_format", "file_size",
                                           "file_sha256", "extraction_status", "extraction_note",
                                           "uploaded_by", "uploaded_at", "upload")}),
    )

    @admin.display(description=gettext_lazy("status"))
    def status_label(self, regulation: Regulation) -> str:
        return regulation.get_status_display()

    @admin.display(description=gettext_lazy("text extraction"))
    def extraction_status(self, regulation: Regulation) -> str:
        state, label = regulation.extraction_state, regulation.get_extraction_state_display()
        if state == ExtractionState.FAILED and regulation.extraction_error:
            return format_html('<span class="extraction-state extraction-{}">{}：{}</span>',
                               state, label, regulation.extraction_error)
        return format_html('<span class="extraction-state extraction-{}">{}</span>', state, label)

    @admin.action(description=gettext_lazy("Extract the text again"), permissions=["change"])
    def extract_text_again(self, request: HttpRequest, queryset) -> None:
        queued = 0
        for regulation in queryset.exclude(extraction_state=ExtractionState.DONE):
            regulation_extraction_retry(actor=request.user, regulation=regulation)
            queued += 1
        self.message_user(request, gettext_lazy("Text extraction queued again for %(count)d regulation(s).")
                          % {"count": queued}, messages.SUCCESS if queued else messages.WARNING)

    @admin.display(description=gettext_lazy("read"))
    def read_link(self, regulation: Regulation) -> str:
        url = reverse("desk:regulations_regulation_read", args=[regulation.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, gettext_lazy("Read"))

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is None:
            return self.add_fieldsets
        if self.has_change_permission(request, obj):
            return self.fieldsets
        return [(title, {**options, "fields": tuple(f for f in options["fields"] if f != "upload")})
                for title, options in self.fieldsets]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        if obj is None:
            return ()
        if not self.has_change_permission(request, obj):
            return (*self.readonly_fields, *self.details)
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a regulation leaves the library by being withdrawn, so history keeps its basis

    def save_model(self, request: HttpRequest, obj: Regulation, form, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            regulation = regulation_upload(
                actor=request.user, file=data["upload"], code=data["code"], title=data["title"],
                effective_date=data.get("effective_date"), withdrawal_date=data.get("withdrawal_date"),
                kind=data.get("kind") or None,
            )
            obj.pk = regulation.pk
            obj._state.adding = False
            return
        changes = {field: data[field] for field in form.changed_data if field in EDITABLE_FIELDS}
        if "kind" in changes and not changes["kind"]:
            changes["kind"] = kind_of_code(data["code"])
        regulation_update(actor=request.user, regulation=obj, file=data.get("upload") or None, **changes)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("search/", wrap(partial(views.search, model_admin=self)),
                 name="regulations_regulation_search"),
            path("<int:regulation_id>/read/", wrap(partial(views.read, model_admin=self)),
                 name="regulations_regulation_read"),
            path("<int:regulation_id>/text/", wrap(partial(views.text, model_admin=self)),
                 name="regulations_regulation_text"),
            path("<int:regulation_id>/download/", wrap(partial(views.download, model_admin=self)),
                 name="regulations_regulation_download"),
            path("<int:regulation_id>/extract/", wrap(partial(views.extract_again, model_admin=self)),
                 name="regulations_regulation_extract"),
            *super().get_urls(),
        ]
