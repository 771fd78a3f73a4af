"""The dashboard (统计看板, R-4.2.5): work in progress by state, certificates issued this month by item,
the pass rate, and the instruments due again within 30 days. The numbers come from dashboard_data; the
charts (static/reports/dashboard.js, Chart.js) draw the tables the page shows anyway."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from metrology.core.permissions import perm
from metrology.reports import dashboard_data, selectors


def dashboard_page(request: HttpRequest) -> HttpResponse:
    from metrology.core.desk import desk_site

    if not request.user.has_perm(perm("reports_query")):
        raise PermissionDenied
    today = timezone.localdate()
    records = selectors.report_records(request.user)
    states = dashboard_data.records_by_state(records)
    issued = dashboard_data.certificates_issued_by_item(records, today)
    charts = {
        "states": {"labels": [s.name for s in states], "values": [s.count for s in states],
                   "label": _("number of records")},
        "issued": {"labels": [i.item for i in issued], "values": [i.count for i in issued],
                   "label": _("number of certificates")},
    }
    context = {
        **desk_site.each_context(request), "title": _("Statistics dashboard"),
        "today": today, "states": states, "issued": issued,
        "issued_total": sum(i.count for i in issued),
        "rates": dashboard_data.pass_rates(records, today),
        "due": dashboard_data.due_for_reverification(records, today),
        "due_days": dashboard_data.DUE_DAYS, "charts": charts,
    }
    return TemplateResponse(request, "reports/dashboard.html", context)
