"""bench/convert: DOCX → PDF of a small certificate-like document (Chinese text in a table), with the
warm LibreOffice (unoserver, one per process) and with a cold `soffice --headless --convert-to pdf`
per document (the fallback), in one run; prints times and their ratio.

Expected (TECH-NOTES §3): warm ≈ 0.12–0.2 s, cold ≈ 0.9–1.7 s per document.
Run: .venv/bin/python bench/convert/run.py   (needs LibreOffice; warm needs scripts/setup-uno.sh)
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "apps"))

from metrology.print_formats import converter  # noqa: E402

ROWS = [
    ("器具名称", "燃油加油机"), ("型号规格", "CS52-2220"), ("出厂编号", "2024-08-1173"),
    ("制造单位", "示范市加油设备有限公司"), ("委托单位", "示范市第三加油站"),
    ("检定依据", "JJG 443-2023《燃油加油机检定规程》"), ("检定结论", "合格"),
    ("检定日期", "2026年11月26日"), ("有效期至", "2027年11月25日"),
]
RESULTS = [("流量点", "示值误差/%", "重复性/%", "最大允许误差/%"),
           ("Qmax 60 L/min", "+0.12", "0.04", "±0.30"), ("Qmin 5 L/min", "-0.08", "0.05", "±0.30")]


def certificate_docx() -> bytes:
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = docx.Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "宋体", Pt(11)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    title = document.add_paragraph().add_run("检 定 证 书")
    title.bold, title.font.size = True, Pt(22)
    document.add_paragraph("证书编号：JD-2026-000123")
    info = document.add_table(rows=0, cols=2, style="Table Grid")
    for label, value in ROWS:
        cells = info.add_row().cells
        cells[0].text, cells[1].text = label, value
    document.add_paragraph("检定结果")
    results = document.add_table(rows=0, cols=4, style="Table Grid")
    for row in RESULTS:
        for cell, value in zip(results.add_row().cells, row):
            cell.text = value
    document.add_paragraph("检定员：张三　　核验员：李四　　批准人：王五")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def timed(fn: Callable[[], bytes]) -> float:
    start = time.perf_counter()
    pdf = fn()
    assert pdf.startswith(b"%PDF-")
    return time.perf_counter() - start


def main() -> None:
    data = certificate_docx()
    convert = lambda: converter.convert_to_pdf(data, suffix=".docx")  # noqa: E731

    converter.shutdown()
    os.environ[converter.UNO_PYTHON_ENV] = "/nonexistent/python"  # force the cold fallback
    cold_first = timed(convert)  # also creates this process's cold LibreOffice profile
    cold = statistics.median(timed(convert) for _ in range(3))
    del os.environ[converter.UNO_PYTHON_ENV]

    start_and_first = timed(convert)
    if converter.converter_status()["mode"] != "warm" or converter.warm_server_pid() is None:
        sys.exit(f"no warm converter: {converter.converter_status()['detail']}")
    warm = statistics.median(timed(convert) for _ in range(10))
    converter.shutdown()

    print(f"document: certificate-like .docx, {len(data) / 1024:.0f} KiB, Chinese text in two tables")
    print(f"warm (unoserver, per process):   {warm * 1000:6.0f} ms per document  (median of 10; "
          f"start + first document {start_and_first:.2f} s)")
    print(f"cold (soffice --convert-to pdf): {cold * 1000:6.0f} ms per document  (median of 3 fresh "
          f"processes; first with a new profile {cold_first:.2f} s)")
    print(f"ratio cold / warm:               {cold / warm:6.1f}×")


if __name__ == "__main__":
    main()
