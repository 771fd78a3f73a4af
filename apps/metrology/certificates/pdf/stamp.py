"""Seal, QR code and page numbers drawn over a PDF's pages (before it is signed).

:func:`stamp` builds one overlay page per page of the document with pyHanko's writer (the CJK
text through :mod:`.glyphs`, the seal as an image with its alpha channel as soft mask, the QR code
as vector squares from segno) and merges it with pikepdf's ``Page.add_overlay``, which wraps the
page's own content in ``q … Q`` so the overlay is drawn on top, untouched by the page's graphics
state. The result is a new, unsigned PDF: sign it afterwards (:func:`.signing.sign`), since any
change after signing breaks the signature.

Positions are :class:`~.geometry.Box` objects in millimetres from the bottom-left corner of the
page's visible area (CropBox, else MediaBox).
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import segno
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.images import pil_image
from pyhanko.pdf_utils.writer import PdfFileWriter

from .geometry import Box, mm
from .layers import Layer, TextFont

#: Page-number text of a Chinese certificate; ``{page}`` and ``{pages}`` are replaced.
PAGE_NUMBER_FORMAT = "第 {page} 页 共 {pages} 页"
#: White margin drawn around the QR code, in modules.
QR_QUIET_ZONE = 2


def _page_frame(page: pikepdf.Page) -> tuple[float, float, float, float]:
    box = page.obj.get("/CropBox") or page.mediabox
    x0, y0, x1, y1 = (float(v) for v in box)
    return min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)


def _fit(image: Image.Image, box: Box) -> tuple[float, float, float, float]:
    """The image's rectangle in points inside ``box`` (relative to the page frame), aspect kept."""
    x, y, w, h = box.in_points()
    scale = min(w / image.width, h / image.height)
    iw, ih = image.width * scale, image.height * scale
    return x + (w - iw) / 2, y + (h - ih) / 2, iw, ih


def _seal_image(seal_png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(seal_png))
    image.load()
    if image.mode not in ("RGBA", "LA"):
        image = image.convert("RGBA")
    return image


def stamp(
    pdf: bytes,
    *,
    seal_png: bytes | None,
    seal_box: Box | None,
    qr_url: str | None,
    qr_box: Box | None,
    page_numbers: bool,
    seal_on_every_page: bool = False,
    qr_on_every_page: bool = False,
    page_number_format: str = PAGE_NUMBER_FORMAT,
    page_number_baseline: float = 10.0,
    font_size: float = 9.0,
    font_cache_dir: Path | None = None,
) -> bytes:
    """Return a new PDF: ``pdf`` with the seal, the QR code and page numbers drawn over its pages.

    :param pdf: the document (unsigned; a signature in it would be broken by the rewrite).
    :param seal_png: the institute's seal as PNG (an alpha channel is kept as transparency;
        any image Pillow reads is accepted), or ``None`` for no seal.
    :param seal_box: where the seal goes (mm, see :mod:`.geometry`); the image is scaled to fit
        the box, keeping its aspect ratio, centred. Required when ``seal_png`` is given.
    :param qr_url: the text of the QR code (the public verification address), or ``None``.
    :param qr_box: where the QR code goes (mm); it is drawn square, as large as the box allows,
        centred, in black on a white square with a 2-module margin. Required with ``qr_url``.
    :param page_numbers: draw ``page_number_format`` (default "第 x 页 共 y 页") centred at
        ``page_number_baseline`` mm above the bottom edge of every page, ``font_size`` pt,
        in Noto Sans CJK SC (embedded as a subset).
    :param seal_on_every_page: seal on every page instead of the first only; same for
        ``qr_on_every_page``.
    :param font_cache_dir: cache folder of :mod:`.glyphs` (default: under the temp directory).
    :returns: the stamped PDF as bytes.
    :raises ValueError: a seal or QR code without its box.
    """
    if seal_png is not None and seal_box is None:
        raise ValueError("seal_png needs seal_box")
    if qr_url is not None and qr_box is None:
        raise ValueError("qr_url needs qr_box")
    document = pikepdf.open(io.BytesIO(pdf))
    pages = list(document.pages)
    total = len(pages)
    frames = [_page_frame(p) for p in pages]

    writer = PdfFileWriter(stream_xrefs=False)
    font = None
    labels = [page_number_format.format(page=i + 1, pages=total) for i in range(total)]
    if page_numbers:
        # every digit in the subset: one cached font serves documents of any length
        font = TextFont(writer, [*labels, "0123456789"], font_size=font_size, cache_dir=font_cache_dir)
    seal = seal_ref = None
    if seal_png is not None:
        seal = _seal_image(seal_png)
        seal_ref = pil_image(seal, writer)
    qr_matrix = None
    if qr_url is not None:
        qr_matrix = list(segno.make(qr_url, error="m", micro=False).matrix_iter(
            scale=1, border=QR_QUIET_ZONE))

    drawn = []
    for index, (_, _, width, height) in enumerate(frames):
        layer = Layer(writer, "Mtr")
        if seal_ref is not None and (index == 0 or seal_on_every_page):
            layer.image(seal_ref, *_fit(seal, seal_box))
        if qr_matrix is not None and (index == 0 or qr_on_every_page):
            x, y, w, h = qr_box.in_points()
            side = min(w, h)
            qx, qy = x + (w - side) / 2, y + (h - side) / 2
            layer.raw(b"q 1 1 1 rg %.3f %.3f %.3f %.3f re f Q" % (qx, qy, side, side))
            layer.modules(qr_matrix, qx, qy, side)
        if font is not None:
            layer.text(font, labels[index], width / 2, mm(page_number_baseline), align="center")
        if not layer.ops:
            drawn.append(False)
            continue
        stream = generic.StreamObject(stream_data=layer.content())
        stream.compress()
        writer.insert_page(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): generic.ArrayObject(
                [generic.FloatObject(0), generic.FloatObject(0),
                 generic.FloatObject(width), generic.FloatObject(height)]),
            pdf_name("/Resources"): layer.resources(),
            pdf_name("/Contents"): writer.add_object(stream),
        }))
        drawn.append(True)
    if font is not None:
        font.finish()
    if not any(drawn):
        return pdf

    buffer = io.BytesIO()
    writer.write(buffer)
    overlay = pikepdf.open(io.BytesIO(buffer.getvalue()))
    overlay_pages = iter(overlay.pages)
    for page, frame, has_overlay in zip(pages, frames, drawn, strict=True):
        if has_overlay:
            x0, y0, w, h = frame
            page.add_overlay(next(overlay_pages), pikepdf.Rectangle(x0, y0, x0 + w, y0 + h))
    out = io.BytesIO()
    document.save(out, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()
