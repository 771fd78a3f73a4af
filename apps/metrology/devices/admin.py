"""设备管理 in the Desk: every device in every state; a device manager enables or disables them."""

from __future__ import annotations

from functools import partial

from django.contrib import admin
from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from metrology.core.desk import PermissionCodeAdmin, desk_site
from metrology.devices import desk_views
from metrology.devices.models import Device
from metrology.devices.selectors import device_list
from metrology.devices.services import device_enable


@admin.register(Device, site=desk_site)
class DeviceAdmin(PermissionCodeAdmin):
    desk_module = "devices"
    desk_order = 10
    view_permissions = ("devices_query",)
    manage_permissions = ("devices_manage",)
    list_display = ("name", "identifier", "imei", "state", "disabled_reason", "tried_by", "user_agent",
                    "first_seen", "last_seen")
    list_filter = ("state", "disabled_reason")
    search_fields = ("name", "identifier", "imei", "tried_by__username", "tried_by__name")
    actions = ["enable_selected"]
    empty_list_hint = gettext_lazy(
        "A device appears here after someone tries to log in on it in the mobile app.")

    def get_queryset(self, request: HttpRequest):
        return device_list()

    def get_list_display(self, request: HttpRequest):
        columns = super().get_list_display(request)
        return (*columns, "tools") if self.has_manage_permission(request) else columns

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return [field.name for field in Device._meta.fields]

    def has_manage_permission(self, request: HttpRequest) -> bool:
        return self._has_any(request, self.manage_permissions)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # devices register themselves at their first login

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # only through enable / disable, which are audited

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a device is never deleted, it is disabled

    @admin.display(description=gettext_lazy("tools"))
    def tools(self, device: Device) -> str:
        links = []
        if not device.is_enabled:
            links.append((reverse("desk:devices_device_enable", args=[device.pk]), gettext_lazy("enable")))
        if device.state != Device.State.DISABLED:
            links.append((reverse("desk:devices_device_disable", args=[device.pk]), gettext_lazy("disable")))
        return format_html(" · ".join('<a href="{}">{}</a>' for _link in links),
                           *[part for link in links for part in link])

    @admin.action(description=gettext_lazy("Enable the selected devices"), permissions=["manage"])
    def enable_selected(self, request: HttpRequest, queryset) -> None:
        self.apply_to_each(request, queryset, device_enable, "device",
                           gettext_lazy("Enabled %(count)d devices."))

    def get_urls(self):
        def view(page):
            return self.admin_site.admin_view(partial(page, admin_site=self.admin_site))

        return [
            path("<int:device_id>/enable/", view(desk_views.enable_page), name="devices_device_enable"),
            path("<int:device_id>/disable/", view(desk_views.disable_page), name="devices_device_disable"),
            *super().get_urls(),
        ]
