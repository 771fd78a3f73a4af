"""#10 item 5 on a 390 × 844 phone: the inspector notes the measurement standard used (an expired one
is shown as such and refused, in the server's words) and attaches a photo, shown as a thumbnail."""

from __future__ import annotations

import datetime as dt
import json
import struct
import zlib

import pytest
from metrology.testing.personas import PASSWORD
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IDENTIFIER = "phone-for-attachments"


def small_png(width: int = 8, height: int = 6) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x20\x90\xd0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def task(settings, tmp_path, inspector, device_manager, dispenser, initial):
    """A draft record of the inspector's, on a phone the device manager has enabled, and the equipment
    list: one standard valid today, one expired."""
    from metrology.devices.services import device_enable, device_seen
    from metrology.records.models import Standard
    from metrology.records.services import record_start, standard_save

    settings.MEDIA_ROOT = str(tmp_path / "files")
    device = device_seen(identifier=IDENTIFIER, name="张三的手机", imei="", person=inspector, user_agent="pytest")
    device_enable(actor=device_manager, device=device)
    today = dt.date.today()
    valid = standard_save(actor=None, standard=Standard(name="标准金属量器 20 L", certificate_number="BZ-2025-001",
                                                        valid_until=today + dt.timedelta(days=365)))
    expired = standard_save(actor=None, standard=Standard(name="标准金属量器 50 L", certificate_number="BZ-2020-009",
                                                          valid_until=today - dt.timedelta(days=3)))
    record = record_start(actor=inspector, item=dispenser, sub_type=initial)
    return record, valid, expired


def test_an_inspector_notes_a_valid_standard_is_refused_an_expired_one_and_attaches_a_photo(new_page, task):
    from metrology.records.models import RecordAttachment, RecordStandard

    record, valid, expired = task
    page = new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    stored_device = json.dumps({"identifier": IDENTIFIER, "name": "张三的手机", "imei": ""})
    page.add_init_script(f"localStorage.setItem('metrology.mobile.device', {json.dumps(stored_device)});")
    page.goto("/m/")
    page.fill("#login-username", "zhangsan")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    expect(page.locator("#who-name")).to_have_text("张三")
    page.click(f'a[href="#/record/{record.pk}"]')

    # 计量标准器: the picker lists the equipment, the expired one marked as such.
    standards = page.locator("#standards")
    expect(standards.locator("h3")).to_have_text("计量标准器")
    expect(page.locator("#standards-used")).to_have_text("尚未选择计量标准器。")
    expect(page.locator(f'#standard-picker option[value="{expired.pk}"]')).to_contain_text(
        f"已于 {expired.valid_until.isoformat()} 过期")
    page.select_option("#standard-picker", str(valid.pk))
    page.click("#add-standard")
    expect(page.locator("#standards-used")).to_contain_text("标准金属量器 20 L（BZ-2025-001）")
    page.select_option("#standard-picker", str(expired.pk))
    page.click("#add-standard")
    expect(page.locator("#standard-message")).to_have_text(
        f"标准金属量器 50 L（BZ-2020-009）已于 {expired.valid_until.isoformat()} 过期，不能使用。")
    assert list(RecordStandard.objects.filter(record=record).values_list("standard_id", flat=True)) == [valid.pk]

    # 照片: taken with the camera (here a file), sent at once, shown as a thumbnail served by the API.
    photo_input = page.locator("#photo-input")
    assert (photo_input.get_attribute("accept"), photo_input.get_attribute("capture")) == ("image/*", "environment")
    expect(page.locator("#photos h3")).to_have_text("照片")
    photo_input.set_input_files({"name": "IMG_0001.png", "mimeType": "image/png", "buffer": small_png()})
    thumbnail = page.locator("#photo-thumbs img")
    expect(thumbnail).to_have_count(1)
    page.wait_for_function("() => document.querySelector('#photo-thumbs img').naturalWidth === 8")
    attachment = RecordAttachment.objects.get(record=record)
    assert attachment.file_id.endswith(".png")

    # A text file passed off as a photo is refused in Chinese; the thumbnails stay as they were.
    photo_input.set_input_files({"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not a photo\n"})
    expect(page.locator("#photo-message")).to_have_text("只能附加 JPEG、PNG 或 WebP 格式的照片。")
    expect(thumbnail).to_have_count(1)

    page.reload()
    expect(page.locator("#photo-thumbs img")).to_have_count(1)
    expect(page.locator("#standards-used")).to_contain_text("BZ-2025-001")
