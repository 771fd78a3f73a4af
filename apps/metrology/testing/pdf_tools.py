"""poppler's tools on a PDF in tests: the independent checks (pdfsig, pdftotext, pdftoppm). A missing tool
fails the test (FileNotFoundError), never skips it."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path


def pdfsig(pdf: bytes) -> str:
    """pdfsig's report (offline: no certificate checks)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, timeout=60).stdout.decode()


def pdf_text(pdf: bytes, *, layout: bool = True) -> str:
    """The text as laid out, or (layout=False) in the order it was drawn: rotated text stays whole."""
    return subprocess.run(["pdftotext", "-layout" if layout else "-raw", "-", "-"], input=pdf, capture_output=True,
                          timeout=120, check=True).stdout.decode()


def first_page_png(pdf: bytes, dpi: int = 40) -> bytes:
    return subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-"], input=pdf,
                          capture_output=True, timeout=120, check=True).stdout


def strongly_red_share(png: bytes) -> float:
    """The share of a page's pixels that are clearly red (a void band, a seal)."""
    import io

    from PIL import Image

    data = Image.open(io.BytesIO(png)).convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    red = sum(1 for r, g, b in pixels if r > 180 and g < 150 and b < 150 and r - max(g, b) > 60)
    return red / (len(data) // 3)
