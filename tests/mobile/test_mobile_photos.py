"""Photos taken on site and attached to a record over the API, and the equipment list the app's
standards picker shows (#10 item 5)."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from metrology.core.models import AuditEvent
from metrology.records.models import RecordAttachment, Standard
from metrology.records.services import standard_save
from metrology.testing.fuel import api_start
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def small_png(width: int = 4, height: int = 3, claimed: tuple[int, int] | None = None) -> bytes:
    """A real PNG of width × height pixels; `claimed` puts other dimensions in its header."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x10\x80\xc0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", *(claimed or (width, height)), 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def small_jpeg_header(width: int = 640, height: int = 480) -> bytes:
    """A JPEG's first segments as a camera writes them: an APP0 header, then the frame's dimensions."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    frame = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + frame + b"\xff\xd9"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def on_phone(phone, inspector, initial, media):
    client, _device = phone(inspector)
    return client, api_start(client, initial)


def upload(client, record_id, name, data, content_type="image/png", **extra):
    return client.post(f"/api/records/{record_id}/photos/",
                       {"photo": SimpleUploadedFile(name, data, content_type=content_type), **extra},
                       format="multipart")


def test_a_png_photo_is_stored_and_served_back_to_the_inspector(on_phone, media):
    client, record = on_phone
    png = small_png()
    answer = upload(client, record["id"], "IMG_0001.png", png, caption="铭牌")
    assert answer.status_code == 201, answer.json()
    file_id = answer.json()["file_id"]
    assert answer.json()["attachments"] == [{"file_id": file_id, "caption": "铭牌"}]
    assert (media / "records" / str(record["id"]) / file_id).read_bytes() == png
    assert AuditEvent.objects.filter(action="record.attachment_added").count() == 1

    served = client.get(f"/api/records/{record['id']}/photos/{file_id}/")
    assert served.status_code == 200
    assert (served["Content-Type"], served["X-Content-Type-Options"]) == ("image/png", "nosniff")
    assert b"".join(served.streaming_content) == png


def test_a_jpeg_is_recognised_by_its_content_whatever_its_name(on_phone, media):
    client, record = on_phone
    answer = upload(client, record["id"], "photo.png", small_jpeg_header(), content_type="image/png")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["file_id"].endswith(".jpg")
    served = client.get(f"/api/records/{record['id']}/photos/{answer.json()['file_id']}/")
    assert served["Content-Type"] == "image/jpeg"


def test_a_text_file_renamed_jpg_is_refused_in_chinese(on_phone, media):
    client, record = on_phone
    answer = upload(client, record["id"], "photo.jpg", b"just some notes, not a photo\n", content_type="image/jpeg")
    assert answer.status_code == 400
    assert answer.json()["photo"] == ["只能附加 JPEG、PNG 或 WebP 格式的照片。"]
    assert not RecordAttachment.objects.exists()
    assert not (media / "records").exists()


def test_an_image_header_without_plausible_dimensions_is_refused(on_phone):
    client, record = on_phone
    answer = upload(client, record["id"], "huge.png", small_png(claimed=(100_000, 100_000)))
    assert answer.status_code == 400
    assert answer.json()["photo"] == ["无法将该文件识别为图片。"]


def test_an_oversized_photo_is_refused(on_phone, media):
    client, record = on_phone
    too_large = small_png() + b"\x00" * (8 * 1024 * 1024)
    answer = upload(client, record["id"], "big.png", too_large)
    assert answer.status_code == 400
    assert answer.json()["photo"] == ["照片过大：最大 8 MB。"]
    assert not RecordAttachment.objects.exists()


def test_a_photo_without_a_device_session_is_refused(phone, inspector, initial, media):
    on_device, _device = phone(inspector)
    record = api_start(on_device, initial)
    browser = APIClient()
    browser.force_login(inspector)
    answer = upload(browser, record["id"], "IMG_0002.png", small_png())
    assert answer.status_code == 403
    assert answer.json()["detail"] == "该设备未获授权，请联系设备管理员"
    assert not RecordAttachment.objects.exists()
    assert not (media / "records").exists()


def test_the_same_photo_sent_again_with_its_request_id_is_attached_once(on_phone, media):
    client, record = on_phone
    first = upload(client, record["id"], "IMG_0003.png", small_png(), request_id="photo-7")
    again = upload(client, record["id"], "IMG_0003.png", small_png(), request_id="photo-7")
    assert (first.status_code, again.status_code) == (201, 200)
    assert (again.json()["repeated"], again.json()["file_id"]) == (True, first.json()["file_id"])
    assert RecordAttachment.objects.count() == 1
    assert len(list((media / "records" / str(record["id"])).iterdir())) == 1


def test_a_photo_is_served_only_under_the_record_it_is_attached_to(on_phone, initial):
    client, record = on_phone
    file_id = upload(client, record["id"], "IMG_0004.png", small_png()).json()["file_id"]
    second = api_start(client, initial)
    assert client.get(f"/api/records/{second['id']}/photos/{file_id}/").status_code == 404
    assert client.get(f"/api/records/{record['id']}/photos/{'0' * 32}.png/").status_code == 404


def test_the_whole_equipment_list_says_which_standards_can_be_used_today(on_phone):
    client, _record = on_phone
    expired = standard_save(actor=None, standard=Standard(name="标准金属量器 50 L", certificate_number="BZ-2020-009",
                                                          valid_until=dt.date.today() - dt.timedelta(days=3)))
    valid = standard_save(actor=None, standard=Standard(name="标准金属量器 20 L", certificate_number="BZ-2025-001",
                                                        valid_until=dt.date.today() + dt.timedelta(days=365)))
    listed = {s["id"]: s["usable"] for s in client.get("/api/standards/?all=1").json()["results"]}
    assert listed == {expired.pk: False, valid.pk: True}
