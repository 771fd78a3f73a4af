"""Desk pages for people and roles: every save goes through the services, so it is audited."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrology.accounts.forms import PersonAddForm, QualificationForm, RoleForm
from metrology.accounts.id_numbers import mask_id_number
from metrology.accounts.models import Person, Qualification, Role
from metrology.accounts.services import people, qualifications, roles, tokens
from metrology.accounts.services.guards import ensure_may_act_on
from metrology.accounts.services.snapshots import PERSON_PROFILE_FIELDS, QUALIFICATION_FIELDS
from metrology.core.desk import SECRET_FIELDS, PermissionCodeAdmin, desk_site
from metrology.core.errors import ApplicationError
from metrology.core.permissions import PERMISSIONS, perm


def _sees_id_numbers(request: HttpRequest) -> bool:
    return request.user.has_perm(perm("people_view_id_number"))


def _manages_roles(request: HttpRequest) -> bool:
    return request.user.has_perm(perm("roles_manage"))


class QualificationInline(admin.TabularInline):
    model = Qualification
    form = QualificationForm
    extra = 1
    verbose_name = gettext_lazy("qualification")
    verbose_name_plural = gettext_lazy("qualifications (the approved items follow from the valid ones)")

    def _can(self, request: HttpRequest) -> bool:
        return request.user.has_perm(perm("people_manage"))

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(perm("people_query")) or self._can(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return self._can(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._can(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._can(request)


@admin.register(Person, site=desk_site)
class PersonAdmin(PermissionCodeAdmin):
    desk_module = "access"
    desk_order = 1
    view_permissions = ("people_query",)
    manage_permissions = ("people_manage",)

    add_form = PersonAddForm
    inlines = [QualificationInline]
    list_display = ("username", "name", "gender", "masked_id_number", "role_names", "position", "is_active")
    list_display_links = ("username", "name")
    list_filter = ("is_active", "roles", "gender", "education")
    search_fields = ("username", "name", "phone", "position")
    readonly_fields = ("approved_items_display", "last_login", "date_joined", "deactivated_at")
    actions = ["disable_selected", "enable_selected", "end_sessions_selected"]
    fieldsets = (
        (gettext_lazy("Account"), {"fields": ("username", "is_active")}),
        (
            gettext_lazy("Basic information"),
            {"fields": ("name", "gender", "birth_date", "id_number", "education", "title", "position", "phone")},
        ),
        (gettext_lazy("Roles and approved items"),
         {"fields": ("roles", "jurisdiction", "approved_items_display")}),
        (gettext_lazy("History"), {"fields": ("date_joined", "last_login", "deactivated_at")}),
    )
    add_fieldsets = (
        (gettext_lazy("Account"), {"fields": ("username", "password1", "password2")}),
        (
            gettext_lazy("Basic information"),
            {"fields": ("name", "gender", "birth_date", "id_number", "education", "title", "position", "phone")},
        ),
        (gettext_lazy("Roles"), {"fields": ("roles", "jurisdiction")}),
    )

    # -- display -------------------------------------------------------------------------------

    @admin.display(description=gettext_lazy("ID card number"))
    def masked_id_number(self, person: Person) -> str:
        return mask_id_number(person.id_number)

    @admin.display(description=gettext_lazy("roles"))
    def role_names(self, person: Person) -> str:
        return "、".join(role.name for role in person.roles.all())

    @admin.display(description=gettext_lazy("approved items"))
    def approved_items_display(self, person: Person) -> str:
        items = person.approved_items() if person.pk else []
        return format_html_join("", "<div>{}</div>", ((item,) for item in items)) or "—"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("roles")

    def get_list_display(self, request: HttpRequest):
        if _sees_id_numbers(request):
            return tuple("id_number" if f == "masked_id_number" else f for f in self.list_display)
        return self.list_display

    def get_fieldsets(self, request: HttpRequest, obj=None):
        if obj is None:
            return self.add_fieldsets
        if _sees_id_numbers(request):
            return self.fieldsets
        return [
            (title, {**opts, "fields": tuple("masked_id_number" if f == "id_number" else f for f in opts["fields"])})
            for title, opts in self.fieldsets
        ]

    def get_form(self, request: HttpRequest, obj=None, change=False, **kwargs):
        if obj is None:
            fields = [f for _name, opts in self.add_fieldsets for f in opts["fields"]]
            kwargs.update(form=self.add_form, fields=fields)
        return super().get_form(request, obj, change=change, **kwargs)

    def hidden_fields(self, request: HttpRequest) -> frozenset[str]:
        return SECRET_FIELDS if _sees_id_numbers(request) else SECRET_FIELDS | {"id_number"}

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not _manages_roles(request):
            readonly.append("roles")  # roles are given by role managers only (#8)
        return readonly if _sees_id_numbers(request) else [*readonly, "masked_id_number"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "roles":
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["queryset"] = Role.objects.order_by("id")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # -- writes, all through services ----------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Person, form, change: bool) -> None:
        profile = {f: form.cleaned_data[f] for f in PERSON_PROFILE_FIELDS if f in form.cleaned_data}
        if not change:
            profile.pop("username")
            person = people.person_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                **{k: v for k, v in profile.items() if k != "name"},
                name=form.cleaned_data["name"],
            )
            obj.pk, obj.password = person.pk, person.password
            obj._state.adding = False
            return
        edited = {f: v for f, v in profile.items() if f in form.changed_data}
        people.person_update(actor=request.user, person=obj, **edited)
        if "is_active" in form.changed_data:
            switch = people.person_enable if obj.is_active else people.person_disable
            obj.is_active = not obj.is_active
            switch(actor=request.user, person=obj)

    def save_related(self, request: HttpRequest, form, formsets, change: bool) -> None:
        person = form.instance
        if "roles" in form.cleaned_data:
            people.person_set_roles(actor=request.user, person=person, roles=form.cleaned_data["roles"])
        for formset in formsets:
            # The admin's change message reads these lists, which formset.save() would have filled.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            for inline_form in formset.forms:
                self._save_qualification(request, person, formset, inline_form)

    def _save_qualification(self, request, person: Person, formset, inline_form) -> None:
        if not inline_form.has_changed() and not inline_form.instance.pk:
            return
        fields = {f: inline_form.cleaned_data.get(f) for f in QUALIFICATION_FIELDS}
        existing = inline_form.instance if inline_form.instance.pk else None
        if existing and formset.can_delete and formset._should_delete_form(inline_form):
            qualifications.qualification_remove(actor=request.user, qualification=existing)
            formset.deleted_objects.append(existing)
        elif existing and inline_form.has_changed():
            qualifications.qualification_update(actor=request.user, qualification=existing, **fields)
            formset.changed_objects.append((existing, inline_form.changed_data))
        elif existing is None:
            added = qualifications.qualification_add(actor=request.user, person=person, **fields)
            formset.new_objects.append(added)

    def get_deleted_objects(self, objs, request):
        # person_delete() decides: referenced people are disabled, not deleted, so neither
        # references nor permissions on related rows may block the page.
        deleted, model_count, _perms_needed, _protected = super().get_deleted_objects(objs, request)
        return deleted, model_count, set(), []

    def delete_model(self, request: HttpRequest, obj: Person) -> None:
        if obj.pk == request.user.pk:
            raise PermissionDenied(_("You cannot delete your own account."))
        if not people.person_delete(actor=request.user, person=obj):
            messages.warning(request, _("%(name)s is referred to by records, so they were disabled and kept.")
                             % {"name": obj})

    def delete_queryset(self, request: HttpRequest, queryset) -> None:
        for person in queryset:
            self.delete_model(request, person)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(reverse("desk:accounts_person_change", args=[object_id]))

    @admin.action(description=gettext_lazy("Disable the selected people"), permissions=["change"])
    def disable_selected(self, request: HttpRequest, queryset) -> None:
        self.apply_to_each(request, queryset, people.person_disable, "person", _("Disabled %(count)d people."))

    @admin.action(description=gettext_lazy("Enable the selected people"), permissions=["change"])
    def enable_selected(self, request: HttpRequest, queryset) -> None:
        self.apply_to_each(request, queryset, people.person_enable, "person", _("Enabled %(count)d people."))

    @admin.action(description=gettext_lazy("Log the selected people out everywhere (sessions and API tokens)"),
                  permissions=["change"])
    def end_sessions_selected(self, request: HttpRequest, queryset) -> None:
        self.apply_to_each(request, queryset, tokens.person_end_sessions_and_tokens, "person",
                           _("Logged %(count)d people out everywhere."))

    # -- password reset by an administrator ----------------------------------------------------

    def get_urls(self):
        urls = super().get_urls()
        return [
            path("<int:person_id>/password/", self.admin_site.admin_view(self.password_view),
                 name="accounts_person_password"),
            *urls,
        ]

    def password_view(self, request: HttpRequest, person_id: int):
        person = get_object_or_404(Person, pk=person_id)
        if not self.has_change_permission(request, person):
            raise PermissionDenied
        try:
            ensure_may_act_on(request.user, person)
        except ApplicationError as error:
            raise PermissionDenied(error.message) from error
        form = SetPasswordForm(person, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                people.person_set_password(actor=request.user, person=person,
                                           password=form.cleaned_data["new_password1"])
            except ApplicationError as error:
                raise PermissionDenied(error.message) from error
            messages.success(request, _("The password of %(name)s was changed.") % {"name": person})
            return HttpResponseRedirect(reverse("desk:accounts_person_change", args=[person.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set the password of %(name)s") % {"name": person},
            "form": form,
            "person": person,
            "opts": self.opts,
            "original": person,
            "submit_label": _("Set password"),
        }
        return TemplateResponse(request, "desk/person_password.html", context)


@admin.register(Role, site=desk_site)
class RoleAdmin(PermissionCodeAdmin):
    desk_module = "access"
    desk_order = 2
    view_permissions = ()
    manage_permissions = ("roles_manage",)

    form = RoleForm
    list_display = ("name", "code", "is_enabled", "is_builtin", "permission_labels", "people_count")
    list_filter = ("is_enabled", "is_builtin")
    search_fields = ("name", "code", "description")
    actions = ["disable_selected", "enable_selected"]

    def get_readonly_fields(self, request, obj=None):
        return ("code", "is_builtin") if obj else ()

    def get_fields(self, request, obj=None):
        fields = ["name", "code", "description", "is_enabled", "permissions"]
        return fields + ["is_builtin"] if obj else fields

    @admin.display(description=gettext_lazy("permissions"))
    def permission_labels(self, role: Role) -> str:
        return "、".join(str(PERMISSIONS[g.code].label) for g in role.grants.all() if g.code in PERMISSIONS)

    @admin.display(description=gettext_lazy("people"))
    def people_count(self, role: Role) -> int:
        return role.people_total

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("grants").annotate(people_total=Count("people"))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # roles are disabled, never deleted, so history keeps its meaning

    def save_model(self, request: HttpRequest, obj: Role, form, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            role = roles.role_create(actor=request.user, name=data["name"], code=data.get("code") or "",
                                     description=data.get("description", ""), permissions=data["permissions"])
            obj.pk, obj.code = role.pk, role.code
            obj._state.adding = False
            if not data.get("is_enabled", True):
                roles.role_disable(actor=request.user, role=role)
            return
        edited = {f: data[f] for f in ("name", "description") if f in form.changed_data}
        roles.role_update(actor=request.user, role=obj, **edited)
        roles.role_set_permissions(actor=request.user, role=obj, codes=data["permissions"])
        if "is_enabled" in form.changed_data:
            switch = roles.role_enable if obj.is_enabled else roles.role_disable
            obj.is_enabled = not obj.is_enabled
            switch(actor=request.user, role=obj)

    def save_related(self, request, form, formsets, change) -> None:
        pass  # grants are written by the services in save_model

    @admin.action(description=gettext_lazy("Disable the selected roles"), permissions=["change"])
    def disable_selected(self, request: HttpRequest, queryset) -> None:
        self.apply_to_each(request, queryset, roles.role_disable, "role", _("Disabled %(count)d roles."))

    @admin.action(description=gettext_lazy("Enable the selected roles"), permissions=["change"])
    def enable_selected(self, request: HttpRequest, queryset) -> None:
        self.apply_to_each(request, queryset, roles.role_enable, "role", _("Enabled %(count)d roles."))

