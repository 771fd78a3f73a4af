"""The numbering scheme form previews the next number in a real browser as the parts are edited."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from metrology.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_next_number_follows_the_parts_as_they_are_typed(new_page, admin):
    page = new_page()
    page.goto("/login/?next=/desk/numbering/numberingscheme/add/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/desk/numbering/numberingscheme/add/")
    failures = []
    page.on("console", lambda message: failures.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: failures.append(response.url) if response.status >= 400 else None)
    page.reload()
    number = page.locator("#number-preview-number")
    expect(number).to_have_text(re.compile(r"^\d{4}0001$"))  # the defaults: YYYY, four digits
    page.fill("#id_prefix", "JD")
    page.fill("#id_separator", "-")
    expect(number).to_have_text(re.compile(r"^JD\d{4}-0001$"))
    page.fill("#id_sequence_width", "6")
    page.fill("#id_suffix", "/Z")
    expect(number).to_have_text(re.compile(r"^JD\d{4}-000001/Z$"))
    page.select_option("#id_reset", "monthly")
    expect(page.locator("#number-preview-problems li")).to_have_count(1)  # a yearly date part cannot restart monthly
    page.select_option("#id_date_part", "YYYYMM")
    expect(page.locator("#number-preview-problems li")).to_have_count(0)
    expect(number).to_have_text(re.compile(r"^JD\d{6}-000001/Z$"))
    assert failures == []
