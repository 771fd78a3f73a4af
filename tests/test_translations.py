"""UI text is English in the code and Simplified Chinese on screen: the catalogue must keep up.

Each check below is a function run over the real code and, in a test of its own, over a small bad
sample, so that none of them can pass by finding nothing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "apps" / "metrology"
PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MARKERS = {"_", "gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
TEMPLATE_STRING = re.compile(r"""{%\s*translate\s+(['"])(.+?)\1""")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _python_files() -> list[Path]:
    return [path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts and "testing" not in path.parts]


def _python_msgids(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in MARKERS and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
            if name.startswith("pgettext") and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                found.discard(node.args[0].value)  # the first argument is the context
                found.add(node.args[1].value)
    return found


def source_msgids() -> dict[str, Path]:
    msgids: dict[str, Path] = {}
    for path in _python_files():
        msgids.update(dict.fromkeys(_python_msgids(path), path))
    for path in PACKAGE.rglob("*.html"):
        msgids.update({m.group(2): path for m in TEMPLATE_STRING.finditer(path.read_text(encoding="utf-8"))})
    return msgids


def _catalogue() -> dict[str, polib.POEntry]:
    return {entry.msgid: entry for entry in polib.pofile(str(PO)) if not entry.obsolete}


def test_every_ui_string_has_a_chinese_translation():
    catalogue = _catalogue()
    missing = {msgid: str(path.relative_to(PACKAGE)) for msgid, path in source_msgids().items()
               if msgid not in catalogue or not catalogue[msgid].msgstr or "fuzzy" in catalogue[msgid].flags}
    assert not missing, f"run `make messages` and translate: {missing}"


def test_compiled_catalogue_matches_the_po_file():
    def translation(entry: polib.POEntry | polib.MOEntry):
        return entry.msgstr or tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items()))

    po = {(e.msgctxt, e.msgid): translation(e) for e in polib.pofile(str(PO))
          if translation(e) and not e.obsolete and "fuzzy" not in e.flags}
    mo = {(e.msgctxt, e.msgid): translation(e) for e in polib.mofile(str(PO.with_suffix(".mo"))) if e.msgid}
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


# --- English left untranslated in templates and Python -------------------------------------------------

ENGLISH_WORDS = re.compile(r"[A-Za-z][a-z]+(?: +[A-Za-z][a-z]*)+")
NOT_SHOWN_AS_TEXT = re.compile(
    r"(?s){%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}"
    r"|{%\s*blocktranslate\b.*?{%\s*endblocktranslate\s*%}"
    r"|<(script|style|code|pre|kbd)\b.*?</\1>")
TEMPLATE_CODE = re.compile(r"(?s){%.*?%}|{{.*?}}")
READ_ALOUD_ATTRIBUTE = re.compile(r"""\b(?:title|placeholder|aria-label|aria-description|alt)\s*=\s*(["'])(.*?)\1""")


def template_english(source: str) -> list[str]:
    """English words a template shows (text or an attribute read to people) without {% translate %}."""
    shown = TEMPLATE_CODE.sub(" ", NOT_SHOWN_AS_TEXT.sub(" ", source))
    found = [m.group(2) for m in READ_ALOUD_ATTRIBUTE.finditer(shown) if ENGLISH_WORDS.search(m.group(2))]
    text = re.sub(r"(?s)<[^>]*>", "\n", shown)
    return found + [line.strip() for line in text.splitlines() if ENGLISH_WORDS.search(line)]


def test_templates_show_no_english_outside_translate():
    found = {str(path.relative_to(PACKAGE)): english for path in sorted(PACKAGE.rglob("*.html"))
             if (english := template_english(path.read_text(encoding="utf-8")))}
    assert not found, f"wrap these in {{% translate %}}: {found}"


@pytest.mark.parametrize("template, english", [
    ("<p>No numbers issued yet.</p>", ["No numbers issued yet."]),
    ('<button title="Remove this row">✕</button>', ["Remove this row"]),
    ("<h2>{{ title }} Missing sequences</h2>", ["Missing sequences"]),
])
def test_the_template_check_finds_english_shown_without_translate(template, english):
    assert template_english(template) == english


@pytest.mark.parametrize("template", [
    "<p>{% translate 'No numbers issued yet.' %}</p>",
    '<button title="{% translate \'Remove this row\' %}">✕</button>',
    "{% blocktranslate count counter=n %}{{ counter }} change{% plural %}{{ counter }} changes{% endblocktranslate %}",
    "<code>{% templatetag openblock %}tr for r in runs{% templatetag closeblock %}</code>",
    '{% comment %}Django\'s page, in Chinese{% endcomment %}<div class="module aligned wide"></div>',
])
def test_the_template_check_leaves_translated_text_and_code_alone(template):
    assert template_english(template) == []


SHOWN_KEYWORDS = {"verbose_name", "verbose_name_plural", "help_text", "label", "description", "empty_label",
                  "empty_value_display"}
LOGGERS = {"logger", "log", "logging"}


def _untranslated(expression: ast.expr) -> bool:
    if isinstance(expression, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and ENGLISH_WORDS.search(v.value) for v in expression.values)
    return isinstance(expression, ast.Constant) and isinstance(expression.value, str) \
        and bool(ENGLISH_WORDS.search(expression.value))


def _shows_its_arguments(call: ast.Call) -> bool:
    """A refusal or message for people: ValidationError, an …Refused error, messages.error(…) and the like."""
    name = _callee(call)
    if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) \
            and call.func.value.id in LOGGERS:
        return False
    return name in {"ValidationError", "ApplicationError", "message_user", "add_error", "error", "warning",
                    "success", "info"} or name.endswith("Refused")


def python_english(source: str) -> list[str]:
    """English given to people in Python without gettext: labels, help texts, refusals, messages."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            found += [ast.unparse(k.value) for k in node.keywords if k.arg in SHOWN_KEYWORDS and _untranslated(k.value)]
            if _shows_its_arguments(node):
                found += [ast.unparse(a) for a in node.args[:2] if _untranslated(a)]
        elif isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in SHOWN_KEYWORDS
                                                  for t in node.targets) and _untranslated(node.value):
            found.append(ast.unparse(node.value))
    return found


def test_python_gives_people_no_untranslated_english():
    found = {str(path.relative_to(PACKAGE)): english for path in _python_files()
             if (english := python_english(path.read_text(encoding="utf-8")))}
    assert not found, f"mark these with gettext/gettext_lazy: {found}"


@pytest.mark.parametrize("source", [
    'raise NumberingRefused("An issued number is never deleted")',
    'name = models.CharField(verbose_name="item name", max_length=10)',
    'class Meta:\n    verbose_name_plural = "numbering schemes"',
    'messages.error(request, f"Could not save {name}")',
    'field = forms.CharField(help_text="Shown in the gap report")',
])
def test_the_python_check_finds_english_given_to_people(source):
    assert python_english(source)


@pytest.mark.parametrize("source", [
    'raise NumberingRefused(_("An issued number is never deleted"))',
    'logger.warning("database busy on %s", path)',
    'name = models.CharField(_("item name"), max_length=10)',
    'raise TypeError(f"regulation_update() cannot change {fields}")',
])
def test_the_python_check_leaves_translated_text_and_internal_errors_alone(source):
    assert python_english(source) == []


# --- Text in JavaScript ------------------------------------------------------------------------------
# UI text reaches the scripts through a JSON block of {% translate %} strings in the template (the
# designer reads `designer-text`); a literal in a script is code: a key, an event, a selector, a URL.

INTERPOLATION = "\x00"  # a ${…} of a template literal: a word of the text around it, as in `Saved ${n} rows`
WORD = rf"(?:[A-Za-z][a-z]*|{INTERPOLATION})"
TWO_WORDS = re.compile(rf"{WORD}(?: +{WORD})+")


def _reads_as_words(literal: str) -> bool:
    return any(re.search(r"[A-Za-z]{2,}", match.group()) for match in TWO_WORDS.finditer(literal))
SELECTOR_LIKE = re.compile(r"[#\[\]>]|(?:^|\s)\.[A-Za-z_-]")
CODE_CONTEXT = re.compile(
    r"(?:querySelector(?:All)?|closest|matches|classList\.\w+|getElementsByClassName)\(\s*$"
    r"|\b(?:class|className)\s*[:=]\s*$|setAttribute\(\s*[\"']class[\"']\s*,\s*$")
REGEX_MAY_FOLLOW = set("(,=:[!&|?{};+-*%<>~^") | {""}


def _skip_quoted(source: str, start: int, quote: str) -> int:
    """The index after the literal starting at `start`, a quote character."""
    i = start + 1
    while i < len(source) and source[i] != quote:
        i += 2 if source[i] == "\\" else 1
    return i + 1


def _skip_template(source: str, start: int) -> tuple[int, list[str]]:
    """A template literal: the index after it and its text parts (the ${…} parts left out)."""
    parts, text, i = [], [], start + 1
    while i < len(source) and source[i] != "`":
        if source[i] == "\\":
            text.append(source[i:i + 2])
            i += 2
        elif source.startswith("${", i):
            parts.append("".join(text))
            text, depth, i = [], 1, i + 2
            while i < len(source) and depth:
                if source[i] in "\"'":
                    i = _skip_quoted(source, i, source[i])
                    continue
                if source[i] == "`":
                    i, inner = _skip_template(source, i)
                    parts.extend(inner)
                    continue
                depth += {"{": 1, "}": -1}.get(source[i], 0)
                i += 1
        else:
            text.append(source[i])
            i += 1
    parts.append("".join(text))
    return i + 1, parts


def _skip_regex(source: str, start: int) -> int:
    i, in_class = start + 1, False
    while i < len(source) and source[i] != "\n":
        char = source[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            in_class = True
        elif char == "]":
            in_class = False
        elif char == "/" and not in_class:
            break
        i += 1
    i += 1
    while i < len(source) and source[i].isalpha():
        i += 1
    return i


def javascript_string_literals(source: str) -> list[tuple[str, str]]:
    """Every string and template literal of a script with the code just before it; comments and
    regular expressions are skipped."""
    found, i, last = [], 0, ""
    while i < len(source):
        char = source[i]
        if source.startswith("//", i):
            i = source.find("\n", i) % (len(source) + 1) if "\n" in source[i:] else len(source)
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = len(source) if end < 0 else end + 2
        elif char in "\"'":
            end = _skip_quoted(source, i, char)
            found.append((source[i + 1:end - 1], source[max(0, i - 60):i]))
            i, last = end, char
        elif char == "`":
            end, parts = _skip_template(source, i)
            found.append((INTERPOLATION.join(parts), source[max(0, i - 60):i]))
            i, last = end, char
        elif char == "/" and (last in REGEX_MAY_FOLLOW or re.search(r"\b(?:return|typeof|case)\s*$", source[:i])):
            i, last = _skip_regex(source, i), "/"
        else:
            if not char.isspace():
                last = char
            i += 1
    return found


def javascript_ui_text(source: str) -> list[str]:
    """Literals that are text for people: any Chinese, or two or more English words not used as code."""
    text = []
    for literal, before in javascript_string_literals(source):
        if HAN.search(literal):
            text.append(literal)
        elif _reads_as_words(literal) and not SELECTOR_LIKE.search(literal) and not CODE_CONTEXT.search(before):
            text.append(literal)
    return text


def test_javascript_holds_no_text_for_people():
    scripts = sorted(PACKAGE.rglob("*.js"))  # every app's static scripts and script templates
    assert scripts, "no scripts found: the check would check nothing"
    found = {str(path.relative_to(PACKAGE)): text for path in scripts
             if (text := javascript_ui_text(path.read_text(encoding="utf-8")))}
    assert not found, f"put UI text in the template's JSON block of {{% translate %}} strings: {found}"


@pytest.mark.parametrize("script, text", [
    ('button.textContent = "Add a column";', "Add a column"),
    ("alert('保存失败');", "保存失败"),
    ("const note = `Saved ${count} rows`;", "Saved \x00 rows"),
    ("const note = `${count} rows`;", "\x00 rows"),
    ('el("p", {}, "Nothing to show here")', "Nothing to show here"),
])
def test_the_javascript_check_finds_english_and_chinese_text(script, text):
    assert text in javascript_ui_text(script)


@pytest.mark.parametrize("script", [
    'document.querySelectorAll("#fields tr input")',
    'el("span", {class: "row actions"})',
    'node.classList.add("grid column")',
    'input.addEventListener("input", update); fetch("/desk/doctype/check/", {method: "POST"})',
    'const split = value.split(/[,，;；] "x y"/); // Add a column here',
    "/* A comment with words in it */ const key = 'test_cases';",
    'const label = T.addColumn + ": " + T.rows;',
    "const path = `f:${grid.key}:${field.key}`, key = `col${n}`, both = `${a} ${b}`;",
])
def test_the_javascript_check_leaves_code_alone(script):
    assert javascript_ui_text(script) == []


# --- Engine messages -----------------------------------------------------------------------------------
# Engine code works without Django, so its messages are templates marked with gettext_noop and
# translated when shown (doctype/messages.py). Every callable taking a `code` and a `template`
# (FormulaError, Problem, Invalid, WorkbookProblem …), and every helper passing its own `template`
# on to one of them, is a message maker: a literal template given to it must be in the catalogue.


def _parameters(node: ast.FunctionDef) -> list[str]:
    return [a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs]


Makers = dict[str, set[int]]  # a maker's name → where `template` is among its positional arguments


def _own_makers(tree: ast.Module, known: Makers) -> Makers:
    """The message makers a module defines: classes taking `code` and `template`, and functions
    that pass their own `template` on to a maker."""
    found: Makers = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    names = _parameters(item)[1:]
                    if {"code", "template"} <= set(names):
                        found[node.name] = {names.index("template")}
            fields = [s.target.id for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
            if fields[:2] == ["code", "template"]:
                found[node.name] = {1}
        elif isinstance(node, ast.FunctionDef) and "template" in _parameters(node):
            visible = {**known, **found}
            if any(_passes_template_on(call, visible) for call in ast.walk(node) if isinstance(call, ast.Call)):
                names = [n for n in _parameters(node) if n not in ("self", "cls")]
                found[node.name] = {names.index("template")}
    return found


def _message_makers(trees: list[ast.Module]) -> list[Makers]:
    """For each module, the makers it can call: its own first, then those of every other module."""
    own: list[Makers] = [{} for _ in trees]
    changed = True
    while changed:
        everywhere: Makers = {}
        for makers in own:
            for name, positions in makers.items():
                everywhere.setdefault(name, set()).update(positions)
        changed = False
        for index, tree in enumerate(trees):
            found = _own_makers(tree, {**everywhere, **own[index]})
            if found != own[index]:
                own[index], changed = found, True
    return [{**everywhere, **makers} for makers in own]


def _callee(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else getattr(call.func, "attr", "")


def _template_arguments(call: ast.Call, makers: Makers) -> list[ast.expr]:
    name = _callee(call)
    if name not in makers:
        return []
    for keyword in call.keywords:
        if keyword.arg == "template":
            return [keyword.value]
    return [call.args[position] for position in makers[name] if len(call.args) > position]


def _passes_template_on(call: ast.Call, makers: Makers) -> bool:
    return any(isinstance(argument, ast.Name) and argument.id == "template"
               for argument in _template_arguments(call, makers))


def _literals(expression: ast.expr) -> list[ast.expr]:
    """The literal templates an argument can be: itself, gettext_noop(…), or either side of an `if`."""
    if isinstance(expression, ast.IfExp):
        return _literals(expression.body) + _literals(expression.orelse)
    if isinstance(expression, ast.Call) and _callee(expression) in MARKERS and expression.args:
        return _literals(expression.args[0])
    if isinstance(expression, (ast.Constant, ast.JoinedStr)):
        return [expression]
    return []


def engine_message_templates(sources: list[str]) -> tuple[set[str], list[str]]:
    """The message templates in these sources, and the templates that can never be translated
    (an f-string given as a template)."""
    trees = [ast.parse(source) for source in sources]
    templates, untranslatable = set(), []
    for tree, makers in zip(trees, _message_makers(trees)):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            if _callee(node) == "gettext_noop" and node.args and isinstance(node.args[0], ast.Constant):
                templates.add(node.args[0].value)
            for literal in (lit for argument in _template_arguments(node, makers) for lit in _literals(argument)):
                if isinstance(literal, ast.JoinedStr):
                    untranslatable.append(ast.unparse(literal))
                elif isinstance(literal.value, str) and literal.value:  # "" stands for no message at all
                    templates.add(literal.value)
    return templates, untranslatable


def untranslated_templates(templates: set[str], catalogue: dict[str, polib.POEntry]) -> list[str]:
    return sorted(t for t in templates if t not in catalogue or "fuzzy" in catalogue[t].flags
                  or not HAN.search(catalogue[t].msgstr))


def test_every_engine_message_template_has_a_chinese_translation():
    sources = [path.read_text(encoding="utf-8") for path in _python_files()]
    templates, untranslatable = engine_message_templates(sources)
    assert len(templates) > 100, "the engine's templates were not found: the check would check nothing"
    assert not untranslatable, f"a template must be a literal marked with gettext_noop: {untranslatable}"
    missing = untranslated_templates(templates, _catalogue())
    assert not missing, f"run `make messages` and translate: {missing}"


def test_the_engine_message_check_finds_templates_outside_the_catalogue():
    sample = '''
class FormulaError(Exception):
    def __init__(self, code, template, **params): ...

def _bad(table, template, **params):
    return FormulaError("table", template, table=table, **params)

def check(x):
    if x:
        raise FormulaError("syntax", "Nothing here is translated")
    raise _bad("t", gettext_noop("Marked but not in the catalogue"))

def run(name):
    raise FormulaError("name", f"Unknown name {name}")
'''
    templates, untranslatable = engine_message_templates([sample])
    assert {"Nothing here is translated", "Marked but not in the catalogue"} <= templates
    assert untranslatable == ['f\'Unknown name {name}\'']
    assert untranslated_templates(templates, _catalogue()) == sorted(templates)


# --- Model and field names ----------------------------------------------------------------------------


def _label_problems(model) -> list[str]:
    problems = [f"{model.__name__}: {str(name)!r}" for name in (model._meta.verbose_name,
                                                               model._meta.verbose_name_plural)
                if not HAN.search(str(name))]
    for field in model._meta.get_fields():
        if field.auto_created and not getattr(field, "primary_key", False) or not hasattr(field, "verbose_name"):
            continue  # reverse relations and Django's own implicit id are named by their models
        if getattr(field, "auto_created", False) and field.name == "id":
            continue
        if not HAN.search(str(field.verbose_name)):
            problems.append(f"{model.__name__}.{field.name}: {str(field.verbose_name)!r}")
        if field.help_text and not HAN.search(str(field.help_text)):
            problems.append(f"{model.__name__}.{field.name} help: {str(field.help_text)!r}")
    return problems


def untranslated_model_labels(models) -> list[str]:
    from django.utils import translation

    with translation.override("zh-hans"):
        return [problem for model in models for problem in _label_problems(model)]


def test_every_model_and_every_field_has_a_translated_name():
    from django.apps import apps

    ours = [model for model in apps.get_models() if model.__module__.startswith("metrology.")]
    assert len(ours) > 10
    problems = untranslated_model_labels(ours)
    assert not problems, f"give these a gettext_lazy verbose_name (and help_text): {problems}"


def test_the_model_name_check_finds_a_field_without_a_translated_name():
    from django.db import models
    from django.utils.translation import gettext_lazy as _

    named = models.CharField(_("role name"), max_length=10)
    named.name = "name"
    bare = models.CharField(max_length=10)
    bare.set_attributes_from_name("reference_code")
    helpless = models.CharField(_("role name"), max_length=10, help_text="Only in English")
    helpless.name = "other"
    meta = SimpleNamespace(verbose_name="sample", verbose_name_plural=_("roles"),
                           get_fields=lambda: [named, bare, helpless])
    sample = type("Sample", (), {"_meta": meta})
    assert untranslated_model_labels([sample]) == [
        "Sample: 'sample'", "Sample.reference_code: 'reference code'", "Sample.other help: 'Only in English'"]


# --- Form of address and punctuation -------------------------------------------------------------------

CJK = r"[\u3400-\u4dbf\u4e00-\u9fff]"
# ASCII ,;: next to Chinese, and brackets around Chinese unless they are a call in a formula: SUM(示值)
ASCII_PUNCTUATION_IN_CHINESE = re.compile(rf"{CJK} ?[,;:]|[,;:] ?{CJK}|{CJK}\(|\){CJK}|(?<![A-Za-z0-9_])\({CJK}")


def _msgstrs(entry: polib.POEntry) -> list[str]:
    return [entry.msgstr, *entry.msgstr_plural.values()]


def informal_address(entries) -> list[str]:
    return [entry.msgid for entry in entries if any("你" in text for text in _msgstrs(entry))]


def ascii_punctuation_in_chinese(entries) -> list[str]:
    return [entry.msgid for entry in entries
            if any(ASCII_PUNCTUATION_IN_CHINESE.search(text) for text in _msgstrs(entry))]


def test_the_catalogue_addresses_the_reader_as_nin():
    found = informal_address(polib.pofile(str(PO)))
    assert not found, f"address the reader as 您, never 你: {found}"


def test_chinese_translations_use_chinese_punctuation():
    found = ascii_punctuation_in_chinese(polib.pofile(str(PO)))
    assert not found, f"use ，；：（） in Chinese text: {found}"


@pytest.mark.parametrize("msgstr, informal, ascii_punctuation", [
    ("请你稍后重试。", True, False),
    ("编号,名称", False, True),
    ("原因: %(reason)s", False, True),
    ("文件大小(字节)", False, True),
    ("%(name)s (未核对)", False, True),
    ("%(name)s（未核对）", False, False),
    ("SUM(示值误差) 的结果", False, False),
    ("请您稍后重试，谢谢。", False, False),
    ("例如 (a+)+，请简化", False, False),
    ('LOOKUP 的第一个参数必须是文本形式的表名，例如 LOOKUP("表名", key)', False, False),
])
def test_the_address_and_punctuation_checks_tell_good_chinese_from_bad(msgstr, informal, ascii_punctuation):
    entry = polib.POEntry(msgid="sample", msgstr=msgstr)
    assert bool(informal_address([entry])) is informal
    assert bool(ascii_punctuation_in_chinese([entry])) is ascii_punctuation
