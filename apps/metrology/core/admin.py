from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from metrology.core.desk import PermissionCodeAdmin, desk_site
from metrology.core.models import AuditEvent


@admin.register(AuditEvent, site=desk_site)
class AuditEventAdmin(PermissionCodeAdmin):
    desk_module = "access"
    desk_order = 9
    view_permissions = ("audit_query",)
    manage_permissions = ()

    list_display = ("id", "created_at", "actor_repr", "action", "object_repr", "ip", "device_shown")
    list_filter = ("action", "object_type")
    search_fields = ("actor_repr", "object_repr", "action", "reason")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditEvent._meta.fields]
    list_per_page = 100

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
