"""Lint of an uploaded layout against a procedure: what it uses that does not exist (errors), and
what the procedure has that it does not use (notes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from jinja2 import TemplateSyntaxError

from metrology.core.plain_gettext import gettext as _
from metrology.doctype.formula import gettext_noop
from metrology.print_formats.analysis import LayoutReferences, Refusal, SyntaxProblem, analyse, syntax_problem
from metrology.print_formats.keys import DOCUMENT_KEYS, AvailableKeys
from metrology.print_formats.sandbox import ALLOWED_FILTERS, layout_environment

# What the author wrote and why it is refused, by kind of construct (print_formats/analysis.py).
REFUSALS = {
    "call": gettext_noop("Refused for safety: %(written)s calls a function or method; a layout may only show "
                         "values."),
    "item": gettext_noop("Refused for safety: %(written)s reads an item with square brackets; to show a grid's "
                         "rows, loop over the grid and write row.column."),
    "import": gettext_noop("Refused for safety: %(written)s brings in another template; a layout must hold "
                           "everything it shows."),
    "include": gettext_noop("Refused for safety: %(written)s brings in another template; a layout must hold "
                            "everything it shows."),
    "extends": gettext_noop("Refused for safety: %(written)s brings in another template; a layout must hold "
                            "everything it shows."),
    "macro": gettext_noop("Refused for safety: %(written)s defines or calls a macro; a layout may only show "
                          "values."),
    "attribute": gettext_noop("Refused for safety: %(written)s reads .%(named)s; a layout may read only the "
                              "columns of a grid row inside a loop over that grid, and loop.index and the like."),
    "filter": gettext_noop("Refused for safety: %(written)s uses the filter %(named)s; a layout may use only "
                           "these filters: %(allowed)s."),
    "private_name": gettext_noop("Refused for safety: the name %(written)s starts with an underscore, as only the "
                                 "system's own names do."),
}
SYNTAX_PROBLEMS = {
    "unclosed": gettext_noop("A block is never closed near “%(near)s”: every {%% for %%} needs its "
                             "{%% endfor %%} and every {%% if %%} its {%% endif %%}."),
    "unknown_tag": gettext_noop("The tag %(tag)s near “%(near)s” is not expected there: it is misspelt, or it "
                                "closes a block that is not open."),
    "unreadable": gettext_noop("A placeholder or tag cannot be read near “%(near)s”: check that each {{ is "
                               "closed by }} and each {%% by %%}."),
}


def refusal_text(refusal: Refusal) -> str:
    return _(REFUSALS[refusal.kind]) % {"written": refusal.written, "named": refusal.named,
                                        "allowed": ", ".join(ALLOWED_FILTERS)}


def syntax_text(problem: SyntaxProblem) -> str:
    return _(SYNTAX_PROBLEMS[problem.kind]) % {"near": problem.near, "tag": problem.tag}


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
            report.errors.append(syntax_text(syntax_problem(error, source)))
    report.errors.extend(refusal_text(refusal) for refusal in sorted(set(refs.refused)))
    report.errors.extend(_("Refused: %(expression)s could make the server work without bound (powers, repeated "
                           "text or lists, long literal lists, loops over anything but a grid or nested more "
                           "than two deep, set); a layout only shows values.") % {"expression": expression}
                         for expression in dict.fromkeys(refs.costly))
    for name in sorted(refs.names - keys.all_names()):
        kind = _("bookmark") if name in bookmarks else _("placeholder")
        report.errors.append(_("The %(kind)s %(name)s matches no field of the procedure.")
                             % {"kind": kind, "name": name})
    for grid, columns in sorted(refs.columns.items()):
        for column in sorted(columns - set(keys.columns_of(grid))):
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
