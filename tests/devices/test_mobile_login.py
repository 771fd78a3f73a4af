"""Logging in on a phone: only on an authorised device, through the platform's own login
(R-4.3.4, R-4.3.2.1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metrology.core.models import AuditEvent
from metrology.devices.models import Device
from metrology.devices.services import device_disable, device_enable
from metrology.devices.sessions import DEVICE_SESSION_KEY

from .conftest import BROWSER, GOOD_IMEI, PHONE

pytestmark = pytest.mark.django_db

NOT_AUTHORISED = "该设备未获授权，请联系设备管理员"


@pytest.fixture
def enabled_phone(inspector, device_manager, mobile_login):
    mobile_login()
    return device_enable(actor=device_manager, device=Device.objects.get(identifier=PHONE))


@pytest.fixture
def logged_in_phone(client, enabled_phone, mobile_login):
    assert mobile_login().status_code == 200
    return client


def test_a_login_from_an_unknown_device_is_refused_and_the_device_is_listed_as_pending(
    inspector, mobile_login
):
    response = mobile_login(imei=GOOD_IMEI)
    assert response.status_code == 403
    assert response.json()["detail"] == NOT_AUTHORISED
    device = Device.objects.get(identifier=PHONE)
    assert (device.state, device.name, device.imei) == (Device.State.PENDING, "张三的手机", GOOD_IMEI)
    assert device.tried_by == inspector and device.user_agent == BROWSER
    assert AuditEvent.objects.filter(action="device.registered", actor=inspector,
                                     object_id=str(device.pk)).exists()


def test_the_refused_login_opens_no_session(client, inspector, mobile_login):
    mobile_login()
    assert "_auth_user_id" not in client.session


def test_a_pending_device_is_refused_the_same_way_and_registered_once(inspector, mobile_login):
    mobile_login()
    again = mobile_login(name="张三的新手机")
    assert again.status_code == 403 and again.json()["detail"] == NOT_AUTHORISED
    assert Device.objects.get().name == "张三的新手机"
    assert AuditEvent.objects.filter(action="device.registered").count() == 1


def test_once_the_device_manager_enables_the_device_the_login_succeeds(
    client, inspector, device_manager, mobile_login
):
    mobile_login()
    device_enable(actor=device_manager, device=Device.objects.get(identifier=PHONE))
    response = mobile_login()
    assert response.status_code == 200, response.content
    assert response.json()["username"] == "zhangsan" and response.json()["device"]["state"] == "enabled"
    assert client.session["_auth_user_id"] == str(inspector.pk)
    assert client.session[DEVICE_SESSION_KEY] == PHONE


def test_a_wrong_password_registers_no_device(inspector, mobile_login):
    response = mobile_login(password="wrong-one")
    assert response.status_code == 401 and response.json()["detail"] == "账号或密码不正确。"
    assert not Device.objects.exists()


def test_the_account_name_is_normalised_as_on_the_desk(inspector, enabled_phone, mobile_login):
    assert mobile_login(username=" ＺＨＡＮＧＳＡＮ ").status_code == 200


def test_disabling_the_device_cuts_its_session_off_at_the_next_api_request(
    logged_in_phone, enabled_phone, device_manager
):
    assert logged_in_phone.get(reverse("device-session")).status_code == 200
    device_disable(actor=device_manager, device=enabled_phone, reason=Device.DisabledReason.LOST)
    response = logged_in_phone.get(reverse("device-session"))
    assert response.status_code == 401
    assert response.json() == {"detail": NOT_AUTHORISED, "code": "device_not_authorised"}
    assert "_auth_user_id" not in logged_in_phone.session


def test_disabling_the_device_cuts_its_session_off_at_the_next_page(
    logged_in_phone, enabled_phone, device_manager
):
    assert logged_in_phone.get(reverse("desk:index")).status_code == 200
    device_disable(actor=device_manager, device=enabled_phone, reason=Device.DisabledReason.RETIRED)
    response = logged_in_phone.get(reverse("desk:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert logged_in_phone.get(reverse("desk:index")).status_code == 302


def test_a_disabled_device_cannot_log_in_again(inspector, enabled_phone, device_manager, mobile_login):
    device_disable(actor=device_manager, device=enabled_phone, reason=Device.DisabledReason.NOT_OURS)
    response = mobile_login()
    assert response.status_code == 403 and response.json()["detail"] == NOT_AUTHORISED


def test_an_imei_with_a_bad_check_digit_is_refused_in_chinese(inspector, mobile_login):
    response = mobile_login(imei="490154203237519")
    assert response.status_code == 400
    assert response.json()["imei"] == ["IMEI 应为 15 位数字，且最后一位校验位正确；请从手机上重新抄写（可拨 *#06# 查看）。"]
    assert not Device.objects.exists()


def test_an_imei_as_printed_with_spaces_is_accepted(inspector, mobile_login):
    mobile_login(imei="49 015420 323751 8")
    assert Device.objects.get().imei == GOOD_IMEI


def test_lockout_still_applies_to_the_mobile_login(inspector, enabled_phone, mobile_login, settings):
    spellings = ("zhangsan", "ZHANGSAN", "ZhangSan", " zhangsan ", "ｚｈａｎｇｓａｎ")
    for spelling in spellings[: settings.AXES_FAILURE_LIMIT]:
        mobile_login(username=spelling, password="wrong-one")
    response = mobile_login()
    assert response.status_code == 429
    assert "30" in response.json()["detail"]
    assert "_auth_user_id" not in response.client.session


def test_logging_out_ends_the_device_session(logged_in_phone):
    assert logged_in_phone.post(reverse("device-logout")).status_code == 200
    assert logged_in_phone.get(reverse("device-session")).status_code == 401


def test_a_desk_session_costs_no_device_query_and_a_device_session_one(
    login, admin, logged_in_phone, enabled_phone
):
    def device_queries(client) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("desk:index"))
        return [q["sql"] for q in queries.captured_queries if "devices_device" in q["sql"]]

    assert len(device_queries(logged_in_phone)) == 1
    assert device_queries(login(admin)) == []


def test_the_openapi_document_lists_the_mobile_login(login, admin):
    paths = login(admin).get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert {"/api/devices/login/", "/api/devices/session/", "/api/devices/logout/"} <= set(paths)


def test_mobile_endpoints_can_require_a_session_opened_on_a_device(rf, inspector):
    from django.contrib.auth.models import AnonymousUser

    from metrology.devices.sessions import OnAuthorisedDevice

    request = rf.get("/api/records/")
    request.user, request.session = inspector, {}
    assert OnAuthorisedDevice().has_permission(request, None) is False  # a Desk session
    request.session[DEVICE_SESSION_KEY] = PHONE
    assert OnAuthorisedDevice().has_permission(request, None) is True
    request.user = AnonymousUser()
    assert OnAuthorisedDevice().has_permission(request, None) is False
