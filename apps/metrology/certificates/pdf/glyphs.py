"""The Simplified Chinese glyph font shared by the stamp, the watermark and visible signatures.

Debian's fonts-noto-cjk ships Noto Sans CJK as a TrueType collection (``.ttc``). pyHanko's
``GlyphAccumulator`` reads a single OpenType font, not a collection, and only the SC face draws
Chinese with the Simplified Chinese glyph forms (the JP face, index 0, is what fontconfig falls
back to). So:

* :func:`glyph_font_path` extracts the SC face from the collection once, to
  ``<cache_dir>/NotoSansCJKsc-Regular.otf`` (about 16 MB, 0.4 s), and reuses it afterwards.
* :func:`subset_font_path` cuts from it a small font holding only the characters of a text
  (a few KB, about 0.5 s the first time), cached on disk by character set, so a fixed text such as
  the page numbers costs nothing after the first document. PDF writers embed the subset again,
  keeping only the glyphs actually drawn, so ``pdffonts`` lists the font as an embedded subset.

``cache_dir`` is the caller's choice (the site's ``keys/cache`` folder, say); when it is ``None``
a folder under the system temporary directory is used. Writes are atomic (temporary file +
rename), so concurrent workers may share a cache folder.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from pathlib import Path

NOTO_SANS_CJK_TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC_POSTSCRIPT_NAME = "NotoSansCJKsc-Regular"
_lock = threading.Lock()


class GlyphFontMissing(RuntimeError):
    """The CJK font collection is not installed or has no Simplified Chinese face."""


def default_cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "metrology-glyph-cache"


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def glyph_font_path(cache_dir: Path | None = None, *, collection: Path = NOTO_SANS_CJK_TTC) -> Path:
    """Path of the Noto Sans CJK SC face as a single .otf, extracted from ``collection`` if needed."""
    from fontTools.ttLib import TTCollection

    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    target = cache_dir / f"{SC_POSTSCRIPT_NAME}.otf"
    if target.exists():
        return target
    if not collection.exists():
        raise GlyphFontMissing(f"{collection} is missing: install fonts-noto-cjk")
    with _lock:
        if target.exists():
            return target
        ttc = TTCollection(str(collection), lazy=True)
        faces = [f for f in ttc.fonts if f["name"].getDebugName(6) == SC_POSTSCRIPT_NAME]
        if not faces:
            raise GlyphFontMissing(f"{collection} has no {SC_POSTSCRIPT_NAME} face")
        _atomic_write(target, faces[0].save)
    return target


def subset_font_path(text: str, cache_dir: Path | None = None, *,
                     collection: Path = NOTO_SANS_CJK_TTC) -> Path:
    """Path of a small .otf with the glyphs of every character in ``text`` (cached by character set).

    Characters the font lacks are left out (they would draw as the missing-glyph box).
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    chars = "".join(sorted(set(text) | {" "}))
    digest = hashlib.sha256(chars.encode("utf-8")).hexdigest()[:24]
    target = cache_dir / "subsets" / f"{SC_POSTSCRIPT_NAME}-{digest}.otf"
    if target.exists():
        return target
    full = glyph_font_path(cache_dir, collection=collection)
    font = TTFont(str(full))
    options = subset.Options(layout_closure=False)
    options.drop_tables += ["GPOS", "GDEF", "GSUB"]
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    _atomic_write(target, font.save)
    return target
