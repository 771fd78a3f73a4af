"""The void watermark: a diagonal red 作废 band on every page, with the reason and the date.

:func:`void_watermark` appends the watermark to the PDF as an **incremental update** (pyHanko's
incremental writer): the original bytes are kept unchanged as the start of the new file, so the
issuing signature still verifies (over its revision) and the voided file can be signed again with
:func:`.signing.sign`. The original file itself is not touched; store the result as a new file.

On every page, in the page's own size, a band along the diagonal from bottom-left to top-right
(``band_height`` of the shorter page side, default 16 %) is filled in pure red at ``opacity``
(default 0.3), and over it "作废" in large type and below it the reason and date lines, in dark red
at a slightly higher opacity, all in Noto Sans CJK SC (embedded subset). It is drawn over the
page's content, which stays legible through it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import secrets
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.rw_common import find_inherited_value_in_tree

from .layers import Layer, TextFont, _num

#: Texts of the watermark (Chinese certificates); ``{reason}`` and ``{date}`` are replaced.
VOID_TITLE = "作废"
VOID_REASON_LINE = "作废原因：{reason}"
VOID_DATE_LINE = "作废日期：{date}"


def chinese_date(day: dt.date) -> str:
    """2026-12-03 → "2026年12月3日"."""
    return f"{day.year}年{day.month}月{day.day}日"


def _frame(page) -> tuple[float, float, float, float]:
    box = page.get("/CropBox") or find_inherited_value_in_tree(page, "/MediaBox", "/Parent")
    x0, y0, x1, y1 = (float(v) for v in box)
    return min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)


def void_watermark(
    pdf: bytes,
    *,
    reason: str,
    voided_on: dt.date,
    opacity: float = 0.3,
    band_height: float = 0.16,
    font_cache_dir: Path | None = None,
) -> bytes:
    """Return ``pdf`` plus an incremental update drawing the void band over every page.

    :param pdf: the issued (signed or unsigned) certificate.
    :param reason: the stated reason, printed as "作废原因：…" (one line; keep it short, the line
        is shrunk to fit the band's length).
    :param voided_on: the date printed as "作废日期：2026年12月3日".
    :param opacity: fill opacity of the band, 0–1 (default 0.3); the text uses ``opacity + 0.25``.
    :param band_height: band height as a fraction of the page's shorter side.
    :param font_cache_dir: cache folder of :mod:`.glyphs`.
    :returns: the new PDF (the input bytes followed by one update); sign it again to seal it.
    """
    if not 0 < opacity <= 1:
        raise ValueError("opacity must be in (0, 1]")
    lines = [VOID_REASON_LINE.format(reason=" ".join(reason.split())),
             VOID_DATE_LINE.format(date=chinese_date(voided_on))]
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    font = TextFont(writer, [VOID_TITLE, *lines, "0123456789年月日"], font_size=10, cache_dir=font_cache_dir)
    prefix = f"MtrVoid{secrets.token_hex(3)}"  # resource names unused by the page, even if re-voided
    push = writer.add_object(generic.StreamObject(stream_data=b"q\n"))
    for index in range(int(writer.root["/Pages"]["/Count"])):
        page_ref, _ = writer.find_page_for_modification(index)
        x0, y0, width, height = _frame(page_ref.get_object())
        layer = Layer(writer, prefix)
        band_gs = layer.opacity(opacity)
        text_gs = layer.opacity(min(1.0, opacity + 0.25))
        angle = math.atan2(height, width)
        length = math.hypot(width, height)
        band = band_height * min(width, height)
        cos, sin = math.cos(angle), math.sin(angle)
        layer.raw(b"q %s %s %s %s %s %s cm" % tuple(
            _num(v) for v in (cos, sin, -sin, cos, x0 + width / 2, y0 + height / 2)))
        layer.raw(b"%s gs 1 0 0 rg %s %s %s %s re f" % (
            band_gs.encode(), _num(-length / 2), _num(-band / 2), _num(length), _num(band)))
        layer.raw(b"%s gs" % text_gs.encode())
        title_size = band * 0.5
        layer.text(font, VOID_TITLE, 0, -band * 0.02, rgb=(0.6, 0, 0), align="center", size=title_size)
        line_size = band * 0.12
        widest = max(font.shape(line, line_size)[1] for line in lines)
        if widest > length * 0.8:
            line_size *= length * 0.8 / widest
        for n, line in enumerate(lines):
            layer.text(font, line, 0, -band * 0.2 - n * line_size * 1.25, rgb=(0.6, 0, 0),
                       align="center", size=line_size)
        layer.raw(b"Q")
        stream = generic.StreamObject(stream_data=b"Q\n" + layer.content())
        stream.compress()
        writer.add_stream_to_page(index, push, prepend=True)
        writer.add_stream_to_page(index, writer.add_object(stream), resources=layer.resources())
    font.finish()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
