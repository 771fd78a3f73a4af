"""Photos taken on site and attached to a record (#10 item 5).

Only JPEG, PNG and WebP are accepted, recognised by their first bytes (never by the name or the
type the browser claims). Pillow is not installed, so an image is not decoded: its header is read,
segment by segment, to find its dimensions, which must be those of a plausible photo. The reading
is bounded: a fixed number of small reads, whatever the file holds.

A photo is stored as records/<record id>/<file id> in the site's storage and attached through
`record_attachment_add` (with its audit row); the file id is random, or derived from the client's
request id so that sending the same photo again attaches it once.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import struct
from dataclasses import dataclass
from typing import IO

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from metrology.accounts.models import Person
from metrology.records.errors import RecordRefused
from metrology.records.models import Record, RecordAttachment
from metrology.records.services import record_attachment_add

MiB = 1024 * 1024
MAX_PHOTO_BYTES = 8 * MiB
MAX_SIDE = 20000
MAX_PIXELS = 100_000_000
MAX_JPEG_SEGMENTS = 64
FOLDER = "records"
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
FILE_ID = re.compile(r"^[0-9a-f]{32}\.(?:jpg|png|webp)$")
FILE_ID_PATTERN = r"[0-9a-f]{32}\.(?:jpg|png|webp)"

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
# Start-of-frame markers carry the dimensions; C4 (Huffman tables), C8 and CC are not frames.
JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
JPEG_STANDALONE = frozenset(range(0xD0, 0xD9)) | {0x01}


@dataclass(frozen=True)
class StoredPhoto:
    attachment: RecordAttachment
    repeated: bool


def photo_path(record_id: int, file_id: str) -> str:
    return f"{FOLDER}/{record_id}/{file_id}"


def content_type_of(file_id: str) -> str:
    return CONTENT_TYPES[file_id.rsplit(".", 1)[1]]


def image_kind(head: bytes) -> str | None:
    """'jpg', 'png' or 'webp' from the file's first bytes, or None."""
    if head.startswith(PNG_SIGNATURE):
        return "png"
    if head.startswith(JPEG_SIGNATURE):
        return "jpg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def _png_size(handle: IO[bytes]) -> tuple[int, int] | None:
    handle.seek(8)
    chunk = handle.read(16)
    if len(chunk) < 16 or chunk[4:8] != b"IHDR":
        return None
    return struct.unpack(">II", chunk[8:16])


def _jpeg_size(handle: IO[bytes]) -> tuple[int, int] | None:
    handle.seek(2)
    for _segment in range(MAX_JPEG_SEGMENTS):
        marker = handle.read(2)
        while len(marker) == 2 and marker[0] == 0xFF and marker[1] == 0xFF:  # fill bytes
            marker = marker[1:] + handle.read(1)
        if len(marker) < 2 or marker[0] != 0xFF or marker[1] in (0xD9, 0xDA):
            return None
        if marker[1] in JPEG_STANDALONE:
            continue
        length_bytes = handle.read(2)
        if len(length_bytes) < 2:
            return None
        length = struct.unpack(">H", length_bytes)[0]
        if length < 2:
            return None
        if marker[1] in JPEG_FRAMES:
            frame = handle.read(5)
            if len(frame) < 5:
                return None
            height, width = struct.unpack(">HH", frame[1:5])
            return width, height
        handle.seek(length - 2, 1)
    return None


def _webp_size(handle: IO[bytes]) -> tuple[int, int] | None:
    handle.seek(12)
    header = handle.read(18)
    if len(header) < 18:
        return None
    kind, body = header[:4], header[8:]
    if kind == b"VP8 " and body[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", body[6:10])
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L" and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8X":
        return int.from_bytes(body[4:7], "little") + 1, int.from_bytes(body[7:10], "little") + 1
    return None


SIZE_READERS = {"png": _png_size, "jpg": _jpeg_size, "webp": _webp_size}


def _checked_kind(upload) -> str:
    """The photo's kind once its type, size and header are acceptable; refused otherwise."""
    if upload is None:
        raise RecordRefused(_("Choose a photo to attach."), field="photo")
    if upload.size > MAX_PHOTO_BYTES:
        raise RecordRefused(_("The photo is too large: at most %(size)d MB.") % {"size": MAX_PHOTO_BYTES // MiB},
                            field="photo")
    upload.seek(0)
    kind = image_kind(upload.read(16))
    if kind is None:
        raise RecordRefused(_("Only JPEG, PNG or WebP photos can be attached."), field="photo")
    size = SIZE_READERS[kind](upload)
    if size is None or not (0 < size[0] <= MAX_SIDE and 0 < size[1] <= MAX_SIDE) or size[0] * size[1] > MAX_PIXELS:
        raise RecordRefused(_("The photo cannot be read as an image."), field="photo")
    upload.seek(0)
    return kind


def _file_id(record: Record, actor: Person, kind: str, request_id: str) -> str:
    if request_id:
        digest = hashlib.sha256(f"{record.pk}:{actor.pk}:{request_id}".encode()).hexdigest()[:32]
    else:
        digest = secrets.token_hex(16)
    return f"{digest}.{kind}"


def photo_attach(*, actor: Person, record: Record, upload, caption: str = "", request_id: str = "") -> StoredPhoto:
    """Store a photo and attach it to the record; the same request id again attaches nothing more."""
    kind = _checked_kind(upload)
    file_id = _file_id(record, actor, kind, request_id.strip())
    existing = RecordAttachment.objects.filter(record=record, file_id=file_id).first()
    if existing is not None:
        return StoredPhoto(existing, repeated=True)
    name = photo_path(record.pk, file_id)
    if not default_storage.exists(name):
        stored = default_storage.save(name, upload)
        if stored != name:  # a concurrent twin stored it first; keep theirs
            default_storage.delete(stored)
    try:
        attachment = record_attachment_add(actor=actor, record=record, file_id=file_id, caption=caption)
    except Exception:
        if not RecordAttachment.objects.filter(record=record, file_id=file_id).exists():
            default_storage.delete(name)
        raise
    return StoredPhoto(attachment, repeated=False)


def photo_open(record: Record, file_id: str) -> IO[bytes] | None:
    """The stored photo of the record, if it is one of its attachments."""
    if not FILE_ID.match(file_id) or not record.attachments.filter(file_id=file_id).exists():
        return None
    name = photo_path(record.pk, file_id)
    if not default_storage.exists(name):
        return None
    return default_storage.open(name, "rb")
