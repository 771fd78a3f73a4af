"""One entry for both layout formats: open (with the upload checks), lint, render."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from metrology.core.errors import ApplicationError
from metrology.core.office_files import UnsafeFile
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


def render_layout(layout, context: dict[str, Any], images: dict[str, bytes] | None = None) -> bytes:
    if hasattr(layout, "template"):
        return render_word(layout, context, images or {})
    return render_excel(layout, context)
