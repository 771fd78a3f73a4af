"""Desk pages of raw records: the list and a record's page (read-only), the measurement standards,
and the monitoring page of work in progress (R-4.1.2.4 d)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrology.core.desk import PermissionCodeAdmin, desk_site
from metrology.doctype.engine import effective_fields
from metrology.print_formats.context import display
from metrology.records.conditions import CONDITION_FIELDS
from metrology.records.models import Record, Standard, WorkInProgress
from metrology.records.monitoring import STALE_AFTER, work_in_progress
from metrology.records.selectors import record_changes_after_submission, records
from metrology.records.services import STANDARDS_PERMISSION, standard_save

EXPIRING_WITHIN = dt.timedelta(days=30)
RULE_OUTCOMES = {True: gettext_lazy("conforming"), False: gettext_lazy("not conforming"),
                 None: gettext_lazy("not applicable")}


@admin.register(Record, site=desk_site)
class RecordAdmin(PermissionCodeAdmin):
    """原始记录: read by whoever may query records; entered only on the phone (records/api.py)."""

    desk_module = "certificates"
    desk_order = 10
    view_permissions = ("records_query",)
    manage_permissions = ()
    list_display = ("number", "item", "sub_type", "serial_number", "instrument_model", "client", "inspector",
                    "state", "conclusion", "created_at", "updated_at")
    list_display_links = ("number",)
    list_filter = ("state", ("inspector", admin.RelatedOnlyFieldListFilter),
                   ("item", admin.RelatedOnlyFieldListFilter))
    search_fields = ("raw_record_number", "serial_number")
    search_help_text = gettext_lazy("Search by raw record number or serial number.")
    list_per_page = 50
    empty_list_hint = gettext_lazy("Raw records appear here once inspectors start tasks in the mobile app.")

    class Media:
        css = {"all": ("workflow/workflow.css",)}  # the review history block (workflow/history.html)

    def get_queryset(self, request: HttpRequest):
        from metrology.accounts.jurisdiction import records_in_jurisdiction

        return records_in_jurisdiction(request.user, records())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # records are started on the phone, by a qualified inspector

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # values change through the entry services, with a reason after submission

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=gettext_lazy("raw record number"), ordering="raw_record_number")
    def number(self, record: Record) -> str:
        return record.raw_record_number or _("(not submitted yet)")

    def changelist_view(self, request: HttpRequest, extra_context=None):
        extra = {"monitoring_url": reverse("desk:records_workinprogress_changelist")}
        return super().changelist_view(request, {**extra, **(extra_context or {})})

    def get_fieldsets(self, request: HttpRequest, obj=None):
        return [
            (None, {"fields": ("number", "state_name", "item", "sub_type", "version", "inspector", "prefilled_from",
                               "created_at", "first_submitted_at", "submitted_at", "updated_at")}),
            (_("Instrument and common fields"), {"fields": (
                "client", "accuracy_class", "instrument_model", "manufacturer", "serial_number", "user_address",
                "manufacture_date", "verification_date", "next_verification_date", "conclusion_note")}),
            (_("Entered values"), {"fields": ("entered_values",)}),
            (_("Computed results"), {"fields": ("computed_results",)}),
            (_("Verdict"), {"fields": ("conclusion", "failed_item_list")}),
            (_("Standards used and attachments"), {"fields": ("standards_used", "work_conditions",
                                                              "attachment_list")}),
            (_("Changes after submission"), {"fields": ("changes",), "description": _(
                "Every change made after the record was first submitted, with its reason.")}),
            (_("Review and signatures"), {"fields": ("review_history",)}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [name for _title, options in self.get_fieldsets(request, obj) for name in options["fields"]]

    @admin.display(description=gettext_lazy("entered values"))
    def entered_values(self, record: Record) -> str:
        scalars, grids = [], []
        for spec in _specs(record).values():
            if spec.get("type") in ("formula", "section") or spec["key"] in COMMON_KEYS:
                continue
            value = record.inputs.get(spec["key"])
            if spec.get("type") == "grid":
                columns = [c for c in spec.get("columns") or [] if c.get("type") != "formula"]
                grids.append(_grid(spec, columns, value or []))
            else:
                scalars.append((spec.get("label") or spec["key"], display(value, spec)))
        return render_to_string("records/record_values.html", {"scalars": scalars, "grids": grids})

    @admin.display(description=gettext_lazy("computed results"))
    def computed_results(self, record: Record) -> str:
        values = record.results.get("values", {})
        scalars, grids = [], []
        for spec in _specs(record).values():
            if spec.get("type") == "formula":
                scalars.append((spec.get("label") or spec["key"], display(values.get(spec["key"]), spec)))
            elif spec.get("type") == "grid":
                columns = [c for c in spec.get("columns") or [] if c.get("type") == "formula"]
                if columns:
                    grids.append(_grid(spec, columns, values.get(spec["key"]) or []))
        rules = [(rule.get("label") or rule.get("id"), rule.get("limit"), RULE_OUTCOMES.get(rule.get("passed")))
                 for rule in record.results.get("rule_results", []) if rule.get("applicable", True)]
        return render_to_string("records/record_values.html", {"scalars": scalars, "grids": grids, "rules": rules})

    @admin.display(description=gettext_lazy("failed items"))
    def failed_item_list(self, record: Record) -> str:
        return "、".join(record.failed_items) or "—"

    @admin.display(description=gettext_lazy("standards used"))
    def standards_used(self, record: Record) -> str:
        used = record.standards_used.select_related("standard", "added_by")
        return render_to_string("records/record_standards.html", {"used": used})

    @admin.display(description=gettext_lazy("work conditions"))
    def work_conditions(self, record: Record) -> str:
        conditions = [(Record._meta.get_field(name).verbose_name, getattr(record, name))
                      for name in CONDITION_FIELDS]
        return render_to_string("records/record_conditions.html", {"conditions": conditions})

    @admin.display(description=gettext_lazy("attachments"))
    def attachment_list(self, record: Record) -> str:
        return "、".join(str(a) for a in record.attachments.all()) or "—"

    @admin.display(description=gettext_lazy("state"))
    def state_name(self, record: Record) -> str:
        from metrology.workflow.selectors import state_names

        return state_names().get(record.state, record.state)

    @admin.display(description=gettext_lazy("review history"))
    def review_history(self, record: Record) -> str:
        from metrology.workflow.desk import history_html

        review = reverse("desk:workflow_review", args=[record.pk])
        return render_to_string("records/record_review.html", {"history": history_html(record), "review_url": review})

    @admin.display(description=gettext_lazy("changes after submission"))
    def changes(self, record: Record) -> str:
        specs = _specs(record)
        changes = [(_place(specs, change.field, change.row, change.column), change)
                   for change in record_changes_after_submission(record=record)]
        return render_to_string("records/record_changes.html", {"changes": changes})


COMMON_KEYS = frozenset({"委托单位", "计量器具准确度", "计量器具型号", "制造单位名称", "产品出厂编号", "使用单位地址", "出厂日期",
                         "检定日期", "下次检定日期", "结论说明"})


def _specs(record: Record) -> dict[str, dict[str, Any]]:
    definition = record.version.definition
    return {f["key"]: f for f in effective_fields(definition) if isinstance(f, dict) and "key" in f}


def _place(specs: dict[str, dict[str, Any]], field: str, row: int | None, column: str) -> str:
    """Where a value was entered, in the procedure's words: 测量次数（第 2 行）量器读数 h."""
    spec = specs.get(field, {})
    label = spec.get("label") or field
    if row is None:
        return label
    column_spec = next((c for c in spec.get("columns") or [] if c.get("key") == column), {})
    return _("%(grid)s (row %(row)d) %(column)s") % {"grid": label, "row": row,
                                                     "column": column_spec.get("label") or column}


def _grid(spec: dict[str, Any], columns: list[dict[str, Any]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"label": spec.get("label") or spec["key"],
            "columns": [c.get("label") or c.get("key") for c in columns],
            "rows": [[display(row.get(c.get("key")), c) for c in columns] for row in rows if isinstance(row, dict)]}


class ValidityFilter(admin.SimpleListFilter):
    title = gettext_lazy("validity")
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [("valid", gettext_lazy("valid")), ("expiring", gettext_lazy("expiring within 30 days")),
                ("expired", gettext_lazy("expired")), ("not_yet", gettext_lazy("not valid yet"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "valid":
            return queryset.filter(valid_until__gte=today).exclude(valid_from__gt=today)
        if self.value() == "expiring":
            return queryset.filter(valid_until__gte=today, valid_until__lte=today + EXPIRING_WITHIN)
        if self.value() == "expired":
            return queryset.filter(valid_until__lt=today)
        if self.value() == "not_yet":
            return queryset.filter(valid_from__gt=today)
        return queryset


@admin.register(Standard, site=desk_site)
class StandardAdmin(PermissionCodeAdmin):
    """计量标准器: the equipment list inspectors choose from; an expired one is refused at entry."""

    desk_module = "certificates"  # the records app's module; managed by the device manager all the same
    desk_order = 30
    view_permissions = ("devices_query", "records_query")
    manage_permissions = (STANDARDS_PERMISSION,)
    list_display = ("name", "measuring_range", "accuracy", "certificate_number", "valid_from", "valid_until",
                    "validity")
    list_filter = (ValidityFilter,)
    search_fields = ("name", "certificate_number")
    fields = ("name", "measuring_range", "accuracy", "certificate_number", "valid_from", "valid_until")
    empty_list_hint = gettext_lazy("Add the institute's measurement standards with the validity of their "
                                   "certificates; inspectors choose from this list.")

    @admin.display(description=gettext_lazy("validity"))
    def validity(self, standard: Standard) -> str:
        today = timezone.localdate()
        if standard.valid_until < today:
            return _("expired")
        if not standard.is_valid_on(today):
            return _("not valid yet")
        if standard.valid_until <= today + EXPIRING_WITHIN:
            return _("expiring within 30 days")
        return _("valid")

    def save_model(self, request: HttpRequest, obj: Standard, form, change: bool) -> None:
        standard_save(actor=request.user, standard=obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # records name the standards they were made with


@admin.register(WorkInProgress, site=desk_site)
class WorkInProgressAdmin(PermissionCodeAdmin):
    """在检工作监控: its entry in the Desk's module list opens the monitoring page."""

    desk_module = "certificates"
    desk_order = 11
    view_permissions = ("records_query",)
    manage_permissions = ()
    REFRESH_SECONDS = 30

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """The page; `?part=table` only its counts and table, which the page's script fetches to refresh.
        It offers no filter, so any other parameter is refused as an unknown list lookup is (#8)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        unknown = sorted(set(request.GET) - {"part"})
        if unknown:
            raise DisallowedModelAdminLookup(f"Filtering by {unknown[0]} not allowed")
        context = {"work": work_in_progress(person=request.user), "stale_hours": int(STALE_AFTER.total_seconds() // 3600)}
        if request.GET.get("part") == "table":
            return TemplateResponse(request, "records/monitoring_table.html", context)
        context.update({**self.admin_site.each_context(request), "title": _("Work in progress"),
                        "opts": WorkInProgress._meta, "refresh_seconds": self.REFRESH_SECONDS,
                        "records_url": reverse("desk:records_record_changelist")})
        return TemplateResponse(request, "records/monitoring.html", context)
