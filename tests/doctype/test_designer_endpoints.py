"""The designer's endpoints answer JSON whatever happens: an expired session, a missing permission,
a failed CSRF check, a wrong method or a server error (issue #9, item 5); the page knows its context."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from django.http import JsonResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from metrology.core.desk import desk_site
from metrology.doctype.designer import json_endpoint
from metrology.doctype.files import load_definition
from metrology.doctype.models import ProcedureVersion
from metrology.doctype.packs import pack_import
from metrology.doctype.services import version_new_draft

pytestmark = pytest.mark.django_db

PACK = Path(__file__).resolve().parents[2] / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json"


@pytest.fixture
def published(admin):
    return pack_import(actor=admin, definition=load_definition(PACK), authorise=True, publish=True)[0]


@pytest.fixture
def draft(admin, published):
    return version_new_draft(actor=admin, procedure=published.procedure)


def _url(name: str, version: ProcedureVersion) -> str:
    return reverse(f"desk:doctype_procedureversion_{name}", args=[version.pk])


def _post(client, name: str, version: ProcedureVersion, body: dict, **headers):
    return client.post(_url(name, version), json.dumps(body, ensure_ascii=False),
                       content_type="application/json", headers=headers)


def test_an_expired_session_gets_401_json_with_the_way_back(login, admin, draft):
    client = login(admin)
    client.session.flush()
    answer = _post(client, "save", draft, {"definition": draft.definition})
    assert answer.status_code == 401 and answer["Content-Type"] == "application/json"
    assert answer.json() == {
        "ok": False,
        "message": "登录已过期。请在新标签页重新登录，然后回到本页再保存；您的修改仍保留在本页。",
        "login_url": f"/login/?next=/desk/doctype/procedureversion/{draft.pk}/design/",
    }
    assert ProcedureVersion.objects.get(pk=draft.pk).fingerprint == draft.fingerprint


def test_a_person_without_the_permission_gets_403_json(login, inspector, draft):
    answer = _post(login(inspector), "save", draft, {"definition": draft.definition})
    assert answer.status_code == 403
    assert answer.json() == {"ok": False, "message": "您没有设计检测规程的权限。"}


def test_the_csrf_check_still_applies_and_refuses_in_json(admin, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin, backend="metrology.accounts.backends.RoleBackend")
    refused = _post(client, "check", draft, {"definition": draft.definition})
    assert refused.status_code == 403 and "安全校验" in refused.json()["message"]
    client.get(reverse("desk:doctype_procedureversion_design", args=[draft.pk]))
    token = client.cookies["csrftoken"].value
    accepted = _post(client, "check", draft, {"definition": draft.definition}, X_CSRFToken=token)
    assert accepted.status_code == 200 and accepted.json()["ok"]


def test_a_wrong_method_or_an_unknown_version_is_answered_in_json(login, admin, draft):
    client = login(admin)
    assert client.get(_url("check", draft)).status_code == 405
    assert client.get(_url("check", draft)).json()["ok"] is False
    gone = client.post(reverse("desk:doctype_procedureversion_save", args=[draft.pk + 100]), "{}",
                       content_type="application/json")
    assert gone.status_code == 404 and gone.json()["message"] == "该规程版本不存在。"


def test_a_server_error_is_logged_and_answered_with_500_json(admin, caplog):
    def failing_view(request, version_id: int) -> JsonResponse:
        raise RuntimeError("the disk is full")

    request = RequestFactory().post("/desk/doctype/procedureversion/1/design/save/", "{}",
                                    content_type="application/json")
    request.user, request._dont_enforce_csrf_checks = admin, True
    with caplog.at_level(logging.ERROR, logger="metrology.doctype.designer"):
        answer = json_endpoint(failing_view, admin_site=desk_site)(request, version_id=1)
    assert answer.status_code == 500
    assert json.loads(answer.content) == {
        "ok": False, "message": "服务器出错。您的修改仍保留在本页；请重试，如果一再出现，请告知系统管理员。"}
    assert "the disk is full" in caplog.text


def test_the_designer_page_knows_the_records_context_and_the_next_steps(login, admin, published):
    client = login(admin)
    page = client.get(reverse("desk:doctype_procedureversion_design", args=[published.pk]))
    context = page.context
    assert context["context"] == {"item": "燃油加油机", "test_type": "检定", "sub_type": "首次检定"}
    assert {"首次检定", "后续检定", "使用中检查"} <= set(context["sub_types"])
    assert context["published"] is True and context["editable"] is False
    procedure = published.procedure
    assert context["bind_layout_url"] == f"/desk/print_formats/layout/add/?procedure={procedure.pk}"
    layout_form = client.get(context["bind_layout_url"]).content.decode()
    assert f'<option value="{procedure.pk}" selected>' in layout_form
    numbering_form = client.get(context["numbering_url"]).content.decode()
    assert f'<option value="{procedure.item_id}" selected>' in numbering_form
    assert re.search(rf'name="test_types" value="{procedure.sub_type.parent_id}"[^>]*checked', numbering_form)
