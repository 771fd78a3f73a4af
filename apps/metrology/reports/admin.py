"""Desk pages of 统计报表: the saved reports, the report builder and its JSON endpoints, exports, the
dashboard (R-4.2.5, R-4.3.13)."""

from __future__ import annotations

from functools import partial

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from metrology.core.desk import PermissionCodeAdmin, desk_site
from metrology.reports import api, dashboard, desk, export_views
from metrology.reports.models import SavedReport
from metrology.reports.selectors import reports_open_to


@admin.register(SavedReport, site=desk_site)
class SavedReportAdmin(PermissionCodeAdmin):
    desk_module = "reports"
    desk_order = 1
    view_permissions = ("reports_query",)
    list_display = ("name", "owner", "shared", "updated_at", "open_link")
    list_filter = ("shared",)
    search_fields = ("name",)
    empty_list_hint = gettext_lazy("No report is saved yet: open the report builder, choose columns and filters, "
                                   "then save the report.")

    def get_queryset(self, request: HttpRequest):
        return reports_open_to(request.user)

    @admin.display(description=gettext_lazy("open"))
    def open_link(self, report: SavedReport) -> str:
        return format_html('<a href="{}">{}</a>', reverse("desk:reports_builder_saved", args=[report.pk]),
                           gettext_lazy("open in the report builder"))

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # changed in the builder, by its owner only

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def get_urls(self):
        page = self.admin_site.admin_view
        query, export = partial(api.endpoint, needs="reports_query"), partial(api.endpoint, needs="reports_export")
        return [
            path("builder/", page(desk.builder_page), name="reports_builder"),
            path("builder/<int:report_id>/", page(desk.builder_page), name="reports_builder_saved"),
            path("dashboard/", page(dashboard.dashboard_page), name="reports_dashboard"),
            path("api/columns/", query(api.columns), name="reports_api_columns"),
            path("api/values/", query(api.values), name="reports_api_values"),
            path("api/run/", query(api.run, method="POST"), name="reports_api_run"),
            path("api/saved/", query(api.saved), name="reports_api_saved"),
            path("api/save/", export(api.save, method="POST"), name="reports_api_save"),
            path("api/delete/<int:report_id>/", export(api.delete, method="POST"), name="reports_api_delete"),
            path("api/export/", export(export_views.export_start, method="POST"), name="reports_api_export"),
            path("api/export/<int:export_id>/", export(export_views.export_state), name="reports_api_export_state"),
            path("export/<int:export_id>/download/", page(export_views.export_download),
                 name="reports_export_download"),
            *super().get_urls(),
        ]
