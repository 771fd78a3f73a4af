"""The review workflow in the Desk: edited with its states and transitions by whoever manages roles (a
transition names the permission that takes it and whether one person may hold several roles, which is
access control), saved through workflow_save (audited); and the reviewers' pages (workflow/desk.py):
待我处理 and the review page of a record, open to every logged-in person, who sees only their own."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path
from django.utils.translation import gettext_lazy

from metrology.core.desk import PermissionCodeAdmin, desk_site
from metrology.core.permissions import perm
from metrology.workflow import desk
from metrology.workflow.forms import TransitionForm
from metrology.workflow.models import Workflow, WorkflowState, WorkflowTransition
from metrology.workflow.services import workflow_save

MANAGE = "roles_manage"


class _ManagedInline:
    def _can(self, request: HttpRequest) -> bool:
        return request.user.has_perm(perm(MANAGE))

    def has_view_permission(self, request, obj=None) -> bool:
        return self._can(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._can(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._can(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._can(request)


class StateInline(_ManagedInline, admin.StackedInline):
    model = WorkflowState
    fieldsets = [(None, {"fields": [("code", "name", "position"), ("allows_entry", "is_final")]})]
    extra = 0


class TransitionInline(_ManagedInline, admin.StackedInline):
    model = WorkflowTransition
    form = TransitionForm
    fieldsets = [(None, {"fields": [("from_state", "to_state", "position"), ("action", "label"), ("permission", "actor"),
                                    ("meaning", "requires_handwriting", "identity"), ("requires_reason", "effect"),
                                    "condition"]})]
    extra = 0

    def get_formset(self, request: HttpRequest, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        states = WorkflowState.objects.filter(workflow=obj if obj is not None and obj.pk else None)
        for name in ("from_state", "to_state"):
            formset.form.base_fields[name].queryset = states
            formset.form.base_fields[name].widget.can_add_related = False
            formset.form.base_fields[name].widget.can_change_related = False
            formset.form.base_fields[name].widget.can_delete_related = False
            formset.form.base_fields[name].widget.can_view_related = False
        return formset


@admin.register(Workflow, site=desk_site)
class WorkflowAdmin(PermissionCodeAdmin):
    desk_module = "access"
    desk_order = 3
    view_permissions = ()
    manage_permissions = (MANAGE,)
    list_display = ("name", "code", "is_active", "allow_one_person_in_several_roles")
    fields = ("code", "name", "is_active", "allow_one_person_in_several_roles")
    inlines = [StateInline, TransitionInline]
    empty_list_hint = gettext_lazy("The default review workflow is created with the site; add one only to "
                                   "replace it.")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # turned off, never deleted: the records' steps name its transitions

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("waiting/", view(desk.waiting_page), name="workflow_waiting"),
                path("review/<int:pk>/", view(desk.review_page), name="workflow_review"),
                *super().get_urls()]

    def save_model(self, request: HttpRequest, obj: Workflow, form, change: bool) -> None:
        pass  # saved with its states and transitions in save_related, through the service

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        given = {WorkflowState: ([], []), WorkflowTransition: ([], [])}
        for formset in formsets:
            saved = formset.save(commit=False)  # fills new/changed/deleted_objects, which the log message reads
            given[formset.model][0].extend(saved)
            given[formset.model][1].extend(formset.deleted_objects)
        workflow_save(actor=request.user, workflow=form.instance,
                      states=given[WorkflowState][0], removed_states=given[WorkflowState][1],
                      transitions=given[WorkflowTransition][0], removed_transitions=given[WorkflowTransition][1])
