"""Draw the app's icons (a dial gauge on the platform's blue) as PNG files, with the standard
library only: `python apps/metrology/mobile/make_icons.py`. The files are committed; run this again
only to change the art."""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parent / "static" / "mobile" / "icons"
BLUE, WHITE, AMBER = (29, 92, 143), (255, 255, 255), (240, 180, 0)
SAMPLES = 3  # per axis: edges are smoothed by averaging SAMPLES² points per pixel


def colour_at(x: float, y: float) -> tuple[int, int, int]:
    """The art on a unit square (0..1), maskable: everything that matters lies inside the safe circle."""
    dx, dy = x - 0.5, y - 0.58
    r = math.hypot(dx, dy)
    angle = math.degrees(math.atan2(-dy, dx))  # 0 at the right, 90 at the top
    on_dial = -20 <= angle <= 200 or angle <= -160
    if 0.27 <= r <= 0.31 and on_dial:
        return WHITE
    nearest_tick = round((angle + 20) / 27.5) * 27.5 - 20  # nine ticks over the dial's 220°
    if 0.19 <= r <= 0.26 and on_dial and abs(angle - nearest_tick) <= 2.2:
        return WHITE
    needle = math.radians(58)
    along = dx * math.cos(needle) - dy * math.sin(needle)
    across = dx * math.sin(needle) + dy * math.cos(needle)
    if -0.02 <= along <= 0.25 and abs(across) <= 0.018 * (1 - along / 0.3):
        return AMBER
    if r <= 0.045:
        return WHITE
    return BLUE


def pixels(size: int) -> bytes:
    rows = bytearray()
    step = 1 / (size * SAMPLES)
    for py in range(size):
        rows.append(0)  # PNG filter: none
        for px in range(size):
            total = [0, 0, 0]
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    c = colour_at((px * SAMPLES + sx + 0.5) * step, (py * SAMPLES + sy + 0.5) * step)
                    total = [t + v for t, v in zip(total, c)]
            rows.extend(round(t / SAMPLES**2) for t in total)
    return bytes(rows)


def png(size: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels(size), 9)) \
        + chunk(b"IEND", b"")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        (OUT / f"icon-{size}.png").write_bytes(png(size))
