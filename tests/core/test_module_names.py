"""One set of module names: the home page, the breadcrumbs and the titles agree (#9)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from metrology.core.desk import desk_site
from metrology.core.permissions import MODULES


def test_every_desk_page_belongs_to_the_module_its_app_is_named_after():
    for model, model_admin in desk_site._registry.items():
        assert str(model._meta.app_config.verbose_name) == str(MODULES[model_admin.desk_module].label), model


@pytest.mark.django_db
def test_a_list_and_a_page_of_its_own_name_the_module_as_the_home_page_does(login, admin):
    client = login(admin)
    home = client.get(reverse("desk:index")).content.decode()
    assert "检测设置" in home and "权限管理" in home
    for url, module in ((reverse("desk:regulations_regulation_changelist"), "检测设置"),
                        (reverse("desk:regulations_regulation_search"), "检测设置"),
                        (reverse("desk:accounts_person_changelist"), "权限管理"),
                        (reverse("desk:core_auditevent_changelist"), "权限管理")):
        breadcrumbs = re.search(r'(?s)<(?:div|nav) class="breadcrumbs".*?</(?:div|nav)>', client.get(url).content.decode())
        assert breadcrumbs and f">{module}</a>" in breadcrumbs.group(), url
