"""Phone pages in browser tests: an enabled phone with its app, logging in, drawing a signature."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from metrology.testing.personas import PASSWORD


def enabled_phone(identifier: str, person, device_manager):
    from metrology.devices.services import device_enable, device_seen

    device = device_seen(identifier=identifier, name=f"{person.name}的手机", imei="", person=person,
                         user_agent="pytest")
    return device_enable(actor=device_manager, device=device)


def phone_of(new_page, device):
    """A phone-sized page whose app already knows this (enabled) device."""
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    stored = json.dumps({"identifier": device.identifier, "name": device.name, "imei": ""})
    page.add_init_script(f"localStorage.setItem('metrology.mobile.device', {json.dumps(stored)});")
    page.goto("/m/")
    return page


def log_in(page, person) -> None:
    page.fill("#login-username", person.username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who-name")).to_have_text(person.name)


def saved_on_the_server(page, found) -> None:
    """Wait (a while) until the value typed has reached the server: found() is true."""
    for _ in range(50):
        if found():
            return
        page.wait_for_timeout(200)
    assert found()


def draw_signature(page) -> None:
    """A stroke across the sheet's canvas, as a finger would draw it."""
    sheet = page.locator("#signing-sheet[data-ready=true]")
    expect(sheet).to_be_visible()
    box = page.locator("#signature-pad").bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 22, y + (12 if step % 2 else -12), steps=3)
    page.mouse.up()
