"""Desk pages of certificates (R-4.3.12.6, R-4.2.4.3–4): the list, sorted, filtered and searched on
whitelisted fields only; a certificate's page with its files; and zips of many, made by a job whose
progress a page of the batch shows. Read-only: certificates change through issuing and voiding."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
    QueryDict,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrology.certificates.downloads import download_batch_create
from metrology.certificates.errors import CertificateRefused
from metrology.certificates.models import Certificate, DownloadBatch
from metrology.certificates.selectors import batch_of, certificates, current_pdf, instrument
from metrology.certificates.services import certificate_issue_again
from metrology.core.desk import PermissionCodeAdmin, desk_site
from metrology.core.permissions import perm
from metrology.doctype.models import TestType


class IssuedBetweenFilter(admin.FieldListFilter):
    """Issued from one day to another, both included, in the site's time zone."""

    template = "certificates/desk/date_range_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.since_key, self.until_key = f"{field_path}__gte", f"{field_path}__lte"
        super().__init__(field, request, params, model, model_admin, field_path)

    def expected_parameters(self) -> list[str]:
        return [self.since_key, self.until_key]

    def _day(self, key: str) -> dt.date | None:
        value = self.used_parameters.get(key)
        value = value[-1] if isinstance(value, list) else value
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise IncorrectLookupParameters(f"{key}: not a date") from None

    def queryset(self, request, queryset):
        since, until = self._day(self.since_key), self._day(self.until_key)
        if since:
            queryset = queryset.filter(**{f"{self.field_path}__gte": _start_of(since)})
        if until:
            queryset = queryset.filter(**{f"{self.field_path}__lt": _start_of(until + dt.timedelta(days=1))})
        return queryset

    def choices(self, changelist):
        others = QueryDict(changelist.get_query_string(remove=self.expected_parameters()).lstrip("?"))
        yield {"since_key": self.since_key, "until_key": self.until_key,
               "since": self._day(self.since_key), "until": self._day(self.until_key),
               "others": [(key, value) for key, values in others.lists() for value in values],
               "clear_url": changelist.get_query_string(remove=self.expected_parameters())}


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class TestTypeFilter(admin.SimpleListFilter):
    title = gettext_lazy("test type")
    parameter_name = "test_type"

    def lookups(self, request, model_admin):
        types = TestType.objects.select_related("parent").order_by("parent__name", "name")
        return [(str(t.pk), str(t)) for t in types]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not value.isdigit():
            raise IncorrectLookupParameters("test_type: not an id")
        return queryset.filter(record__sub_type_id=int(value))


@admin.register(Certificate, site=desk_site)
class CertificateAdmin(PermissionCodeAdmin):
    """证书: read by whoever may query certificates; made by approval, changed only by voiding."""

    desk_module = "certificates"
    desk_order = 20
    view_permissions = ("certificates_query",)
    manage_permissions = ()
    list_display = ("number", "kind", "instrument", "test_type", "client", "conclusion", "inspector", "issued_at",
                    "state")
    list_display_links = ("number",)
    list_filter = (("record__item", admin.RelatedFieldListFilter), TestTypeFilter, "kind",
                   ("issued_at", IssuedBetweenFilter), ("record__conclusion", admin.AllValuesFieldListFilter),
                   "state")
    search_fields = ("number", "record__client", "record__serial_number")
    search_help_text = gettext_lazy("Search by certificate number, client or serial number.")
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50
    actions = ["download_selected", "issue_again"]
    change_list_template = "certificates/desk/change_list.html"
    empty_list_hint = gettext_lazy("Certificates appear here once approved records have been issued.")

    class Media:
        css = {"all": ("certificates/desk/desk.css",)}

    def get_queryset(self, request: HttpRequest):
        from metrology.accounts.jurisdiction import certificates_in_jurisdiction

        return certificates_in_jurisdiction(request.user, certificates())

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=gettext_lazy("instrument"), ordering="record__item__name")
    def instrument(self, certificate: Certificate) -> str:
        return instrument(certificate)

    @admin.display(description=gettext_lazy("test type"), ordering="record__sub_type__name")
    def test_type(self, certificate: Certificate) -> str:
        return str(certificate.record.sub_type)

    @admin.display(description=gettext_lazy("client"), ordering="record__client")
    def client(self, certificate: Certificate) -> str:
        return certificate.record.client

    @admin.display(description=gettext_lazy("conclusion"), ordering="record__conclusion")
    def conclusion(self, certificate: Certificate) -> str:
        return certificate.record.conclusion

    @admin.display(description=gettext_lazy("inspector"), ordering="record__inspector__name")
    def inspector(self, certificate: Certificate) -> str:
        return str(certificate.record.inspector)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        return [
            (None, {"fields": ("number", "kind", "state", "numbered_at", "issued_at", "files", "next_steps",
                               "attempts", "last_error")}),
            (_("Instrument and client"), {"fields": ("instrument", "test_type", "client", "conclusion", "inspector",
                                                     "raw_record")}),
            (_("Voiding"), {"fields": ("voided_at", "voided_by", "void_reason", "replaces", "replaced_by_list")}),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [name for _title, options in self.get_fieldsets(request, obj) for name in options["fields"]]

    @admin.display(description=gettext_lazy("files"))
    def files(self, certificate: Certificate) -> str:
        links = [(reverse("desk:certificates_certificate_file", args=[certificate.pk, part]), label)
                 for part, label, stored in self._files(certificate) if stored]
        if not links:
            return _("The certificate is still being made.")
        return format_html_join(" · ", '<a href="{}" download>{}</a>', links)

    @staticmethod
    def _files(certificate: Certificate) -> list[tuple[str, str, str]]:
        void = certificate.state == Certificate.State.VOID and certificate.void_pdf
        return [("pdf", _("voided certificate (PDF)") if void else _("certificate (PDF)"), current_pdf(certificate)[0]),
                ("original", _("original certificate before voiding (PDF)"), certificate.pdf if void else ""),
                ("raw-record", _("raw record (PDF)"), certificate.raw_record_pdf)]

    @admin.display(description=gettext_lazy("what can be done"))
    def next_steps(self, certificate: Certificate) -> str:
        if certificate.state == Certificate.State.ISSUED:
            return format_html('<a class="button" href="{}">{}</a>', reverse("certificate-void", args=[certificate.pk]),
                               _("Void the certificate"))
        if certificate.state == Certificate.State.NUMBERED:
            return _("Still being made. If it failed (see the last error), fix the cause and use the list's "
                     "action “Issue again”.")
        return "—"

    @admin.action(description=gettext_lazy("Issue again (certificates still being made)"), permissions=["issue"])
    def issue_again(self, request: HttpRequest, queryset):
        try:
            count = certificate_issue_again(actor=request.user, certificates=queryset)
        except CertificateRefused as error:
            messages.error(request, error.message)
            return
        messages.success(request, _("%(count)d certificate(s) queued to be issued again.") % {"count": count})

    def has_issue_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(perm("certificates_edit"))

    @admin.display(description=gettext_lazy("raw record"))
    def raw_record(self, certificate: Certificate) -> str:
        return format_html('<a href="{}">{}</a>', reverse("desk:records_record_change", args=[certificate.record_id]),
                           str(certificate.record))

    @admin.display(description=gettext_lazy("reissued as"))
    def replaced_by_list(self, certificate: Certificate) -> str:
        return "、".join(c.number for c in certificate.replaced_by.all()) or "—"

    @admin.action(description=gettext_lazy("Download the selected certificates as a zip"), permissions=["view"])
    def download_selected(self, request: HttpRequest, queryset):
        return self._batch(request, queryset)

    def _batch(self, request: HttpRequest, queryset) -> HttpResponse | None:
        try:
            batch = download_batch_create(actor=request.user, certificates=queryset)
        except CertificateRefused as error:
            messages.error(request, error.message)
            return None
        return HttpResponseRedirect(reverse("desk:certificates_downloadbatch_page", args=[batch.pk]))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:certificate_id>/file/<str:part>/", wrap(self.file_view), name="certificates_certificate_file"),
            path("download-all/", wrap(self.download_all_view), name="certificates_certificate_download_all"),
            path("downloads/<int:batch_id>/", wrap(self.batch_view), name="certificates_downloadbatch_page"),
            path("downloads/<int:batch_id>/progress/", wrap(self.batch_progress_view),
                 name="certificates_downloadbatch_progress"),
            path("downloads/<int:batch_id>/zip/", wrap(self.batch_file_view), name="certificates_downloadbatch_file"),
            *super().get_urls(),
        ]

    def _allowed(self, request: HttpRequest) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def file_view(self, request: HttpRequest, certificate_id: int, part: str) -> HttpResponse:
        """One of the certificate's files, named by its number (RFC 5987 `filename*` when not ASCII)."""
        self._allowed(request)
        certificate = get_object_or_404(self.get_queryset(request), pk=certificate_id)
        original, raw_record = _("original"), _("raw record")
        names = {"pdf": f"{certificate.number}.pdf", "original": f"{certificate.number}-{original}.pdf",
                 "raw-record": f"{certificate.number}-{raw_record}.pdf"}
        stored = next((stored for key, _label, stored in self._files(certificate) if key == part), "")
        if not stored:
            raise Http404(_("This certificate has no such file."))
        return _stored_file(stored, names[part].replace("/", "_"), "application/pdf")

    def download_all_view(self, request: HttpRequest) -> HttpResponse:
        """Every certificate the list shows for its query string (its filters and search), as one batch."""
        self._allowed(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("desk:certificates_certificate_changelist") + "?e=1")
        response = self._batch(request, changelist.queryset)
        return response or HttpResponseRedirect(reverse("desk:certificates_certificate_changelist")
                                                + changelist.get_query_string())

    def _batch_of(self, request: HttpRequest, batch_id: int) -> DownloadBatch:
        self._allowed(request)
        batch = batch_of(pk=batch_id, person=request.user)
        if batch is None:
            raise Http404(_("There is no such download of yours."))
        return batch

    def batch_view(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        batch = self._batch_of(request, batch_id)
        context = {**self.admin_site.each_context(request), "opts": self.opts, "batch": batch,
                   "title": _("Certificates as a zip"), "progress": batch_progress(batch),
                   "progress_url": reverse("desk:certificates_downloadbatch_progress", args=[batch.pk]),
                   "text": {"files": _("{done} of {total} files added"),
                            "failed": _("The zip could not be made: {error}"),
                            "lost": _("Could not ask how far it is; trying again shortly.")}}
        return TemplateResponse(request, "certificates/desk/batch.html", context)

    def batch_progress_view(self, request: HttpRequest, batch_id: int) -> JsonResponse:
        response = JsonResponse(batch_progress(self._batch_of(request, batch_id)))
        response["Cache-Control"] = "no-store"
        return response

    def batch_file_view(self, request: HttpRequest, batch_id: int) -> HttpResponse:
        batch = self._batch_of(request, batch_id)
        if batch.state != DownloadBatch.State.DONE or not batch.file:
            raise Http404(_("The zip is not ready yet."))
        name = f"{_('certificates')}-{timezone.localtime(batch.requested_at):%Y%m%d-%H%M}.zip"
        return _stored_file(batch.file, name, "application/zip")


def batch_progress(batch: DownloadBatch) -> dict:
    done = batch.state == DownloadBatch.State.DONE
    return {"state": batch.state, "state_label": batch.get_state_display(), "done": batch.done, "total": batch.total,
            "error": batch.error, "sha256": batch.sha256 if done else "",
            "download_url": reverse("desk:certificates_downloadbatch_file", args=[batch.pk]) if done else ""}


def _stored_file(stored: str, filename: str, content_type: str) -> FileResponse:
    try:
        handle = default_storage.open(stored, "rb")
    except (FileNotFoundError, OSError):
        raise Http404(_("The file is missing from storage.")) from None
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
