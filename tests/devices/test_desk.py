"""设备管理 in the Desk: every state listed and filtered; only a device manager enables or disables
(R-4.2.6.3, R-4.3.4.4)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metrology.core.models import AuditEvent
from metrology.devices.models import Device
from metrology.devices.services import device_disable, device_enable, device_seen

from .conftest import BROWSER, GOOD_IMEI

pytestmark = pytest.mark.django_db

LIST = "desk:devices_device_changelist"


@pytest.fixture
def phones(inspector, device_manager) -> dict[str, Device]:
    def seen(identifier: str, name: str) -> Device:
        return device_seen(identifier=identifier, name=name, imei=GOOD_IMEI, person=inspector,
                           user_agent=BROWSER)

    pending = seen("pending-phone-0001", "待授权手机")
    enabled = device_enable(actor=device_manager, device=seen("enabled-phone-0001", "在用手机"))
    lost = device_disable(actor=device_manager, device=seen("lost-phone-000001", "丢失手机"),
                          reason=Device.DisabledReason.LOST)
    return {"pending": pending, "enabled": enabled, "disabled": lost}


@pytest.fixture
def device_reader(make_person):
    return make_person("zhouba", "周八", "senior_manager")  # holds devices_query only


def _names_listed(response) -> set[str]:
    return {device.name for device in response.context["cl"].result_list}


def test_the_list_shows_every_state_with_who_tried_and_the_browser(login, device_manager, phones):
    page = login(device_manager).get(reverse(LIST))
    assert page.status_code == 200
    assert _names_listed(page) == {"待授权手机", "在用手机", "丢失手机"}
    html = page.content.decode()
    for shown in ("pending-phone-0001", GOOD_IMEI, "张三（zhangsan）", "Pixel 8", "待授权", "已启用", "已停用", "已遗失"):
        assert shown in html, shown


@pytest.mark.parametrize("state, name", [("pending", "待授权手机"), ("enabled", "在用手机"), ("disabled", "丢失手机")])
def test_the_list_filters_by_state(login, device_manager, phones, state, name):
    page = login(device_manager).get(reverse(LIST), {"state__exact": state})
    assert page.status_code == 200 and _names_listed(page) == {name}


def test_a_device_manager_enables_the_selected_devices(login, device_manager, phones):
    response = login(device_manager).post(
        reverse(LIST), {"action": "enable_selected", "_selected_action": [phones["pending"].pk]}, follow=True)
    assert response.status_code == 200
    phones["pending"].refresh_from_db()
    assert phones["pending"].state == Device.State.ENABLED and phones["pending"].approved_by == device_manager
    assert AuditEvent.objects.filter(action="device.enabled", actor=device_manager,
                                     object_id=str(phones["pending"].pk)).exists()


def test_a_device_manager_disables_a_device_with_a_reason(login, device_manager, phones):
    client = login(device_manager)
    url = reverse("desk:devices_device_disable", args=[phones["enabled"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": "retired", "note": "屏幕损坏"})
    assert response.status_code == 302
    device = Device.objects.get(pk=phones["enabled"].pk)
    assert (device.state, device.disabled_reason, device.disabled_note) == ("disabled", "retired", "屏幕损坏")
    assert device.disabled_by == device_manager
    assert AuditEvent.objects.get(action="device.disabled", object_id=str(device.pk)).reason == "已报废；屏幕损坏"


def test_disabling_for_another_reason_needs_a_note(login, device_manager, phones):
    url = reverse("desk:devices_device_disable", args=[phones["enabled"].pk])
    response = login(device_manager).post(url, {"reason": "other", "note": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["note"] == ["请填写停用说明。"]
    assert Device.objects.get(pk=phones["enabled"].pk).state == Device.State.ENABLED


def test_a_disabled_device_can_be_enabled_again_from_its_page(login, device_manager, phones):
    url = reverse("desk:devices_device_enable", args=[phones["disabled"].pk])
    assert login(device_manager).post(url, {"note": "已找回"}).status_code == 302
    device = Device.objects.get(pk=phones["disabled"].pk)
    assert device.state == Device.State.ENABLED and device.disabled_reason == ""


def test_a_device_query_holder_may_view_but_not_enable_or_disable(login, device_reader, phones):
    client = login(device_reader)
    page = client.get(reverse(LIST))
    assert page.status_code == 200 and _names_listed(page) == {"待授权手机", "在用手机", "丢失手机"}
    assert "enable_selected" not in page.content.decode()
    assert "/enable/" not in page.content.decode() and "/disable/" not in page.content.decode()
    pending = phones["pending"]
    client.post(reverse(LIST), {"action": "enable_selected", "_selected_action": [pending.pk]})
    assert client.get(reverse("desk:devices_device_enable", args=[pending.pk])).status_code == 403
    assert client.post(reverse("desk:devices_device_disable", args=[phones["enabled"].pk]),
                       {"reason": "lost"}).status_code == 403
    assert client.get(reverse("desk:devices_device_change", args=[pending.pk])).status_code == 200
    states = dict(Device.objects.values_list("name", "state"))
    assert states == {"待授权手机": "pending", "在用手机": "enabled", "丢失手机": "disabled"}


def test_the_services_refuse_someone_without_device_management(device_reader, phones):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        device_enable(actor=device_reader, device=phones["pending"])
    with pytest.raises(PermissionDenied):
        device_disable(actor=device_reader, device=phones["enabled"], reason="lost")


def test_someone_without_device_permissions_does_not_see_the_list(login, outsider, phones):
    assert login(outsider).get(reverse(LIST)).status_code == 403


def test_nothing_is_deleted(login, device_manager, phones):
    from metrology.core.errors import ApplicationError

    client = login(device_manager)
    assert client.get(reverse("desk:devices_device_delete", args=[phones["pending"].pk])).status_code == 403
    with pytest.raises(ApplicationError):
        phones["pending"].delete()
    assert Device.objects.count() == 3
