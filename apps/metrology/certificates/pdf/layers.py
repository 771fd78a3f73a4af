"""Drawing helpers shared by the stamp and the watermark (internal to the toolkit).

A :class:`Layer` collects PDF content-stream operators and the resources they use (a CJK font
from :mod:`.glyphs`, image XObjects, transparency states) inside one pyHanko writer. The stamp
writes layers into a fresh overlay PDF that pikepdf merges onto the pages; the watermark writes
one into an incremental update of the original file.
"""

from __future__ import annotations

import io
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.generic import pdf_name

from .glyphs import subset_font_path


def _num(value: float) -> bytes:
    return (b"%.3f" % value).rstrip(b"0").rstrip(b".") or b"0"


class TextFont:
    """One embedded subset of the SC font for a known set of strings, usable by several layers."""

    #: drawn in place of a character the font has no glyph for (an emoji, a rare ideograph)
    MISSING = "?"

    def __init__(self, writer, texts: list[str], *, font_size: float, cache_dir: Path | None):
        self.font_size = font_size
        path = subset_font_path("".join(texts) + self.MISSING, cache_dir)
        with open(path, "rb") as handle:
            self._engine = GlyphAccumulator(writer, io.BytesIO(handle.read()), font_size)
        self._covered = set(self._engine.tt.getBestCmap())
        self.resource = self._engine.as_resource()

    def drawable(self, text: str) -> str:
        """``text`` with every character the font cannot draw replaced by :attr:`MISSING`."""
        return "".join(c if ord(c) in self._covered else self.MISSING for c in text)

    def shape(self, text: str, size: float | None = None) -> tuple[bytes, float]:
        """(text-showing operators, advance width in points) for one line of ``text``.

        The glyph positions are in text space, so one font serves every size (``size`` defaults
        to ``font_size``).
        """
        shaped = self._engine.shape(self.drawable(text), with_actual_text=False)
        return shaped.graphics_ops, shaped.x_advance * (size or self.font_size)

    def finish(self) -> None:
        """Embed the subset; call once after every string was shaped."""
        self._engine.prepare_write()


class Layer:
    """Operators plus a resource dictionary; resource names are prefixed so they never clash."""

    def __init__(self, writer, prefix: str):
        self.writer = writer
        self.prefix = prefix
        self.ops: list[bytes] = []
        self.fonts = generic.DictionaryObject()
        self.xobjects = generic.DictionaryObject()
        self.states = generic.DictionaryObject()

    def _name(self, kind: str, index: int) -> str:
        return f"/{self.prefix}{kind}{index}"

    def font_name(self, font: TextFont) -> str:
        for name, ref in self.fonts.items():
            if ref is font.resource:
                return name
        name = self._name("F", len(self.fonts))
        self.fonts[pdf_name(name)] = font.resource
        return name

    def opacity(self, fill: float) -> str:
        name = self._name("GS", len(self.states))
        self.states[pdf_name(name)] = generic.DictionaryObject(
            {pdf_name("/ca"): generic.FloatObject(fill), pdf_name("/CA"): generic.FloatObject(fill)})
        return name

    def text(self, font: TextFont, text: str, x: float, y: float, *, rgb=(0, 0, 0),
             align: str = "left", size: float | None = None) -> float:
        """Draw ``text`` with its baseline starting at (x, y) points; returns its width in points.

        ``align`` "center" or "right" makes (x, y) the middle or the end of the baseline.
        """
        size = size or font.font_size
        ops, width = font.shape(text, size)
        if align == "center":
            x -= width / 2
        elif align == "right":
            x -= width
        r, g, b = (_num(c) for c in rgb)
        self.ops.append(b"BT %s %s Tf %s %s %s rg %s %s Td %s ET" % (
            self.font_name(font).encode(), _num(size), r, g, b, _num(x), _num(y), ops))
        return width

    def image(self, image_ref, x: float, y: float, width: float, height: float) -> None:
        name = self._name("Im", len(self.xobjects))
        self.xobjects[pdf_name(name)] = image_ref
        self.ops.append(b"q %s 0 0 %s %s %s cm %s Do Q" % (
            _num(width), _num(height), _num(x), _num(y), name.encode()))

    def modules(self, matrix, x: float, y: float, size: float) -> None:
        """Draw a QR code's dark modules (rows of 0/1, quiet zone included) as filled squares."""
        rows = [list(row) for row in matrix]
        step = size / len(rows)
        parts = [b"q 0 0 0 rg"]
        for r, row in enumerate(rows):
            top = y + size - (r + 1) * step
            c = 0
            while c < len(row):
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    parts.append(b"%s %s %s %s re" % (
                        _num(x + start * step), _num(top), _num((c - start) * step), _num(step)))
                else:
                    c += 1
        parts.append(b"f Q")
        self.ops.append(b"\n".join(parts))

    def raw(self, ops: bytes) -> None:
        self.ops.append(ops)

    def content(self) -> bytes:
        return b"\n".join(self.ops)

    def resources(self) -> generic.DictionaryObject:
        res = generic.DictionaryObject()
        if self.fonts:
            res[pdf_name("/Font")] = self.fonts
        if self.xobjects:
            res[pdf_name("/XObject")] = self.xobjects
        if self.states:
            res[pdf_name("/ExtGState")] = self.states
        return res
