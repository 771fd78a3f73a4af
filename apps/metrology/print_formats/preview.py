"""A layout rendered with its procedure's first test case, as the PDF the author will get."""

from __future__ import annotations

from metrology.doctype.engine import compute
from metrology.print_formats.context import layout_context
from metrology.print_formats.converter import convert_to_pdf
from metrology.print_formats.layouts import checked_layout, render_layout
from metrology.print_formats.models import LayoutVersion
from metrology.print_formats.services import library_basis, procedure_definition

SAMPLE_DOCUMENT = {"证书编号": "（证书编号）", "原始记录编号": "（原始记录编号）", "通知书编号": "（通知书编号）"}


def preview_pdf(version: LayoutVersion) -> bytes:
    definition = procedure_definition(version.layout.procedure)
    cases = definition.get("test_cases") or []
    inputs = cases[0]["inputs"] if cases else {}
    result = compute(definition, inputs).to_json()
    with version.file.open("rb") as handle:
        layout, _report = checked_layout(handle.read(), version.format, definition)
    document = {**SAMPLE_DOCUMENT, "检定依据": library_basis(definition)}
    rendered = render_layout(layout, layout_context(definition, result, document))
    return convert_to_pdf(rendered, suffix=f".{version.format}")
