"""Desk pages of the review chain (R-4.3.10, R-4.3.11): what waits for me (待我处理), the review page of one
record with its steps and signature pad, and the history block the record's Desk page shares.

The pages read through the selectors and take no step themselves: the review page's script posts to
the JSON step endpoint (workflow/api.py), so the Desk and the phone take steps the same way. The
URLs are the workflow page's (workflow/admin.py), behind the Desk's login.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from metrology.doctype.document_kinds import DocumentKind
from metrology.records.models import Record
from metrology.workflow import engine, selectors
from metrology.workflow.models import Identity, WorkflowTransition

WAITING_URL = "desk:workflow_waiting"
REVIEW_URL = "desk:workflow_review"
WAITING_LIMIT = 200
METHOD_LABELS = {
    "handwriting": pgettext_lazy("signature method", "handwritten signature"),
    "password": pgettext_lazy("signature method", "password"),
    "biometric": pgettext_lazy("signature method", "fingerprint or face"),
}
# The columns of the waiting list a person may sort by (R-4.3.11.3), as selectors.WAITING_ORDERS names them.
SORTABLE = (("name", gettext_lazy("instrument name")), ("number", gettext_lazy("raw record number")),
            ("item", gettext_lazy("item")), ("time", gettext_lazy("submitted at")))


# -- the history of a record, shared by the review page and the record's Desk page --------------------

@dataclass(frozen=True)
class HistoryRow:
    entry: selectors.HistoryEntry
    from_name: str
    to_name: str
    methods: list[str] = field(default_factory=list)
    changes: list[tuple[str, Any, Any]] = field(default_factory=list)  # (where, before, after), in words

    @property
    def step(self):
        return self.entry.step

    @property
    def signature(self):
        return self.entry.signature


def _specs(record: Record) -> dict[str, dict[str, Any]]:
    from metrology.doctype.engine import effective_fields

    return {f["key"]: f for f in effective_fields(record.version.definition) if isinstance(f, dict) and "key" in f}


def _rows_of(value: Any) -> list[dict]:
    return [row if isinstance(row, dict) else {} for row in value] if isinstance(value, list) else []


def _shown(value: Any) -> Any:
    return None if value == "" else value


def changes_in_words(specs: dict[str, dict[str, Any]], changes) -> list[tuple[str, Any, Any]]:
    """What changed between two submissions in the procedure's words: a grid cell by cell, as
    测量次数（第 2 行）量器读数 h, values at their display rounding."""
    from metrology.print_formats.context import display

    found = []
    for key, before, after in changes:
        spec = specs.get(key, {})
        label = spec.get("label") or key
        if spec.get("type") != "grid":
            found.append((label, _shown(display(before, spec)), _shown(display(after, spec))))
            continue
        columns = {c.get("key"): c for c in spec.get("columns") or [] if isinstance(c, dict)}
        old, new = _rows_of(before), _rows_of(after)
        for n in range(max(len(old), len(new))):
            row_before, row_after = (old[n] if n < len(old) else {}), (new[n] if n < len(new) else {})
            for column in sorted(set(row_before) | set(row_after)):
                if row_before.get(column) != row_after.get(column):
                    column_spec = columns.get(column, {})
                    where = _("%(grid)s (row %(row)d) %(column)s") % {
                        "grid": label, "row": n + 1, "column": column_spec.get("label") or column}
                    found.append((where, _shown(display(row_before.get(column), column_spec)),
                                  _shown(display(row_after.get(column), column_spec))))
    return found


def history_rows(record: Record) -> list[HistoryRow]:
    names, specs = selectors.state_names(), None
    rows = []
    for entry in selectors.record_history(record):
        methods = [str(METHOD_LABELS.get(m, m)) for m in entry.signature.signature.methods] if entry.signature else []
        if entry.changes and specs is None:
            specs = _specs(record)
        rows.append(HistoryRow(entry, names.get(entry.step.from_state, entry.step.from_state),
                               names.get(entry.step.to_state, entry.step.to_state), methods,
                               changes_in_words(specs or {}, entry.changes)))
    return rows


def history_html(record: Record) -> SafeString:
    """The history block (workflow/history.html) of a record: every step, who, when, why, on which device,
    what changed between submissions, and each signature with whether it still holds."""
    return render_to_string("workflow/history.html", {"history": history_rows(record)})


# -- 待我处理 ------------------------------------------------------------------------------------------

def waiting_count(request: HttpRequest) -> dict[str, Any]:
    """Context processor: how many records wait for the person, counted only when a Desk page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith(reverse("desk:index")):
        return {}
    return {"workflow_waiting_count": SimpleLazyObject(lambda: selectors.waiting_count(user)),
            "workflow_waiting_url": reverse(WAITING_URL)}


def _sort_links(order: str, item: str) -> list[dict[str, Any]]:
    links = []
    for code, label in SORTABLE:
        current = order.lstrip("-") == code
        target = "-time" if code == "time" and order == "time" else code
        query = f"?order={target}" + (f"&item={item}" if item else "")
        sort = "none"
        if current:
            sort = "descending" if order.startswith("-") else "ascending"
        links.append({"code": code, "label": label, "query": query, "sort": sort})
    return links


def waiting_page(request: HttpRequest) -> HttpResponse:
    from metrology.core.desk import desk_site

    order = request.GET.get("order", "time")
    order = order if order in selectors.WAITING_ORDERS else "time"
    item = request.GET.get("item", "")[:50]
    records = selectors.waiting_for(request.user, order=order, item=item)
    rows, names = list(records[:WAITING_LIMIT]), selectors.state_names()
    for record in rows:
        record.state_name = names.get(record.state, record.state)
    every = selectors.waiting_for(request.user).order_by()
    items = (Record.item.field.related_model.objects.filter(pk__in=every.values("item_id"))
             .order_by("name").values_list("code", "name"))
    context = {
        **desk_site.each_context(request), "title": _("Waiting for me"),
        "rows": rows, "total": records.count() if len(rows) == WAITING_LIMIT else len(rows),
        "limit": WAITING_LIMIT, "order": order, "item": item, "items": list(items),
        "columns": _sort_links(order, item),
    }
    return TemplateResponse(request, "workflow/waiting.html", context)


# -- the review page of one record ---------------------------------------------------------------------

def visible_record(request: HttpRequest, pk: int) -> Record:
    record = selectors.visible_record(request.user, pk)
    if record is None:
        raise Http404
    return record


@dataclass(frozen=True)
class StepForm:
    transition: WorkflowTransition

    @property
    def passkey_allowed(self) -> bool:
        return self.transition.identity in (Identity.BIOMETRIC, Identity.BIOMETRIC_OR_PASSWORD)

    @property
    def password_allowed(self) -> bool:
        return self.transition.identity in (Identity.PASSWORD, Identity.BIOMETRIC_OR_PASSWORD)


def _document_kind(record: Record) -> str:
    """The document the record's values give (a certificate or a notice), once they are complete."""
    from metrology.records.entry import entry_plan, live_results
    from metrology.records.selectors import record_context

    live = live_results(entry_plan(record.version.definition), record.inputs, record_context(record))
    return live.get("document_kind") or ""


def review_page(request: HttpRequest, pk: int) -> HttpResponse:
    from metrology.core.desk import desk_site
    from metrology.passkeys.selectors import has_passkey

    record = visible_record(request, pk)
    record_admin = desk_site.get_model_admin(Record)
    number = record.raw_record_number or _("(not submitted yet)")
    context = {
        **desk_site.each_context(request), "title": _("Review of raw record %(number)s") % {"number": number},
        "record": record, "number": number, "state_name": selectors.state_names().get(record.state, record.state),
        "entered_values": record_admin.entered_values(record),
        "computed_results": record_admin.computed_results(record),
        "failed_items": record_admin.failed_item_list(record), "standards_used": record_admin.standards_used(record),
        "document_kind": _document_kind(record), "raw_record_kind": DocumentKind.RAW_RECORD.value,
        "steps": [StepForm(t) for t in engine.available_transitions(request.user, record)],
        "history": history_rows(record), "has_passkey": has_passkey(request.user),
        "record_url": reverse("desk:records_record_change", args=[record.pk]),
    }
    return TemplateResponse(request, "workflow/review.html", context)
