"""The Desk page of background jobs (后台任务): the queue newest first, by state, and a failed job run
again."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from metrology.core.jobs import FAILED, QUEUED, STATES, QueueUnreachable, job_queue
from metrology.core.jobs.services import JobRefused, job_rerun, may_manage_jobs

PER_PAGE = 50


class StateFilter(forms.Form):
    state = forms.ChoiceField(label=gettext_lazy("state"), required=False,
                              choices=[("", gettext_lazy("all"))] + list(STATES.items()))


@require_GET
def jobs_page(request: HttpRequest) -> HttpResponse:
    from metrology.core.desk import desk_site

    if not may_manage_jobs(request.user):
        raise PermissionDenied
    chosen = StateFilter(request.GET)
    state = chosen.cleaned_data["state"] if chosen.is_valid() else ""
    queue = job_queue()
    context = {"counts": None, "page": None, "unreachable": ""}
    try:
        counts = {QUEUED: queue.count(QUEUED), FAILED: queue.count(FAILED)}
        page = Paginator(queue.listing(state or None), PER_PAGE).get_page(request.GET.get("page"))
        page_range = list(page.paginator.get_elided_page_range(page.number))
        context.update(counts=counts, page=page, page_range=page_range)
    except QueueUnreachable as error:
        context["unreachable"] = str(error)
    request.current_app = desk_site.name
    return TemplateResponse(request, "core/desk/jobs.html", {
        **desk_site.each_context(request), **context, "title": _("Background jobs"), "filter": chosen,
        "state": state, "states": [("", _("all")), *STATES.items()]})


@require_POST
def job_rerun_page(request: HttpRequest, job_id: str) -> HttpResponse:
    if not may_manage_jobs(request.user):
        raise PermissionDenied
    try:
        queued = job_rerun(actor=request.user, job_id=job_id)
    except JobRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The job was queued again as job %(job)s; the failed one stays in the "
                                    "list.") % {"job": queued})
    return HttpResponseRedirect(reverse("desk-jobs"))
