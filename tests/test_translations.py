"""UI text is English in the code and Simplified Chinese on screen: the catalogue must keep up."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib

PACKAGE = Path(__file__).resolve().parents[1] / "apps" / "metrology"
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MARKERS = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
TEMPLATE_STRING = re.compile(r"""{%\s*translate\s+(['"])(.+?)\1""")


def _python_msgids(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in MARKERS and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def source_msgids() -> dict[str, Path]:
    msgids: dict[str, Path] = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" not in path.parts and "testing" not in path.parts:
            msgids.update(dict.fromkeys(_python_msgids(path), path))
    for path in PACKAGE.rglob("*.html"):
        msgids.update({m.group(2): path for m in TEMPLATE_STRING.finditer(path.read_text(encoding="utf-8"))})
    return msgids


def test_every_ui_string_has_a_chinese_translation():
    catalogue = {entry.msgid: entry for entry in polib.pofile(str(PO))}
    missing = {msgid: str(path.relative_to(PACKAGE)) for msgid, path in source_msgids().items()
               if msgid not in catalogue or not catalogue[msgid].msgstr or "fuzzy" in catalogue[msgid].flags}
    assert not missing, f"run `make messages` and translate: {missing}"


def test_compiled_catalogue_matches_the_po_file():
    po = {e.msgid: e.msgstr for e in polib.pofile(str(PO)) if e.msgstr and not e.obsolete}
    mo = {e.msgid: e.msgstr for e in polib.mofile(str(PO.with_suffix(".mo"))) if e.msgid}
    assert mo == po, "django.mo is stale: run `make messages`"


# Our own model labels may word these differently from Django's auth/admin defaults on purpose.
OWN_WORDING = {"name", "active", "date joined", "object id", "version", "title", "Log out"}


def test_our_catalogue_does_not_reword_the_admins_own_buttons_and_links():
    import django.contrib.admin

    admin_po = Path(django.contrib.admin.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    admin = {e.msgid: e.msgstr for e in polib.pofile(str(admin_po)) if e.msgstr and not e.msgctxt}
    ours = {e.msgid: e.msgstr for e in polib.pofile(str(PO)) if e.msgstr}
    clashes = {k: (v, admin[k]) for k, v in ours.items() if k in admin and admin[k] != v and k not in OWN_WORDING}
    assert not clashes, f"use a msgid of our own for these: {clashes}"
