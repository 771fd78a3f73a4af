"""Desk pages for layouts: upload with lint, the keys a layout may use, and a PDF preview made by a job."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import TaskResultStatus

from metrology.core.desk import PermissionCodeAdmin, desk_site
from metrology.core.permissions import perm
from metrology.doctype.models import Procedure
from metrology.print_formats.keys import available_keys
from metrology.print_formats.layouts import LayoutRefused
from metrology.doctype.document_kinds import DocumentKind
from metrology.print_formats.models import Layout
from metrology.print_formats.preview import stored_preview
from metrology.print_formats.services import (layout_check, layout_refusal_record, layout_upload,
                                              procedure_definition)
from metrology.print_formats.tasks import make_layout_preview


class LayoutUploadForm(forms.ModelForm):
    """Adds a layout, or on a layout's own page a new version of it (procedure and kind then fixed)."""

    actor = None  # the person uploading, set by LayoutAdmin.get_form, so a refusal is audited
    upload = forms.FileField(label=gettext_lazy("Word or Excel file"),
                             help_text=gettext_lazy("A .docx or .xlsx file, at most 10 MiB."))

    class Meta:
        model = Layout
        fields = ("procedure", "kind")

    def clean(self):
        cleaned = super().clean()
        procedure, kind = self._binding(cleaned)
        existing = None if self.instance.pk else Layout.objects.filter(procedure=procedure, kind=kind).first()
        if existing is not None:
            self.add_error("kind", new_version_guidance(existing))
            return cleaned
        upload = cleaned.get("upload")
        if upload and procedure:
            data = upload.read()
            try:
                layout_check(procedure=procedure, data=data, filename=upload.name)
            except LayoutRefused as error:
                self.add_error("upload", [error.message, *error.report.errors])
                layout_refusal_record(actor=self.actor, procedure=procedure, kind=kind or "",
                                      data=data, filename=upload.name, refused=error)
            upload.seek(0)
        return cleaned

    def _binding(self, cleaned: dict) -> tuple[Procedure | None, str | None]:
        if self.instance.pk:
            return self.instance.procedure, self.instance.kind
        return cleaned.get("procedure"), cleaned.get("kind")

    def validate_unique(self) -> None:
        pass  # a second file for the same procedure and kind is that layout's new version (see clean)


def new_version_guidance(layout: Layout) -> str:
    current = layout.current()
    return format_html(
        "{} <a href=\"{}\">{}</a>",
        _("%(layout)s already has a layout (now v%(number)d); a new file for it is its new version.")
        % {"layout": layout, "number": current.number if current else 0},
        reverse("desk:print_formats_layout_change", args=[layout.pk]), _("Upload a new version"))


@admin.register(Layout, site=desk_site)
class LayoutAdmin(PermissionCodeAdmin):
    desk_module = "setup"
    desk_order = 5
    view_permissions = ()
    manage_permissions = ("templates_manage",)
    list_display = ("procedure", "kind", "current_version", "lint_notes", "links")
    list_filter = ("kind", "procedure__item")
    list_select_related = ("procedure__sub_type",)
    form = LayoutUploadForm
    LIST_NOTES = 5

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        attributes = {"actor": request.user}
        if obj is not None:
            attributes["upload"] = forms.FileField(label=gettext_lazy("New version (Word or Excel file)"),
                                                   help_text=LayoutUploadForm.base_fields["upload"].help_text)
        return type(form.__name__, (form,), attributes)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ("procedure", "kind", "upload")})]
        return [
            (None, {"fields": ("procedure", "kind", "current_version")}),
            (_("Lint notes of the current version"), {"fields": ("lint_note_list",)}),
            (_("Versions"), {"fields": ("version_history",)}),
            (_("Upload a new version"), {"fields": ("upload",), "description": _(
                "The new file is checked against the procedure as the first one was; earlier versions stay, as "
                "issued documents name the version they were made with.")}),
        ]

    def get_readonly_fields(self, request, obj=None):
        return ("procedure", "kind", "current_version", "lint_note_list", "version_history") if obj else ()

    @admin.display(description=gettext_lazy("version"))
    def current_version(self, layout: Layout) -> str:
        version = layout.current()
        return f"v{version.number} · {version.original_name} · {version.sha256[:12]}" if version else "—"

    @admin.display(description=gettext_lazy("lint notes"))
    def lint_notes(self, layout: Layout) -> str:
        notes = current_notes(layout)
        shown = format_html_join("", "<div>{}</div>", ((note,) for note in notes[:self.LIST_NOTES]))
        if len(notes) > self.LIST_NOTES:
            more = _("and %(count)d more on the layout's page") % {"count": len(notes) - self.LIST_NOTES}
            shown += format_html('<div><a href="{}">{}</a></div>',
                                 reverse("desk:print_formats_layout_change", args=[layout.pk]), more)
        return shown or "—"

    @admin.display(description=gettext_lazy("lint notes"))
    def lint_note_list(self, layout: Layout) -> str:
        notes = current_notes(layout)
        if not notes:
            return _("The layout uses every field of the procedure.")
        return format_html('<p>{}</p><ul class="lint-notes">{}</ul>',
                           _("Fields of the procedure this layout does not show. That is allowed; check that "
                             "the document misses nothing it must show."),
                           format_html_join("", "<li>{}</li>", ((note,) for note in notes)))

    @admin.display(description=gettext_lazy("Versions"))
    def version_history(self, layout: Layout) -> str:
        columns = (_("version"), _("file name"), _("uploaded by"), _("uploaded at"), _("lint notes"))
        head = format_html_join("", '<th scope="col">{}</th>', ((column,) for column in columns))
        rows = format_html_join("", "<tr><td>v{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", (
            (v.number, v.original_name, v.uploaded_by.name if v.uploaded_by else "—",
             timezone.localtime(v.uploaded_at).strftime("%Y-%m-%d %H:%M"), len((v.lint or {}).get("notes", [])))
            for v in layout.versions.select_related("uploaded_by").order_by("-number")))
        return format_html('<table class="layout-versions"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
                           head, rows)

    @admin.display(description=gettext_lazy("preview"))
    def links(self, layout: Layout) -> str:
        return format_html(
            '<a href="{}" class="changelink">{}</a> · <a href="{}" target="_blank">{}</a> · <a href="{}">{}</a>',
            reverse("desk:print_formats_layout_change", args=[layout.pk]), _("Upload a new version"),
            reverse("desk:print_formats_layout_preview", args=[layout.pk]), _("PDF preview"),
            reverse("desk:print_formats_layout_keys", args=[layout.procedure_id]), _("available keys"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "procedure":
            kwargs["queryset"] = Procedure.objects.filter(item__is_authorised=True).select_related("sub_type")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        """`?procedure=<id>` preselects the procedure (the designer links here after publishing) and lists
        the layouts it already has, each with its new-version path."""
        procedure_id = request.GET.get("procedure", "")
        bound = (Layout.objects.filter(procedure_id=procedure_id).prefetch_related("versions")
                 if procedure_id.isdigit() else Layout.objects.none())
        return super().add_view(request, form_url, {"bound_layouts": list(bound), **(extra_context or {})})

    def save_model(self, request, obj, form, change) -> None:
        upload = form.cleaned_data["upload"]
        before = obj.current() if change else None
        version = layout_upload(actor=request.user, procedure=obj.procedure, kind=obj.kind,
                                data=upload.read(), filename=upload.name)
        obj.pk = version.layout_id
        obj._state.adding = False
        if before is not None and before.pk == version.pk:
            messages.info(request, _("The file is the same as the current version; nothing changed."))
            return
        messages.success(request, _("Version v%(number)d of %(layout)s is stored.")
                         % {"number": version.number, "layout": version.layout})
        if version.lint.get("notes"):
            messages.info(request, _("Fields the layout does not use: %(count)d (see the lint notes below).")
                          % {"count": len(version.lint["notes"])})

    def response_add(self, request, obj, post_url_continue=None):
        if IS_POPUP_VAR in request.POST or "_addanother" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return HttpResponseRedirect(reverse("desk:print_formats_layout_change", args=[obj.pk]))

    def response_change(self, request, obj):
        return HttpResponseRedirect(reverse("desk:print_formats_layout_change", args=[obj.pk]))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # issued documents name the layout version they were made with

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:layout_id>/preview/", view(self.preview_view), name="print_formats_layout_preview"),
            path("<int:layout_id>/preview/<str:job_id>/", view(self.preview_state_view),
                 name="print_formats_layout_preview_state"),
            path("<int:layout_id>/preview/<str:job_id>/pdf/", view(self.preview_pdf_view),
                 name="print_formats_layout_preview_pdf"),
            path("keys/<int:procedure_id>/", view(partial(keys_view, admin_site=self.admin_site)),
                 name="print_formats_layout_keys"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, layout_id: int) -> HttpResponse:
        """GET: a button; POST: queue the preview job and show its state (a request never renders, #8)."""
        layout = self._previewable(request, layout_id)
        if request.method == "POST":
            job = make_layout_preview.enqueue(layout.current().pk)
            return HttpResponseRedirect(reverse("desk:print_formats_layout_preview_state", args=[layout.pk, job.id]))
        return self._preview_page(request, layout, job=None)

    def preview_state_view(self, request: HttpRequest, layout_id: int, job_id: str) -> HttpResponse:
        layout = self._previewable(request, layout_id)
        return self._preview_page(request, layout, job=self._preview_job(layout, job_id))

    def preview_pdf_view(self, request: HttpRequest, layout_id: int, job_id: str) -> HttpResponse:
        layout = self._previewable(request, layout_id)
        job = self._preview_job(layout, job_id)
        outcome = job.return_value if job.status == TaskResultStatus.SUCCESSFUL else {}
        pdf = stored_preview(outcome.get("pdf", "")) if isinstance(outcome, dict) else None
        if pdf is None:
            raise Http404
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = "inline; filename=preview.pdf"
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def _previewable(self, request: HttpRequest, layout_id: int) -> Layout:
        if not request.user.has_perm(perm("templates_manage")):
            raise PermissionDenied
        layout = get_object_or_404(Layout, pk=layout_id)
        if layout.current() is None:
            raise Http404
        return layout

    @staticmethod
    def _preview_job(layout: Layout, job_id: str):
        """The preview job of one of this layout's versions, or 404 (ids of other jobs show nothing)."""
        try:
            job = make_layout_preview.get_result(job_id)
        except Exception:  # noqa: BLE001 — unknown, malformed or expired ids alike
            raise Http404 from None
        if job.task.module_path != make_layout_preview.module_path or not job.args \
                or not layout.versions.filter(pk=job.args[0]).exists():
            raise Http404
        return job

    def _preview_page(self, request: HttpRequest, layout: Layout, job) -> HttpResponse:
        outcome = job.return_value if job is not None and job.status == TaskResultStatus.SUCCESSFUL else None
        context = {
            **self.admin_site.each_context(request),
            "title": _("PDF preview of %(layout)s") % {"layout": layout}, "opts": Layout._meta, "layout": layout,
            "job": job, "outcome": outcome if isinstance(outcome, dict) else None,
            "waiting": job is not None and job.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING),
            "failed": job is not None and job.status == TaskResultStatus.FAILED,
        }
        return TemplateResponse(request, "print_formats/preview.html", context)


def current_notes(layout: Layout) -> list[str]:
    version = layout.current()
    return list((version.lint or {}).get("notes", [])) if version else []


def keys_view(request: HttpRequest, procedure_id: int, admin_site) -> HttpResponse:
    if not request.user.has_perm(perm("templates_manage")):
        raise PermissionDenied
    procedure = get_object_or_404(Procedure, pk=procedure_id)
    keys = available_keys(procedure_definition(procedure))
    context = {
        **admin_site.each_context(request),
        "title": _("Keys a layout of %(procedure)s can use") % {"procedure": procedure},
        "procedure": procedure, "scalars": sorted(keys.scalars.items()),
        "grids": sorted({**keys.document_grids, **keys.grids}.items()),
        "kinds": DocumentKind.choices, "opts": Layout._meta,
    }
    return TemplateResponse(request, "print_formats/keys.html", context)
