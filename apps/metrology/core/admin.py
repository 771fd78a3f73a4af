from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from metrology.core.audit import action_label, object_type_label
from metrology.core.desk import PermissionCodeAdmin, desk_site
from metrology.core.models import AuditEvent


class _CodeInWordsFilter(admin.SimpleListFilter):
    """A filter on a stored code (an action, an object type) that offers the codes by name."""

    label_of = staticmethod(str)

    def lookups(self, request: HttpRequest, model_admin):
        codes = model_admin.get_queryset(request).exclude(**{self.parameter_name: ""}).order_by()
        codes = codes.values_list(self.parameter_name, flat=True).distinct()
        return sorted(((code, self.label_of(code)) for code in codes), key=lambda choice: choice[1])

    def queryset(self, request: HttpRequest, queryset):
        value = self.value()
        return queryset.filter(**{self.parameter_name: value}) if value else queryset


class ActionFilter(_CodeInWordsFilter):
    title = _("action")
    parameter_name = "action"
    label_of = staticmethod(action_label)


class ObjectTypeFilter(_CodeInWordsFilter):
    title = _("object type")
    parameter_name = "object_type"
    label_of = staticmethod(object_type_label)


def _shown(name: str) -> str:
    return {"action": "action_shown", "object_type": "object_type_shown"}.get(name, name)


@admin.register(AuditEvent, site=desk_site)
class AuditEventAdmin(PermissionCodeAdmin):
    desk_module = "access"
    desk_order = 9
    view_permissions = ("audit_query",)
    manage_permissions = ()

    list_display = ("id", "created_at", "actor_repr", "action_shown", "object_type_shown", "object_repr", "ip",
                    "device_shown")
    list_filter = (ActionFilter, ObjectTypeFilter)
    search_fields = ("actor_repr", "object_repr", "action", "reason")
    date_hierarchy = "created_at"
    fields = readonly_fields = [_shown(f.name) for f in AuditEvent._meta.fields]
    list_per_page = 100

    def get_queryset(self, request: HttpRequest):
        """A person with a jurisdiction sees only the rows about its records and certificates."""
        from metrology.accounts.jurisdiction import audit_in_jurisdiction

        return audit_in_jurisdiction(request.user, super().get_queryset(request))

    @admin.display(description=_("action"), ordering="action")
    def action_shown(self, event: AuditEvent) -> str:
        return action_label(event.action)

    @admin.display(description=_("object type"), ordering="object_type")
    def object_type_shown(self, event: AuditEvent) -> str:
        return object_type_label(event.object_type)

    @admin.display(description=_("device"), ordering="device")
    def device_shown(self, event: AuditEvent) -> str:
        if event.device and event.device_claimed:
            return gettext("%(device)s (unverified)") % {"device": event.device}
        return event.device

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
