"""Signatures for tests: a small drawn PNG and the persona password (apps/metrology/testing/personas.py)."""

from __future__ import annotations

import base64
import json
import struct
import zlib

from metrology.testing.personas import PASSWORD


def drawn_png(width: int = 40, height: int = 12) -> bytes:
    """A real PNG: a black stroke across a white box, as signature_pad would send one."""
    rows = b"".join(b"\x00" + (b"\x00" if y == height // 2 else b"\xff") * width for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def drawn_data_url() -> str:
    return "data:image/png;base64," + base64.b64encode(drawn_png()).decode()


def signed(password: str = PASSWORD):
    """What a signer gives in the default chain: a handwritten signature and their password."""
    from metrology.workflow.signing import SignatureInput

    return SignatureInput(image=drawn_png(), password=password)


def take(person, record, action: str, reason: str = "", **given):
    """Take a step as ``person`` with a signature (or what ``given`` says instead); the record, reloaded."""
    from metrology.workflow.engine import transition_apply

    signature = given.pop("signature", signed())
    transition_apply(actor=person, record=record, action=action, reason=reason, signature=signature, **given)
    record.refresh_from_db()
    return record


def api_step(client, record_id: int, action: str, **body):
    body.setdefault("signature", drawn_data_url())
    body.setdefault("password", PASSWORD)
    return client.post(f"/api/workflow/records/{record_id}/steps/{action}/", json.dumps(body),
                       content_type="application/json")
