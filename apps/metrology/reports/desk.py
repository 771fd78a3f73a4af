"""The report builder (报表设计器, R-4.2.5.3–R-4.2.5.5): a Desk page whose script (static/reports/builder.js)
builds the definition and calls the JSON endpoints of api.py and export_views.py; this view only says
what the person may do and, for a saved report, hands over its definition."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from metrology.core.permissions import perm
from metrology.reports.api import saved_json
from metrology.reports.selectors import reports_open_to


def _texts() -> dict[str, str]:
    """What the script says, translated here: the page holds no inline script (CSP)."""
    return {
        "remove": _("Take out"), "up": _("Move up"), "down": _("Move down"),
        "column": _("Column"), "operator": _("Comparison"), "value": _("Value"),
        "pick": _("Pick a value"), "typed": _("or type a value"), "from": _("from"), "to": _("to"),
        "several": _("Pick one or more values"), "others": _("Other values, separated by 、"),
        "chooseColumn": _("(choose a column)"), "noGroup": _("(no grouping)"),
        "ops": {"eq": _("equals"), "ne": _("does not equal"), "contains": _("contains"), "in": _("is one of"),
                "between": _("between"), "empty": _("is empty"), "not_empty": _("is not empty")},
        "direction": _("Direction"), "ascending": _("ascending"), "descending": _("descending"),
        "noColumns": _("No column matches."), "chosenNone": _("No column chosen yet."),
        "needColumns": _("Choose at least one column."),
        "needFilterColumn": _("Choose the column this filter compares."),
        "needValue": _("Give a value for this filter."), "needTwo": _("Give both values, from and to."),
        "needSeveral": _("Pick or type at least one value."),
        "needSortColumn": _("Choose the column to sort by."),
        "needNumberColumn": _("Choose the number column to sum or average."),
        "needName": _("Give the report a name."),
        "running": _("Running the report…"), "total": _("{total} records"),
        "page": _("Page {page} of {pages}"), "noRows": _("No record matches the filters."),
        "group": _("group"), "count": pgettext("report total", "count"),
        "sum": pgettext("report total", "sum"), "avg": pgettext("report total", "average"),
        "saving": _("Saving…"), "saved": _("The report “{name}” is saved."),
        "deleted": _("The report is deleted."), "confirmDelete": _("Delete the report “{name}”?"),
        "mine": _("(mine)"), "sharedBy": _("(shared by {owner})"),
        "controlFor": _("{action}: {name}"), "aggregateOf": _("{aggregate} of {column}"), "open": _("Open"),
        "noSaved": _("No report is saved yet."),
        "readOnly": _("This report is shared by {owner}: you can run it but not change it."),
        "exporting": _("Exporting: {done} of {total} rows"),
        "exportQueued": _("The export is waiting to start…"),
        "exportDone": _("The file is ready."), "download": _("Download the file"),
        "exportFailed": _("The export did not succeed."),
        "network": _("The server cannot be reached; please check the connection. Your report is still on "
                     "this page."),
        "chartLabel": _("Chart of the grouped result; the numbers are in the table below it."),
    }


def builder_page(request: HttpRequest, report_id: int | None = None) -> HttpResponse:
    from metrology.core.desk import desk_site

    if not request.user.has_perm(perm("reports_query")):
        raise PermissionDenied
    report = get_object_or_404(reports_open_to(request.user), pk=report_id) if report_id is not None else None
    may_save = request.user.has_perm(perm("reports_export"))
    saved = saved_json(report, request.user) if report is not None else None
    title = _("Report builder") if report is None else _("Report: %(name)s") % {"name": report.name}
    context = {
        **desk_site.each_context(request), "title": title, "report": report, "may_save": may_save,
        "may_change": may_save and (report is None or report.owner_id == request.user.pk),
        "read_only": report is not None and report.owner_id != request.user.pk,
        "page_data": {
            "report": saved, "maySave": may_save, "texts": _texts(),
            "urls": {
                "columns": reverse("desk:reports_api_columns"), "values": reverse("desk:reports_api_values"),
                "run": reverse("desk:reports_api_run"), "saved": reverse("desk:reports_api_saved"),
                "save": reverse("desk:reports_api_save"), "export": reverse("desk:reports_api_export"),
                "builder": reverse("desk:reports_builder"),
                "exportState": reverse("desk:reports_api_export_state", args=[0]),
                "delete": reverse("desk:reports_api_delete", args=[0]),
                "open": reverse("desk:reports_builder_saved", args=[0]),
            },
        },
    }
    return TemplateResponse(request, "reports/builder.html", context)
