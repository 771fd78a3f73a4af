#!/usr/bin/env python3
"""Extracts the Simplified Chinese faces of Debian's Noto CJK collections into standalone fonts named
as such, for the PDF converter's LibreOffice (#12). Run by `make setup` with the venv's python
(fontTools); idempotent, and without reading a font when the fonts are already there.

Debian's fonts-noto-cjk (.ttc) share one CFF table between the JP, KR, SC, TC and HK faces of a
collection, named after the JP face: LibreOffice embeds the SC face as NotoSerifCJKjp-Regular, so
`pdffonts` cannot tell that Chinese was printed in Simplified Chinese. Each face written here is the
collection's SC face with its CFF names (FontName, FullName, FamilyName, the FDArray's FontNames)
turned from JP into SC, in place and of equal length, so no offset moves, and a family name of its own
(FAMILIES) that no installed font has: fontconfig then has exactly one font per name, whatever else
is installed, and apps/metrology/print_formats/fonts/fonts.conf falls back to the system's Noto CJK
SC when these files are missing.

    scripts/sc-fonts.py [run|test] [--source DIR] [--target DIR]

Missing collections are fatal for "test" (`make test`) and a warning for "run", as in
scripts/setup-uno.sh. 24-25 MB per Serif face, 16-17 MB per Sans face, 83 MB in all; about 7 s the
first time (2 s of CPU), 0.1 s afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = Path("/usr/share/fonts/opentype/noto")
TARGET = REPO / ".venv" / "share" / "metrology-fonts"  # converter.SC_FONTS_DIR
MANIFEST = "sources.json"
FORMAT = 1  # raise when the files written change, so that they are written again
FAMILIES = {"Serif": "Metrology Serif SC", "Sans": "Metrology Sans SC"}
FACES = [  # (collection, PostScript name of its SC face, style of the family)
    ("NotoSerifCJK-Regular.ttc", "NotoSerifCJKsc-Regular", "Serif"),
    ("NotoSerifCJK-Bold.ttc", "NotoSerifCJKsc-Bold", "Serif"),
    ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular", "Sans"),
    ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold", "Sans"),
]


class Problem(Exception):
    """A collection is missing or not the one expected; the message says what to do."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profile", nargs="?", default="run", choices=("run", "test"))
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--target", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    try:
        written = ensure(args.source, args.target)
    except Problem as problem:
        print(f"sc-fonts: {problem}", file=sys.stderr)
        if args.profile == "test":
            return 1
        print("sc-fonts: PDFs print Chinese in the system's Noto CJK SC faces, which pdffonts names "
              "NotoSerifCJKjp-… (install fonts-noto-cjk, then run `make setup`).", file=sys.stderr)
        return 0
    if written:
        print(f"sc-fonts: {', '.join(written)} written to {args.target}")
    return 0


def ensure(source: Path, target: Path) -> list[str]:
    """Write the faces whose file is missing or older than its collection; the names of those written."""
    stamps = {}
    for collection, _name, _style in FACES:
        try:
            stat = (source / collection).stat()
        except FileNotFoundError:
            raise Problem(f"{source / collection} is missing: install fonts-noto-cjk "
                          "(scripts/system-packages.sh)") from None
        stamps[collection] = [stat.st_size, stat.st_mtime_ns]
    manifest = _read_manifest(target)
    written = []
    for collection, name, style in FACES:
        output = target / f"{name}.otf"
        wanted = {"format": FORMAT, "collection": str(source / collection), "stamp": stamps[collection]}
        if output.is_file() and manifest.get(output.name) == wanted | {"size": output.stat().st_size}:
            continue
        _extract(source / collection, name, FAMILIES[style], output)
        manifest[output.name] = wanted | {"size": output.stat().st_size}
        _write_manifest(target, manifest)
        written.append(output.name)
    return written


def _read_manifest(target: Path) -> dict:
    try:
        return json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_manifest(target: Path, manifest: dict) -> None:
    _atomic(target / MANIFEST, lambda path: Path(path).write_text(json.dumps(manifest, indent=1) + "\n"))


def _atomic(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        write(temporary)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- one face


def _extract(collection: Path, name: str, family: str, output: Path) -> None:
    try:
        from fontTools.ttLib import TTCollection
        from fontTools.ttLib.tables.DefaultTable import DefaultTable
    except ImportError:
        message = f"{sys.executable} has no fontTools: run this with .venv/bin/python (make setup)"
        raise Problem(message) from None
    faces = TTCollection(str(collection), lazy=True, recalcBBoxes=False, recalcTimestamp=False).fonts
    font = next((face for face in faces if face["name"].getDebugName(6) == name), None)
    if font is None:
        raise Problem(f"{collection} has no face named {name}: not Debian's fonts-noto-cjk 1:20220127?")
    cff = DefaultTable("CFF ")
    cff.data = renamed_cff(font.reader["CFF "], name)
    font["CFF "] = cff
    table = font["name"]
    old_family = table.getDebugName(1)
    for record in table.names:
        if record.nameID in (1, 4):
            record.string = record.toUnicode().replace(old_family, family)
        elif record.nameID == 3:
            record.string = f"{record.toUnicode()};{family}"
    _atomic(output, font.save)


def renamed_cff(data: bytes, name: str) -> bytes:
    """The CFF table `data` with its font named `name` (NotoSerifCJKsc-Regular) instead of the JP name
    it was compiled under (NotoSerifCJKjp-Regular), in the Name INDEX and the String INDEX (FullName,
    FamilyName, FDArray FontNames): same-length replacements, so every offset stays valid."""
    data = bytearray(data)
    names = _index(data, data[2])  # the header's size is its third byte
    top = _index(data, names[-1][1])
    strings = _index(data, top[-1][1])
    start, end = names[0]
    old = bytes(data[start:end]).decode("ascii")
    region, new_region = old.split("CJK", 1)[1][:2], name.split("CJK", 1)[1][:2]
    if len(old) != len(name) or old.replace(f"CJK{region}", f"CJK{new_region}") != name:
        raise Problem(f"CFF font {old} cannot be renamed {name} in place")
    pairs = [(f"CJK{region}".encode(), f"CJK{new_region}".encode()),
             (f"CJK {region.upper()}".encode(), f"CJK {new_region.upper()}".encode())]
    for start, end in [names[0], *strings]:
        text = bytes(data[start:end])
        for before, after in pairs:
            text = text.replace(before, after)
        data[start:end] = text
    return bytes(data)


def _index(data: bytearray, at: int) -> list[tuple[int, int]]:
    """[(start, end)] of the objects of the CFF INDEX at `at`, then (end of the INDEX, end of it)."""
    (count,) = struct.unpack_from(">H", data, at)
    if count == 0:
        return [(at + 2, at + 2)]
    size = data[at + 2]
    offsets = [int.from_bytes(data[at + 3 + i * size:at + 3 + (i + 1) * size], "big")
               for i in range(count + 1)]
    base = at + 2 + (count + 1) * size  # offsets count from the byte before the data
    spans = [(base + offsets[i], base + offsets[i + 1]) for i in range(count)]
    return spans + [(base + offsets[-1], base + offsets[-1])]


if __name__ == "__main__":
    sys.exit(main())
