"""Chinese text printed in Simplified Chinese glyphs, whatever East Asian font or language a layout
declares (#12).

LibreOffice chooses a CJK glyph's form from the font and the text's East Asian language: a Word file
saved on a Japanese or English system (ＭＳ 明朝 theme fonts, `w:lang w:eastAsia="ja-JP"`) printed the
Japanese forms of 骨, 直, 今 … even in Noto Serif CJK SC, whose `locl` feature follows the language.
Before conversion the rendered document is therefore rewritten in memory: every East Asian font
slot names a Simplified Chinese face that is installed (a Song/Ming/Kai style face becomes SERIF, a
Hei/Gothic style one SANS), theme references for East Asian text are replaced by that face, and
every East Asian language becomes LANGUAGE. Latin and complex-script fonts and languages are kept,
except a Noto Serif/Sans CJK face named for them: it becomes SERIF/SANS, whose Latin glyphs are the same.
In an .xlsx, whose cells have one font name for all scripts and no language, only East Asian font
names are replaced.

The faces and the language are set here and nowhere else: an institute with licensed fonts
(SimSun, SimHei …) names them in SERIF and SANS. SERIF and SANS are the Simplified Chinese faces of
Debian's Noto CJK collections that `make setup` writes as fonts of their own (scripts/sc-fonts.py), so
that PDFs name them NotoSerifCJKsc-… and NotoSansCJKsc-…; without them, fonts/fonts.conf gives
LibreOffice the system's Noto Serif/Sans CJK SC (the same glyphs, named after the JP face).

Runs inside the render's bounded child (layouts.render_layout); a part that declares a DOCTYPE or
entities is refused.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile

from lxml import etree

from metrology.core.office_xml import XmlPartProblem, check_xml_part

SERIF = "Metrology Serif SC"  # scripts/sc-fonts.py FAMILIES
SANS = "Metrology Sans SC"
LANGUAGE = "zh-CN"

# Parts of a face's name (after NFKC and case folding) that make it a Hei/Gothic (sans) face; any other
# East Asian face is taken as Song/Ming (serif), the body face of Chinese documents.
SANS_MARKERS = ("sans", "gothic", "ゴシック", "hei", "黑", "黒", "雅黑", "yahei", "等线", "等線", "dengxian",
                "圆", "圓", "yuan", "meiryo", "メイリオ", "dotum", "돋움", "gulim", "굴림", "malgun", "맑은",
                "arial", "helvetica", "calibri", "verdana", "tahoma", "segoe")
# Romanised names of East Asian faces (an .xlsx keeps any other Latin-named font as it is).
EAST_ASIAN_NAMES = ("simsun", "nsimsun", "simhei", "simkai", "simfang", "fangsong", "kaiti",
                    "microsoft yahei", "microsoft jhenghei", "dengxian", "mingliu", "pmingliu", "ms mincho",
                    "ms pmincho", "ms gothic", "ms pgothic", "ms ui gothic", "yu mincho", "yu gothic",
                    "meiryo", "hiragino", "batang", "gulim", "dotum", "malgun gothic", "stsong", "stheiti",
                    "stkaiti", "stfangsong", "noto serif cjk", "noto sans cjk", "source han", "wenquanyi",
                    "ar pl")
CJK_START = 0x2E80  # from the CJK radicals on: kana, ideographs, Hangul
CJK_SCRIPTS = ("Hans", "Hant", "Jpan")  # theme script fonts used for Chinese characters (not Hang)
THEME_LANGUAGE_SCRIPT = {"ja": "Jpan", "zh-tw": "Hant", "zh-hk": "Hant", "zh-mo": "Hant", "zh": "Hans"}
XLSX_CHARSET_GB2312 = "134"
CJK_CHARSETS = ("128", "129", "130", "134", "136")  # Shift-JIS, Hangul, Johab, GB2312, Big5

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
THEME_FONTS = {f"{{{A}}}majorFont": "major", f"{{{A}}}minorFont": "minor"}
WORD_PARTS = ("word/",)
EXCEL_PARTS = ("xl/",)


class UnsafePart(ValueError):
    """A part of the rendered document declares a DOCTYPE or entities, or is not UTF-8/UTF-16."""


def w(name: str) -> str:
    return f"{{{W}}}{name}"


def east_asian_face(name: str | None) -> str:
    """The installed Simplified Chinese face that stands for the East Asian face `name`."""
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return SANS if any(marker in folded for marker in SANS_MARKERS) else SERIF


def is_east_asian_name(name: str | None) -> bool:
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return any(ord(ch) >= CJK_START for ch in folded) or any(known in folded for known in EAST_ASIAN_NAMES)


def in_simplified_chinese(data: bytes, fmt: str) -> bytes:
    """The rendered document `data` (.docx or .xlsx as `fmt`) with its Chinese text set to print in
    Simplified Chinese glyphs."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = source.infolist()
        parts = {m.filename: source.read(m) for m in members}
    if fmt == "docx":
        changed = _word_parts(parts)
    elif fmt == "xlsx":
        changed = _excel_parts(parts)
    else:
        raise ValueError(f"not a layout format: {fmt}")
    if not changed:
        return data
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in members:
            info = zipfile.ZipInfo(member.filename, date_time=member.date_time)
            info.compress_type = member.compress_type
            info.external_attr = member.external_attr
            target.writestr(info, changed.get(member.filename, parts[member.filename]))
    return out.getvalue()


# ---------------------------------------------------------------- parts


def _parse(name: str, data: bytes) -> etree._ElementTree:
    try:
        check_xml_part(data)
    except XmlPartProblem as problem:
        raise UnsafePart(f"{name}: {problem.code}") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.parse(io.BytesIO(data), parser)


def _serialise(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8",
                          standalone=tree.docinfo.standalone)


def _xml_parts(parts: dict[str, bytes], folders: tuple[str, ...]) -> list[str]:
    return [name for name in parts if name.startswith(folders) and name.endswith(".xml")]


def _word_parts(parts: dict[str, bytes]) -> dict[str, bytes]:
    trees = {name: _parse(name, parts[name]) for name in _xml_parts(parts, WORD_PARTS)}
    themes = _theme_faces(_first_theme(trees, "word/theme/"), _theme_script(_theme_language(trees)))
    changed = {}
    for name, tree in trees.items():
        root = tree.getroot()
        changes = _word_fonts(root, themes) + _word_languages(root) + _drawing_fonts(root, themes)
        if name == "word/styles.xml":
            changes += _word_defaults(root, themes)
        if changes:
            changed[name] = _serialise(tree)
    return changed


def _excel_parts(parts: dict[str, bytes]) -> dict[str, bytes]:
    trees = {name: _parse(name, parts[name]) for name in _xml_parts(parts, EXCEL_PARTS)}
    themes = _theme_faces(_first_theme(trees, "xl/theme/"), "Hans")
    changed = {}
    for name, tree in trees.items():
        if _excel_fonts(tree.getroot()) + _drawing_fonts(tree.getroot(), themes):
            changed[name] = _serialise(tree)
    return changed


# ---------------------------------------------------------------- themes


def _first_theme(trees: dict[str, etree._ElementTree], folder: str) -> etree._Element | None:
    return next((tree.getroot() for name, tree in sorted(trees.items()) if name.startswith(folder)), None)


def _theme_faces(theme: etree._Element | None, script: str) -> dict[str, str]:
    """{"major": face, "minor": face}: the Simplified Chinese face for each theme font of East Asian
    text, from the face Word would show (a:ea, else the theme's font for `script`)."""
    faces = {"major": SERIF, "minor": SERIF}
    for kind in faces:
        font = theme.find(f".//{{{A}}}{kind}Font") if theme is not None else None
        if font is None:
            continue
        ea = font.find(f"{{{A}}}ea")
        shown = ea.get("typeface") if ea is not None else ""
        if not shown:
            by_script = font.find(f"{{{A}}}font[@script='{script}']")
            shown = by_script.get("typeface") if by_script is not None else ""
        faces[kind] = east_asian_face(shown)
    return faces


def _theme_language(trees: dict[str, etree._ElementTree]) -> str:
    """The East Asian language whose script font Word shows for theme fonts (w:themeFontLang)."""
    settings = trees.get("word/settings.xml")
    found = settings.getroot().find(w("themeFontLang")) if settings is not None else None
    return (found.get(w("eastAsia")) or "") if found is not None else ""


def _theme_script(language: str) -> str:
    folded = language.casefold()
    for prefix, script in THEME_LANGUAGE_SCRIPT.items():
        if folded == prefix or folded.startswith(prefix + "-"):
            return script
    return "Hans"


# ---------------------------------------------------------------- Word


def noto_cjk_face(name: str | None) -> str | None:
    """SERIF or SANS for a Noto Serif or Sans CJK face of any region, else None."""
    folded = " ".join(unicodedata.normalize("NFKC", name or "").casefold().split())
    if folded.startswith("noto serif cjk"):
        return SERIF
    return SANS if folded.startswith("noto sans cjk") else None


def _noto_cjk_slots(element: etree._Element, attributes: tuple[str, ...]) -> int:
    """Latin or complex-script slots that name a Noto CJK face name SERIF/SANS. Returns the changes."""
    changes = 0
    for attribute in attributes:
        face = noto_cjk_face(element.get(attribute))
        if face is not None:
            element.set(attribute, face)
            changes += 1
    return changes


def _word_fonts(root: etree._Element, themes: dict[str, str]) -> int:
    changes = 0
    for fonts in root.iter(w("rFonts")):
        changes += _noto_cjk_slots(fonts, (w("ascii"), w("hAnsi"), w("cs")))
        theme = fonts.attrib.pop(w("eastAsiaTheme"), None)
        if theme is not None:
            face = themes["major" if theme.startswith("major") else "minor"]
        elif fonts.get(w("eastAsia")) is not None:
            face = east_asian_face(fonts.get(w("eastAsia")))
        else:
            continue
        if theme is not None or fonts.get(w("eastAsia")) != face:
            fonts.set(w("eastAsia"), face)
            changes += 1
    return changes


def _word_languages(root: etree._Element) -> int:
    changes = 0
    for language in root.iter(w("lang"), w("themeFontLang")):
        declared = language.get(w("eastAsia"))
        if declared != LANGUAGE and (declared is not None or language.tag == w("themeFontLang")):
            language.set(w("eastAsia"), LANGUAGE)
            changes += 1
    return changes


def _word_defaults(styles: etree._Element, themes: dict[str, str]) -> int:
    """The document's defaults name the face and the language, so text that declares neither gets them."""
    defaults = styles.find(w("docDefaults"))
    if defaults is None:
        defaults = etree.Element(w("docDefaults"))
        styles.insert(0, defaults)
    run_default = defaults.find(w("rPrDefault"))
    if run_default is None:
        run_default = etree.Element(w("rPrDefault"))
        defaults.insert(0, run_default)
    properties = run_default.find(w("rPr"))
    if properties is None:
        properties = etree.SubElement(run_default, w("rPr"))
    changes = 0
    fonts = properties.find(w("rFonts"))
    if fonts is None:
        fonts = etree.Element(w("rFonts"))
        style = properties.find(w("rStyle"))
        properties.insert(0 if style is None else 1, fonts)
    if fonts.get(w("eastAsia")) is None:
        fonts.set(w("eastAsia"), themes["minor"])
        changes += 1
    language = properties.find(w("lang"))
    if language is None:
        language = etree.Element(w("lang"))
        after = properties.find(w("eastAsianLayout"))
        if after is None:
            properties.append(language)
        else:
            after.addprevious(language)
    if language.get(w("eastAsia")) != LANGUAGE:
        language.set(w("eastAsia"), LANGUAGE)
        changes += 1
    return changes


# ---------------------------------------------------------------- DrawingML (themes, shapes, charts)


def _drawing_fonts(root: etree._Element, themes: dict[str, str]) -> int:
    """Theme fonts and text in shapes and charts: East Asian faces and languages. Returns the changes."""
    changes = 0
    for ea in root.iter(f"{{{A}}}ea"):
        typeface = ea.get("typeface") or ""
        if typeface.startswith("+"):  # "+mn-ea": a reference to the theme, rewritten there
            continue
        parent = ea.getparent()  # a theme's own East Asian font, or that of text in a shape or chart
        kind = THEME_FONTS.get(parent.tag) if parent is not None else None
        face = themes[kind] if kind else east_asian_face(typeface)
        if face != typeface:
            ea.set("typeface", face)
            changes += 1
    for font in root.iter(f"{{{A}}}font"):
        face = east_asian_face(font.get("typeface"))
        if font.get("script") in CJK_SCRIPTS and font.get("typeface") != face:
            font.set("typeface", face)
            changes += 1
    for element in root.iter(f"{{{A}}}latin", f"{{{A}}}cs"):
        changes += _noto_cjk_slots(element, ("typeface",))
    for element in root.iter(f"{{{A}}}rPr", f"{{{A}}}defRPr", f"{{{A}}}endParaRPr"):
        if element.get("altLang") not in (None, LANGUAGE):
            element.set("altLang", LANGUAGE)
            changes += 1
    return changes


# ---------------------------------------------------------------- Excel


def _excel_fonts(root: etree._Element) -> int:
    """Fonts of cell styles (<font><name/>) and of rich text (<rPr><rFont/>) with East Asian names."""
    changes = 0
    for tag, holder in ((f"{{{S}}}name", f"{{{S}}}font"), (f"{{{S}}}rFont", f"{{{S}}}rPr")):
        for name in root.iter(tag):
            parent = name.getparent()
            if parent is None or parent.tag != holder or not is_east_asian_name(name.get("val")):
                continue
            name.set("val", east_asian_face(name.get("val")))
            charset = parent.find(f"{{{S}}}charset")
            if charset is not None and charset.get("val") in CJK_CHARSETS:
                charset.set("val", XLSX_CHARSET_GB2312)
            changes += 1
    return changes
