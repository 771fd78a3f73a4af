"""bench/issue/steps.py: the PDF toolkit's steps per document on this machine (#12).

Times, per document, the steps the issuance job runs after conversion — stamp (seal + QR code +
page numbers, pikepdf overlay), sign (PAdES B-B, RSA 3072, incremental) — and the void step
(watermark update + second signature), plus pyHanko validation; one process, one core. The
first call of each step is reported apart (it extracts/subsets the CJK font and warms caches).

Run: .venv/bin/python bench/issue/steps.py [--documents N] [--pages P] [--pdf FILE]
(the default document is a generated A4 text PDF; pass a converted certificate with --pdf).
The later bench/issue adds render and convert and runs on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "apps"))

import pikepdf  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

from metrology.certificates.pdf import Box, keys, sign, stamp, validate, void_watermark  # noqa: E402


def source_pdf(pages: int) -> bytes:
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    for number in range(1, pages + 1):
        page = pdf.add_blank_page(page_size=(595.28, 841.89))
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        lines = b" ".join(b"0 -16 Td (Line %d of the certificate text) Tj" % i for i in range(40))
        page.Contents = pdf.make_stream(b"BT /F1 11 Tf 72 780 Td " + lines + b" ET")
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def seal_png() -> bytes:
    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 390, 390), outline=(220, 0, 0, 255), width=16)
    draw.regular_polygon((200, 200, 80), 5, fill=(220, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--pdf", type=Path)
    args = parser.parse_args()
    source = args.pdf.read_bytes() if args.pdf else source_pdf(args.pages)
    seal = seal_png()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        key = keys.make_site_signing_key(Path(folder), "基准测试计量所")
        print(f"site key (RSA 3072 CA + signing certificate): {time.perf_counter() - started:.2f} s")

    def do_stamp(pdf, n):
        return stamp(pdf, seal_png=seal, seal_box=Box(140, 30, 40, 40),
                     qr_url=f"https://metrology.example/verify/{n:08d}", qr_box=Box(20, 20, 22, 22),
                     page_numbers=True)

    def do_sign(pdf, n):
        return sign(pdf, key=key, field_name="Issue", reason="签发", location="杭州", certify=False)

    def do_void(pdf, n):
        marked = void_watermark(pdf, reason=f"基准作废 {n}", voided_on=dt.date.today())
        return sign(marked, key=key, field_name="Void", reason="作废", location="杭州", certify=False)

    def do_validate(pdf, n):
        validate(pdf, key)
        return pdf

    times: dict[str, list[float]] = {"stamp": [], "sign": [], "void (watermark + sign)": [], "validate": []}
    first: dict[str, float] = {}
    for n in range(args.documents + 1):
        pdf = source
        for (name, step) in zip(times, (do_stamp, do_sign, do_void, do_validate), strict=True):
            started = time.perf_counter()
            out = step(pdf, n)
            elapsed = time.perf_counter() - started
            if n == 0:
                first[name] = elapsed
            else:
                times[name].append(elapsed)
            if name != "void (watermark + sign)":
                pdf = out
            else:
                voided = out
        if n == 0:
            print(f"sizes: source {len(source)} B, stamped+signed {len(pdf)} B, voided {len(voided)} B")
    print(f"{args.documents} documents of {args.pages if not args.pdf else 'given'} pages, one process:")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<24} first {first[name] * 1000:7.1f} ms   median {median * 1000:6.1f} ms   "
              f"p90 {sorted(values)[int(len(values) * 0.9) - 1] * 1000:6.1f} ms   {1 / median:6.1f} /s")
    issue = statistics.median(times["stamp"]) + statistics.median(times["sign"])
    print(f"  stamp + sign             median {issue * 1000:6.1f} ms   {1 / issue:6.1f} documents/s per core")


if __name__ == "__main__":
    main()
