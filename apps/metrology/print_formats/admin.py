"""Desk pages for layouts: upload with lint, the keys a layout may use, and a PDF preview."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrology.core.desk import PermissionCodeAdmin, desk_site
from metrology.core.permissions import perm
from metrology.doctype.models import Procedure
from metrology.print_formats.keys import available_keys
from metrology.print_formats.layouts import LayoutRefused
from metrology.doctype.document_kinds import DocumentKind
from metrology.print_formats.models import Layout
from metrology.print_formats.preview import preview_pdf
from metrology.print_formats.services import layout_check, layout_upload, procedure_definition


class LayoutUploadForm(forms.ModelForm):
    upload = forms.FileField(label=gettext_lazy("Word or Excel file"),
                             help_text=gettext_lazy("A .docx or .xlsx file, at most 10 MiB."))

    class Meta:
        model = Layout
        fields = ("procedure", "kind")

    def clean(self):
        cleaned = super().clean()
        upload, procedure = cleaned.get("upload"), cleaned.get("procedure")
        if upload and procedure:
            try:
                layout_check(procedure=procedure, data=upload.read(), filename=upload.name)
            except LayoutRefused as error:
                self.add_error("upload", [error.message, *error.report.errors])
            upload.seek(0)
        return cleaned

    def validate_unique(self) -> None:
        pass  # a second upload for the same procedure and kind is a new version, not a duplicate


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

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("versions")

    @admin.display(description=gettext_lazy("version"))
    def current_version(self, layout: Layout) -> str:
        version = layout.current()
        return f"v{version.number} · {version.original_name} · {version.sha256[:12]}" if version else "—"

    @admin.display(description=gettext_lazy("lint notes"))
    def lint_notes(self, layout: Layout) -> str:
        version = layout.current()
        notes = (version.lint or {}).get("notes", []) if version else []
        return format_html_join("", "<div>{}</div>", ((note,) for note in notes[:5])) or "—"

    @admin.display(description=gettext_lazy("preview"))
    def links(self, layout: Layout) -> str:
        return format_html('<a href="{}" target="_blank">{}</a> · <a href="{}">{}</a>',
                           reverse("desk:print_formats_layout_preview", args=[layout.pk]), _("PDF preview"),
                           reverse("desk:print_formats_layout_keys", args=[layout.procedure_id]), _("available keys"))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "procedure":
            kwargs["queryset"] = Procedure.objects.filter(item__is_authorised=True).select_related("sub_type")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change) -> None:
        upload = form.cleaned_data["upload"]
        version = layout_upload(actor=request.user, procedure=form.cleaned_data["procedure"],
                                kind=form.cleaned_data["kind"], data=upload.read(), filename=upload.name)
        obj.pk = version.layout_id
        obj._state.adding = False
        if version.lint.get("notes"):
            messages.info(request, _("Fields the layout does not use: %(count)d (see the list).")
                          % {"count": len(version.lint["notes"])})

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # issued documents name the layout version they were made with

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:layout_id>/preview/", view(self.preview_view), name="print_formats_layout_preview"),
            path("keys/<int:procedure_id>/", view(partial(keys_view, admin_site=self.admin_site)),
                 name="print_formats_layout_keys"),
            *super().get_urls(),
        ]

    def preview_view(self, request: HttpRequest, layout_id: int) -> HttpResponse:
        if not request.user.has_perm(perm("templates_manage")):
            raise PermissionDenied
        layout = get_object_or_404(Layout, pk=layout_id)
        try:
            pdf = preview_pdf(layout.current())
        except Exception as error:  # noqa: BLE001 — shown to the author instead of a server error
            messages.error(request, _("The preview could not be made: %(error)s") % {"error": error})
            return HttpResponseRedirect(reverse("desk:print_formats_layout_changelist"))
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = "inline; filename=preview.pdf"
        response["X-Content-Type-Options"] = "nosniff"
        return response


def keys_view(request: HttpRequest, procedure_id: int, admin_site) -> HttpResponse:
    if not request.user.has_perm(perm("templates_manage")):
        raise PermissionDenied
    procedure = get_object_or_404(Procedure, pk=procedure_id)
    keys = available_keys(procedure_definition(procedure))
    context = {
        **admin_site.each_context(request),
        "title": _("Keys a layout of %(procedure)s can use") % {"procedure": procedure},
        "procedure": procedure, "scalars": sorted(keys.scalars.items()), "grids": sorted(keys.grids.items()),
        "kinds": DocumentKind.choices, "opts": Layout._meta,
    }
    return TemplateResponse(request, "print_formats/keys.html", context)
