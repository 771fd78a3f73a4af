"""400/403/404/500 answer in Chinese, in the Desk's look, with a way back (#9)."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import get_resolver

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORDS = re.compile(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\b")


def _visible_text(html: str) -> str:
    body = re.sub(r"(?s)<head>.*?</head>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip()


def _assert_a_desk_page_in_chinese(response, status: int, heading: str) -> None:
    html = response.content.decode()
    assert response.status_code == status
    assert "metrology/desk.css" in html and 'id="header"' in html
    assert f"<h1>{heading}</h1>" in html
    assert 'href="/"' in html and "返回后台首页" in html
    text = _visible_text(html)
    assert HAN.search(text) and not ENGLISH_WORDS.search(text), text


def test_a_missing_page_says_so_in_chinese_with_a_way_back(settings, login, admin):
    settings.DEBUG = False
    response = login(admin).get("/desk/no-such-page/")
    _assert_a_desk_page_in_chinese(response, 404, "页面不存在")


def test_a_page_the_person_may_not_open_says_why_in_chinese(settings, login, outsider):
    settings.DEBUG = False
    response = login(outsider).get("/desk/accounts/person/")
    _assert_a_desk_page_in_chinese(response, 403, "您无权打开此页面")
    assert "系统管理员" in response.content.decode()


def test_a_form_sent_without_its_security_check_is_explained_in_chinese(settings):
    settings.DEBUG = False
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "admin", "password": "x"})
    _assert_a_desk_page_in_chinese(response, 403, "表单已过期")


def test_a_request_the_server_cannot_understand_is_answered_in_chinese(settings):
    settings.DEBUG = False
    response = Client().get("/desk/", HTTP_HOST="not-this-site.example")
    _assert_a_desk_page_in_chinese(response, 400, "无法处理该请求")


def test_a_server_error_is_answered_in_chinese_by_the_configured_handler(settings):
    settings.DEBUG = False
    handler = get_resolver().resolve_error_handler(500)
    response = handler(RequestFactory().get("/desk/"))
    _assert_a_desk_page_in_chinese(response, 500, "服务器出错了")
