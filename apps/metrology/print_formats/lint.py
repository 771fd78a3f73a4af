"""Lint of an uploaded layout against a procedure: what it uses that does not exist (errors), and
what the procedure has that it does not use (notes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from jinja2 import TemplateSyntaxError

from metrology.core.plain_gettext import gettext as _
from metrology.print_formats.analysis import LayoutReferences, analyse, syntax_error_text
from metrology.print_formats.keys import DOCUMENT_KEYS, AvailableKeys
from metrology.print_formats.sandbox import layout_environment


@dataclass
class LintReport:
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, list[str]]:
        return {"errors": self.errors, "notes": self.notes}


def lint(sources: list[str], bookmarks: list[str], keys: AvailableKeys, *, spanning: list[str] = (),
         dangerous: list[str] = ()) -> LintReport:
    report, refs, env = LintReport(), LayoutReferences(), layout_environment()
    for source in sources:
        try:
            analyse(env, source, refs)
        except TemplateSyntaxError as error:
            report.errors.append(_("A placeholder or tag cannot be read: %(error)s") % {
                "error": syntax_error_text(error, source)})
    for construct in sorted(set(refs.refused)):
        report.errors.append(_("Refused for safety: a layout may only show values, not use %(what)s.")
                             % {"what": construct})
    report.errors.extend(_("Refused: %(expression)s could make the server work without bound (powers, repeated "
                           "text or lists, long literal lists, loops over anything but a grid or nested more "
                           "than two deep, set); a layout only shows values.") % {"expression": expression}
                         for expression in dict.fromkeys(refs.costly))
    for name in sorted(refs.names - keys.all_names()):
        kind = _("bookmark") if name in bookmarks else _("placeholder")
        report.errors.append(_("The %(kind)s %(name)s matches no field of the procedure.")
                             % {"kind": kind, "name": name})
    for grid, columns in sorted(refs.columns.items()):
        for column in sorted(columns - set(keys.grids.get(grid, {}))):
            report.errors.append(_("%(grid)s has no column %(column)s.") % {"grid": grid, "column": column})
    report.errors.extend(_("The bookmark %(name)s spans several paragraphs; keep a bookmark within one "
                           "paragraph.") % {"name": name} for name in spanning)
    report.errors.extend(_("The field code %(code)s is refused: it reads other files or links.")
                         % {"code": code} for code in dangerous)
    used = refs.names | set(refs.columns)
    report.notes.extend(_("%(name)s is not used by the layout.") % {"name": name}
                        for name in sorted(keys.all_names() - used - set(DOCUMENT_KEYS))
                        if name not in ("document_kind",))
    return report
