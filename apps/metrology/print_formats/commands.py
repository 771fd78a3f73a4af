"""`metrology render LAYOUT PROCEDURE VALUES.json -o OUT` for layout authors and tests.

A procedure file is rendered without Django, its 检定依据 from the file's own citation; a stored
CODE[@N] is rendered with the site, its 检定依据 from the regulation library (R-4.2.3.7). One
document to PDF uses a cold `soffice`: it is ready sooner than a warm converter would be (issue 7).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from metrology.doctype.commands import (
    EXIT_BAD_INPUT,
    procedure_is_file,
    read_values,
    resolve_procedure,
    user_error_lines,
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    render = commands.add_parser("render", help="用版式生成文档 / render a layout with a record's values")
    render.add_argument("layout", help="版式文件 / the layout (.docx or .xlsx)")
    render.add_argument("procedure", help="规程文件或已存版本 / a procedure file or a stored CODE[@N]")
    render.add_argument("values", help="录入值 JSON（可含 document 部分）/ values JSON, optionally with a "
                                       "\"document\" object of document fields (证书编号 …)")
    render.add_argument("-o", "--output", required=True, help="输出 / output: .docx, .xlsx or .pdf")


def _fail(lines: list[str]) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    return EXIT_BAD_INPUT


def cmd_render(args: argparse.Namespace, *, stored_version) -> int:
    from metrology.doctype.engine import compute
    from metrology.print_formats.context import layout_context
    from metrology.print_formats.layouts import LayoutRefused, checked_layout, layout_format, render_layout

    layout_path, output = Path(args.layout), Path(args.output)
    try:
        fmt = layout_format(layout_path.name)
        if output.suffix.lower() not in (f".{fmt}", ".pdf"):
            return _fail([f"-o {output.name}: a .{fmt} layout renders to .{fmt} or .pdf (输出格式不符)"])
        definition = resolve_procedure(args.procedure, stored_version)
        inputs, document = read_values(args.values)
        if not procedure_is_file(args.procedure):
            from metrology.print_formats.services import library_basis

            document.setdefault("检定依据", library_basis(definition))
        result = compute(definition, inputs).to_json()
        layout, _report = checked_layout(layout_path.read_bytes(), fmt, definition)
        rendered = render_layout(layout, layout_context(definition, result, document))
        if output.suffix.lower() == ".pdf":
            from metrology.print_formats.converter import convert_to_pdf

            rendered = convert_to_pdf(rendered, suffix=f".{fmt}", one_off=True)
    except LayoutRefused as error:
        return _fail([error.message, *error.report.errors])
    except Exception as error:  # noqa: BLE001 — user errors get their message; the rest propagates
        lines = user_error_lines(error)
        if lines is None:
            raise
        return _fail(lines)
    output.write_bytes(rendered)
    return 0
