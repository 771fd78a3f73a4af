"""The institute's seal image (电子印章 image, R-4.3.12.4), printed in a layout's 机构印章 slot.

An institute uploads its own seal image in the Desk (`keys/signing/seal.png`); a new site, and a demo,
get a drawn one (a red ring with the institute's name and a star) so that issuing works from the start.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

from django.conf import settings

from metrology.certificates.pdf.glyphs import glyph_font_path

SEAL_FILE = "seal.png"
SIZE = 480  # pixels: 42 mm at about 290 dpi
RED = (200, 16, 30, 255)


def seal_path() -> Path:
    return Path(settings.SIGNING_DIR) / SEAL_FILE


def site_seal_png() -> bytes:
    """The site's seal as PNG, drawn and kept the first time it is asked for."""
    path = seal_path()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(drawn_seal(settings.INSTITUTE_NAME or "计量检定机构"))
    return path.read_bytes()


def drawn_seal(name: str) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    middle, ring = SIZE / 2, SIZE * 0.46
    draw.ellipse((middle - ring, middle - ring, middle + ring, middle + ring), outline=RED, width=int(SIZE * 0.03))
    _star(draw, middle, middle, SIZE * 0.13)
    font = ImageFont.truetype(str(glyph_font_path()), int(SIZE * 0.09))
    letters = list(name[:16])
    spread = min(math.radians(240), math.radians(17) * len(letters))
    for n, letter in enumerate(letters):
        angle = math.radians(-90) - spread / 2 + spread * (n + 0.5) / len(letters)
        x, y = middle + SIZE * 0.35 * math.cos(angle), middle + SIZE * 0.35 * math.sin(angle)
        glyph = Image.new("RGBA", (int(SIZE * 0.12),) * 2, (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), letter, font=font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle) - 90, resample=Image.BICUBIC)
        image.alpha_composite(glyph, (int(x - glyph.width / 2), int(y - glyph.height / 2)))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _star(draw, x: float, y: float, radius: float) -> None:
    points = []
    for n in range(10):
        r = radius if n % 2 == 0 else radius * 0.4
        angle = math.radians(-90 + n * 36)
        points.append((x + r * math.cos(angle), y + r * math.sin(angle)))
    draw.polygon(points, fill=RED)
