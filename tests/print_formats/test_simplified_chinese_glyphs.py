"""Chinese text prints in Simplified Chinese glyphs whatever East Asian font or language a layout
declares (#12): a Word layout saved on a Japanese system (ＭＳ 明朝 and 等线 theme fonts, 宋体 and
等线 in styles, runs and the header, `w:lang w:eastAsia="ja-JP"`) and an Excel layout in Japanese
fonts, rendered and converted to PDF the way the platform prints them.

`pdffonts` names the fonts the PDF embeds: the Song/Ming faces must come out as NotoSerifCJKsc-… and
the Hei/Gothic ones as NotoSansCJKsc-…, and no CJK font as JP. The Debian Noto CJK collections (.ttc)
share one CFF table between their SC, TC, JP, KR and HK faces, named after the JP face, so LibreOffice
embedded their SC face as NotoSerifCJKjp-…: the converter prints with the SC faces that `make setup`
writes as fonts of their own (scripts/sc-fonts.py). Which forms were printed is also read from the
glyphs embedded (CIDs), against the SC and JP faces' own character maps: 骨 is cid45042 in Serif SC
and cid45041 in Serif JP.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from metrology.doctype.engine import compute
from metrology.print_formats import converter, east_asian
from metrology.print_formats.context import layout_context
from metrology.print_formats.converter import convert_to_pdf
from metrology.print_formats.east_asian import in_simplified_chinese
from metrology.print_formats.excel import render_excel
from metrology.print_formats.layouts import checked_layout, render_layout
from metrology.print_formats.word import render_word

REPO = Path(__file__).resolve().parents[2]
PACK = json.loads((REPO / "apps/metrology/packs/jjg443_fuel_dispenser.json").read_text(encoding="utf-8"))
CERTIFICATE = REPO / "tests" / "data" / "templates" / "certificate_jjg443.docx"
REQUIRED_TOOLS = {"soffice": "LibreOffice (libreoffice-writer-nogui libreoffice-calc-nogui)",
                  "pdffonts": "poppler-utils", "pdftoppm": "poppler-utils", "pdftotext": "poppler-utils",
                  "fc-match": "fontconfig"}
A = "http://schemas.openxmlformats.org/drawingml/2006/main"

SERIF_TEXT = "骨直今"    # printed in Song/Ming faces; each has different SC and JP forms
SANS_TEXT = "角写画海"   # printed in Hei/Gothic faces
JAPANESE_SERIF = "ＭＳ 明朝"
JAPANESE_SANS = "ＭＳ Ｐゴシック"


@pytest.fixture(scope="module", autouse=True)
def required_tools() -> None:
    """A missing converter or font tool fails these tests, never skips them (#7)."""
    missing = sorted({package for tool, package in REQUIRED_TOOLS.items() if shutil.which(tool) is None})
    if missing:
        pytest.fail(f"not installed: {', '.join(missing)} - run scripts/system-packages.sh test",
                    pytrace=False)
    if converter.missing_sc_fonts():
        pytest.fail(f"not in {converter.SC_FONTS_DIR}: {', '.join(converter.missing_sc_fonts())}"
                    " - run `make setup` (scripts/sc-fonts.py)", pytrace=False)


@pytest.fixture(scope="module")
def cids() -> dict[tuple[str, str], dict[str, int]]:
    """{(style, region): {character: CID}} from the installed Noto CJK faces."""
    from fontTools.ttLib import TTFont

    maps = {}
    for style in ("Serif", "Sans"):
        for region in ("SC", "JP"):
            family = f"Noto {style} CJK {region}"
            found = subprocess.run(["fc-match", "-f", "%{family}\t%{file}\t%{index}", family],
                                   capture_output=True, text=True, check=True).stdout.split("\t")
            assert family in found[0].split(","), f"{family} is not installed (fonts-noto-cjk): {found}"
            cmap = TTFont(found[1], fontNumber=int(found[2]), lazy=True).getBestCmap()
            maps[(style, region)] = {ch: _cid(cmap[ord(ch)]) for ch in SERIF_TEXT + SANS_TEXT}
    for style in ("Serif", "Sans"):  # else the test could not tell the forms apart
        assert all(maps[(style, "SC")][ch] != maps[(style, "JP")][ch] for ch in SERIF_TEXT + SANS_TEXT)
    return maps


def _cid(glyph_name: str) -> int | None:
    """The CID of a glyph named "cid09789" (fontTools) or "cid9789" (LibreOffice's Type 1 subset)."""
    found = re.fullmatch(r"cid0*(\d+)", glyph_name)
    return int(found.group(1)) if found else None


def _context() -> dict:
    result = compute(PACK, PACK["test_cases"][0]["inputs"]).to_json()
    return layout_context(PACK, result, {"证书编号": "JD-12"})


# ---------------------------------------------------------------- layouts as a Japanese system saves them


def _east_asian_run(paragraph, text: str, *, font: str | None = None, theme: str | None = None,
                    language: str = "ja-JP"):
    run = paragraph.add_run(text)
    properties = run._element.get_or_add_rPr()
    fonts = OxmlElement("w:rFonts")
    fonts.set(qn("w:ascii"), "Times New Roman")
    fonts.set(qn("w:hAnsi"), "Times New Roman")
    if font:
        fonts.set(qn("w:eastAsia"), font)
    if theme:
        fonts.set(qn("w:eastAsiaTheme"), theme)
    properties.insert(0, fonts)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), language)
    properties.append(lang)
    return run


def _japanese_word_layout() -> bytes:
    """Theme: East Asian minor font ＭＳ 明朝, major 等线; defaults ja-JP; a style in 宋体 and one on
    the major theme font; runs in ＭＳ 明朝 and 等线; the header in 宋体; one placeholder."""
    from docx.enum.style import WD_STYLE_TYPE

    document = Document()
    styles = document.styles
    defaults = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    defaults.find(qn("w:lang")).set(qn("w:eastAsia"), "ja-JP")
    song = styles.add_style("证书正文", WD_STYLE_TYPE.PARAGRAPH)
    song_fonts = song.element.get_or_add_rPr().get_or_add_rFonts()
    song_fonts.set(qn("w:eastAsia"), "宋体")
    headline = styles.add_style("证书标题", WD_STYLE_TYPE.PARAGRAPH)
    headline.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsiaTheme"), "majorEastAsia")

    document.add_paragraph(SERIF_TEXT)                              # defaults: theme minor, ＭＳ 明朝
    document.add_paragraph(SANS_TEXT, style="证书标题")             # theme major, 等线
    document.add_paragraph(SERIF_TEXT, style="证书正文")            # style 宋体
    _east_asian_run(document.add_paragraph(), SERIF_TEXT, font=JAPANESE_SERIF)
    _east_asian_run(document.add_paragraph(), SANS_TEXT, font="等线")
    _east_asian_run(document.add_paragraph(), SERIF_TEXT, theme="minorEastAsia")
    _east_asian_run(document.add_paragraph(), "证书编号 {{ 证书编号 }}", font=JAPANESE_SERIF)
    _east_asian_run(document.sections[0].header.paragraphs[0], SERIF_TEXT, font="宋体")

    theme_part = next(rel.target_part for rel in document.part.rels.values() if rel.reltype == RT.THEME)
    theme = etree.fromstring(theme_part.blob)
    theme.find(f".//{{{A}}}minorFont/{{{A}}}ea").set("typeface", JAPANESE_SERIF)
    theme.find(f".//{{{A}}}majorFont/{{{A}}}ea").set("typeface", "等线")
    theme_part._blob = etree.tostring(theme, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _japanese_excel_layout() -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["A2"], sheet["A3"] = SERIF_TEXT, SANS_TEXT, "{{ 证书编号 }}"
    sheet["A1"].font = Font(name=JAPANESE_SERIF, charset=128, size=14)
    sheet["A2"].font = Font(name=JAPANESE_SANS, charset=128, size=14)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- reading the PDF


def _pdffonts(pdf: bytes) -> list[str]:
    listing = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, timeout=60, check=True).stdout
    return listing.decode().splitlines()[2:]


def _assert_simplified_chinese_fonts(pdf: bytes) -> None:
    """pdffonts lists Noto Serif CJK SC and Noto Sans CJK SC subsets, embedded, and no other CJK font.

    LibreOffice names a subset after the font dictionary (FDArray) of its glyphs, as in
    NotoSerifCJKsc-Regular-VKana."""
    fonts = _pdffonts(pdf)
    cjk = [line for line in fonts if "CJK" in line]
    name = re.compile(r"[A-Z]{6}\+Noto(Serif|Sans)CJKsc-Regular(?:-\w+)?")
    styles = {name.fullmatch(line.split()[0]) for line in cjk}
    assert None not in styles and {found.group(1) for found in styles} == {"Serif", "Sans"}, fonts
    assert all(line.split()[-5:-3] == ["yes", "yes"] for line in cjk), fonts  # embedded, subset
    assert not any("CJKjp" in line for line in fonts), fonts


def _embedded_glyphs(pdf: bytes) -> dict[str, set[int]]:
    """{"Serif": CIDs, "Sans": CIDs} of the Noto CJK fonts the PDF embeds."""
    import pikepdf
    from fontTools.cffLib import CFFFontSet
    from fontTools.misc.eexec import decrypt

    glyphs: dict[str, set[int]] = {"Serif": set(), "Sans": set()}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for font in _fonts(document):
            name = str(font.get("/BaseFont", ""))
            style = "Serif" if "SerifCJK" in name else "Sans" if "SansCJK" in name else None
            descriptor = font.get("/FontDescriptor")
            if style is None or descriptor is None:
                continue
            if "/FontFile" in descriptor:  # Type 1, as LibreOffice writes a CFF subset
                program = descriptor["/FontFile"]
                data, clear = program.read_bytes(), int(program["/Length1"])
                private, _ = decrypt(data[clear:clear + int(program["/Length2"])], 55665)
                glyphs[style] |= {_cid(g.decode()) for g in re.findall(rb"/([\w.]+) \d+ (?:RD|-\|)", private)}
            elif "/FontFile3" in descriptor:  # bare CFF
                fonts = CFFFontSet()
                fonts.decompile(io.BytesIO(descriptor["/FontFile3"].read_bytes()), None)
                glyphs[style] |= {_cid(g) for g in fonts[fonts.fontNames[0]].charset}
    return glyphs


def _fonts(document):
    seen = set()
    for page in document.pages:
        for font in (page.Resources.get("/Font") or {}).values():
            for each in [font, *(font.get("/DescendantFonts") or [])]:
                if each.objgen not in seen:
                    seen.add(each.objgen)
                    yield each


def _assert_simplified(glyphs: dict[str, set[int]], cids, style: str, text: str) -> None:
    other = "Sans" if style == "Serif" else "Serif"
    for ch in text:
        assert cids[(style, "SC")][ch] in glyphs[style], f"{ch}: not in Noto {style} CJK's Simplified form"
        assert cids[(style, "JP")][ch] not in glyphs[style], f"{ch}: Japanese form printed"
        in_other = {cids[(other, "SC")][ch], cids[(other, "JP")][ch]} & glyphs[other]
        assert not in_other, f"{ch} printed in Noto {other} CJK"


def _word_pdf(data: bytes, *, normalised: bool = True) -> bytes:
    layout, _report = checked_layout(data, "docx", PACK)
    rendered = render_layout(layout, _context()) if normalised else render_word(layout, _context(), {})
    return convert_to_pdf(rendered, suffix=".docx")


# ---------------------------------------------------------------- through the platform's path


def test_a_layout_in_ms_mincho_and_ja_jp_prints_chinese_in_the_simplified_chinese_faces(cids):
    pdf = _word_pdf(_japanese_word_layout())

    _assert_simplified_chinese_fonts(pdf)
    glyphs = _embedded_glyphs(pdf)
    _assert_simplified(glyphs, cids, "Serif", SERIF_TEXT)
    _assert_simplified(glyphs, cids, "Sans", SANS_TEXT)
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "证书编号 JD-12" in text and SERIF_TEXT in text and SANS_TEXT in text


def test_the_same_layout_rendered_as_authored_prints_the_japanese_forms(cids):
    """What #12 reported, and proof that the check above tells the forms apart."""
    glyphs = _embedded_glyphs(_word_pdf(_japanese_word_layout(), normalised=False))

    assert {cids[("Serif", "JP")][ch] for ch in SERIF_TEXT} <= glyphs["Serif"]


def test_an_excel_layout_in_japanese_fonts_prints_chinese_in_the_simplified_chinese_faces(cids):
    layout, _report = checked_layout(_japanese_excel_layout(), "xlsx", PACK)
    pdf = convert_to_pdf(render_layout(layout, _context()), suffix=".xlsx")

    _assert_simplified_chinese_fonts(pdf)
    glyphs = _embedded_glyphs(pdf)
    _assert_simplified(glyphs, cids, "Serif", SERIF_TEXT)
    _assert_simplified(glyphs, cids, "Sans", SANS_TEXT)


def test_a_layout_already_in_simplified_chinese_prints_exactly_as_before(tmp_path):
    """Its styles name Noto Serif/Sans CJK SC, which LibreOffice finds installed (the collections' faces,
    named NotoSerifCJKjp-… in the PDF as authored): rendered, they print in the same faces, written by
    scripts/sc-fonts.py and named as SC fonts, Latin text included."""
    normalised, authored = (_word_pdf(CERTIFICATE.read_bytes(), normalised=flag) for flag in (True, False))

    assert _page_digests(normalised, tmp_path / "new") == _page_digests(authored, tmp_path / "authored")
    assert _font_names(normalised) == [name.replace("CJKjp-", "CJKsc-") for name in _font_names(authored)]
    assert any("CJKjp-" in name for name in _font_names(authored))
    assert not any("CJKjp" in name for name in _font_names(normalised))


def _font_names(pdf: bytes) -> list[str]:
    """pdffonts' lines without the subset tag and object number."""
    return sorted(" ".join(line.split("+", 1)[-1].split()[:-2]) for line in _pdffonts(pdf))


def _page_digests(pdf: bytes, folder: Path) -> list[str]:
    folder.mkdir()
    (folder / "page.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-gray", str(folder / "page.pdf"), str(folder / "p")], check=True)
    return [hashlib.sha256(page.read_bytes()).hexdigest() for page in sorted(folder.glob("p*.pgm"))]


# ---------------------------------------------------------------- the rewrite itself


def _parts(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: etree.fromstring(archive.read(name)) for name in archive.namelist()
                if name.endswith(".xml") and name.startswith("word/")}


def test_the_rewrite_keeps_latin_fonts_and_languages_and_leaves_no_japanese_declaration():
    before, after = (_parts(data) for data in (_japanese_word_layout(),
                                               in_simplified_chinese(_japanese_word_layout(), "docx")))

    def attributes(parts, tag, names):
        return [[element.get(qn(n)) for n in names]
                for root in parts.values() for element in root.iter(qn(tag))]

    latin = ("w:ascii", "w:hAnsi", "w:cs", "w:asciiTheme", "w:hAnsiTheme", "w:cstheme")
    assert attributes(after, "w:rFonts", latin) == attributes(before, "w:rFonts", latin)
    languages = ("w:val", "w:bidi")
    assert attributes(after, "w:lang", languages) == attributes(before, "w:lang", languages)
    faces = {v for (v,) in attributes(after, "w:rFonts", ("w:eastAsia",)) if v}
    assert faces == {east_asian.SERIF, east_asian.SANS}
    assert not any(v for (v,) in attributes(after, "w:rFonts", ("w:eastAsiaTheme",)))
    assert {v for (v,) in attributes(after, "w:lang", ("w:eastAsia",))} == {east_asian.LANGUAGE}
    assert attributes(after, "w:themeFontLang", ("w:eastAsia",)) == [[east_asian.LANGUAGE]]
    theme_before, theme_after = before["word/theme/theme1.xml"], after["word/theme/theme1.xml"]
    assert [e.get("typeface") for e in theme_after.iter(f"{{{A}}}latin")] == \
        [e.get("typeface") for e in theme_before.iter(f"{{{A}}}latin")]
    assert [e.get("typeface") for e in theme_after.iter(f"{{{A}}}ea")] == [east_asian.SANS, east_asian.SERIF]


def test_a_layout_that_declares_no_east_asian_face_or_language_gets_them_in_its_defaults():
    document = Document()
    defaults = document.styles.element.find(qn("w:docDefaults"))
    defaults.getparent().remove(defaults)
    document.add_paragraph(SERIF_TEXT)
    out = io.BytesIO()
    document.save(out)

    styles = _parts(in_simplified_chinese(out.getvalue(), "docx"))["word/styles.xml"]
    properties = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    assert properties.find(qn("w:rFonts")).get(qn("w:eastAsia")) == east_asian.SERIF
    assert properties.find(qn("w:lang")).get(qn("w:eastAsia")) == east_asian.LANGUAGE


def test_faces_are_chosen_by_the_style_of_the_declared_face():
    for name in ("宋体", "SimSun", "ＭＳ 明朝", "MS Mincho", "Yu Mincho", "仿宋_GB2312", "楷体", "新細明體"):
        assert east_asian.east_asian_face(name) == east_asian.SERIF, name
    for name in ("等线", "DengXian", "黑体", "微软雅黑", "ＭＳ Ｐゴシック", "MS Gothic", "Yu Gothic", "Noto Sans CJK SC"):
        assert east_asian.east_asian_face(name) == east_asian.SANS, name


def test_an_excel_layout_in_latin_fonts_keeps_its_fonts_and_prints_exactly_as_before(tmp_path):
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"], sheet["A2"], sheet["B2"] = "示值误差", "{{ 证书编号 }}", 0.12
    sheet["A1"].font = Font(name="Arial", size=14)
    out = io.BytesIO()
    workbook.save(out)
    normalised = in_simplified_chinese(out.getvalue(), "xlsx")
    with zipfile.ZipFile(io.BytesIO(normalised)) as after, zipfile.ZipFile(out) as before:
        assert after.read("xl/styles.xml") == before.read("xl/styles.xml")

    pdfs = []
    for render in (render_layout, lambda layout, context: render_excel(layout, context)):
        layout, _report = checked_layout(out.getvalue(), "xlsx", PACK)
        pdfs.append(convert_to_pdf(render(layout, _context()), suffix=".xlsx"))
    assert _page_digests(pdfs[0], tmp_path / "normalised") == _page_digests(pdfs[1], tmp_path / "authored")
    assert _font_names(pdfs[0]) == _font_names(pdfs[1])


def test_a_rendered_part_declaring_entities_is_refused():
    data = _japanese_word_layout()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            part = source.read(name)
            if name == "word/document.xml":
                part = part.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>', 1)
            target.writestr(name, part)

    with pytest.raises(east_asian.UnsafePart):
        in_simplified_chinese(out.getvalue(), "docx")


def test_latin_text_in_a_noto_cjk_face_gets_the_written_face_and_other_latin_fonts_are_kept():
    document = Document()
    run = _east_asian_run(document.add_paragraph(), "JD-12 骨", font="宋体")
    run._element.rPr.rFonts.set(qn("w:ascii"), "Noto Serif CJK JP")
    run._element.rPr.rFonts.set(qn("w:cs"), "Noto Sans CJK SC")
    out = io.BytesIO()
    document.save(out)

    fonts = _parts(in_simplified_chinese(out.getvalue(), "docx"))["word/document.xml"].find(f".//{qn('w:rFonts')}")

    assert [fonts.get(qn(slot)) for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia")] == \
        [east_asian.SERIF, "Times New Roman", east_asian.SANS, east_asian.SERIF]
    assert east_asian.noto_cjk_face("Noto Sans Mono CJK SC") is None
