"""One entry for both layout formats: open (with the upload checks), lint, render."""

from __future__ import annotations

from typing import Any

from metrology.core.errors import ApplicationError
from metrology.core.office_files import UnsafeFile
from metrology.core.plain_gettext import gettext as _
from metrology.print_formats import bounded
from metrology.print_formats.east_asian import in_simplified_chinese
from metrology.print_formats.excel import open_excel_layout, render_excel
from metrology.print_formats.keys import available_keys
from metrology.print_formats.lint import LintReport, lint
from metrology.print_formats.word import open_word_layout, render_word

FORMATS = ("docx", "xlsx")


class LayoutRefused(ApplicationError):
    def __init__(self, message: str, report: LintReport | None = None):
        super().__init__(message)
        self.report = report or LintReport()


def layout_format(filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix in ("docm", "xlsm", "dotm"):
        raise LayoutRefused(_("Files with macros (.docm, .xlsm) are refused; save the file without macros."))
    if suffix not in FORMATS:
        raise LayoutRefused(_("A layout must be a Word (.docx) or Excel (.xlsx) file, not .%(suffix)s.")
                            % {"suffix": suffix or "?"})
    return suffix


def open_layout(data: bytes, fmt: str):
    return open_word_layout(data) if fmt == "docx" else open_excel_layout(data)


def lint_layout(layout, procedure: dict[str, Any]) -> LintReport:
    keys = available_keys(procedure)
    if hasattr(layout, "template"):
        return lint(layout.sources, layout.bookmarks, keys, spanning=layout.spanning_bookmarks,
                    dangerous=layout.dangerous)
    names = [name for name in layout.names if name.isidentifier()]
    return lint(layout.sources + ["{{ %s }}" % name for name in names], names, keys)


def checked_layout(data: bytes, fmt: str, procedure: dict[str, Any]):
    """Open and lint; refuse with the whole report when it has errors."""
    try:
        layout = open_layout(data, fmt)
    except UnsafeFile as error:
        raise LayoutRefused(error.message) from error
    report = lint_layout(layout, procedure)
    if not report.ok:
        raise LayoutRefused(_("The layout has %(count)d problem(s).") % {"count": len(report.errors)}, report)
    return layout, report


class LayoutRenderRefused(LayoutRefused):
    """The render failed or hit the worker's time or memory limit (#8)."""


def render_layout(layout, context: dict[str, Any], images: dict[str, bytes] | None = None) -> bytes:
    """The filled document, rendered in a child process under CPU, memory and wall-clock limits, its
    Chinese text set to print in Simplified Chinese glyphs (east_asian.py, #12)."""
    if hasattr(layout, "template"):
        work = lambda: in_simplified_chinese(render_word(layout, context, images or {}), "docx")  # noqa: E731
    else:
        work = lambda: in_simplified_chinese(render_excel(layout, context), "xlsx")  # noqa: E731
    try:
        return bounded.run_bounded(work)
    except bounded.RenderStopped as stopped:
        raise LayoutRenderRefused(_render_stopped_message(stopped.reason)) from None
    except bounded.RenderFailed as failed:
        raise LayoutRenderRefused(_render_failed_message(failed)) from None


def _render_stopped_message(reason: str) -> str:
    limits = bounded.current_limits()
    if reason == "memory":
        return _("Rendering the layout exceeded the memory limit (%(limit)d MiB) and was stopped; check the "
                 "layout's loops and expressions.") % {"limit": limits.memory_bytes // 2**20}
    return _("Rendering the layout exceeded the time limit (%(seconds)d s of CPU time) and was stopped; check "
             "the layout's loops and expressions.") % {"seconds": limits.cpu_seconds}


def _render_failed_message(failed: bounded.RenderFailed) -> str:
    if failed.kind == "RenderLimitExceeded":
        return _("Rendering the layout exceeded a limit: %(expression)s makes a result too large.") % {
            "expression": failed.expression or failed.detail}
    return _("The layout could not be rendered: %(error)s") % {"error": failed.detail}
