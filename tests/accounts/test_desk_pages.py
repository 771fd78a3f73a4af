"""Every Desk page opens for the administrator, in Chinese whatever the browser's language."""

from __future__ import annotations

import pytest
from django.urls import reverse

from metrology.core.desk import desk_site

pytestmark = pytest.mark.django_db


def _pages(model, model_admin, obj) -> list[str]:
    info = (model._meta.app_label, model._meta.model_name)
    pages = [reverse("desk:%s_%s_changelist" % info)]
    pages.append(reverse("desk:%s_%s_add" % info))
    if obj is not None:
        pages.append(reverse("desk:%s_%s_change" % info, args=[obj.pk]))
        pages.append(reverse("desk:%s_%s_history" % info, args=[obj.pk]))
    return pages


def test_every_desk_page_opens_for_the_administrator(login, admin, inspector):
    client = login(admin)
    for model, model_admin in desk_site._registry.items():
        obj = model._default_manager.order_by("pk").last()
        for url in _pages(model, model_admin, obj):
            response = client.get(url)
            assert response.status_code in (200, 403), (url, response.status_code)
    assert client.get(reverse("desk:accounts_person_password", args=[inspector.pk])).status_code == 200


def test_pages_are_chinese_even_for_an_english_browser(login, admin):
    page = login(admin).get(reverse("desk:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "权限管理" in page and "Permission management" not in page


@pytest.mark.parametrize("path", ["metrology/desk.css", "metrology/designer.css", "metrology/designer.js",
                                  "admin/css/base.css"])
def test_static_files_are_served(client, path):
    response = client.get(f"/static/{path}")
    assert response.status_code == 200
    b"".join(response.streaming_content) if response.streaming else response.content
