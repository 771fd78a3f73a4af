"""Word (.docx) layouts: opened as authored, analysed for lint, rendered in the sandbox."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage

from metrology.core.office_files import check_office_file, unreadable
from metrology.print_formats.docx_normalize import accept_revisions, bookmarks_to_placeholders, story_elements
from metrology.print_formats.keys import IMAGE_KEYS, SEAL_KEY
from metrology.print_formats.sandbox import layout_environment

DANGEROUS_FIELD = re.compile(r"\b(INCLUDETEXT|INCLUDEPICTURE|DDE|DDEAUTO|LINK|IMPORT)\b", re.IGNORECASE)
ALLOWED_EXTERNAL = {RT.HYPERLINK}
IMAGE_WIDTH = {SEAL_KEY: Mm(40)}
DEFAULT_IMAGE_WIDTH = Mm(25)


@dataclass
class WordLayout:
    template: DocxTemplate
    sources: list[str] = field(default_factory=list)  # patched XML of body, headers and footers
    bookmarks: list[str] = field(default_factory=list)
    spanning_bookmarks: list[str] = field(default_factory=list)
    dangerous: list[str] = field(default_factory=list)


def open_word_layout(data: bytes) -> WordLayout:
    check_office_file(data, "docx")
    try:
        return _read_word_layout(data)
    except Exception as error:  # noqa: BLE001 — python-docx and lxml raise many types on a malformed part
        raise unreadable("docx", error) from None


def _read_word_layout(data: bytes) -> WordLayout:
    template = DocxTemplate(io.BytesIO(data))
    template.init_docx()
    layout = WordLayout(template=template)
    layout.dangerous.extend(_external_links(template.docx))
    for root in story_elements(template.docx):
        accept_revisions(root)
        layout.dangerous.extend(_dangerous_fields(root))
        layout.bookmarks.extend(b.get(qn("w:name")) for b in root.iter(qn("w:bookmarkStart"))
                                if not b.get(qn("w:name"), "_").startswith("_"))
        layout.spanning_bookmarks.extend(bookmarks_to_placeholders(root, is_key=str.isidentifier))
        layout.sources.append(template.patch_xml(template.xml_to_string(root)))
    return layout


def _dangerous_fields(root) -> list[str]:
    codes = [node.text or "" for node in root.iter(qn("w:instrText"))]
    codes += [node.get(qn("w:instr"), "") for node in root.iter(qn("w:fldSimple"))]
    return [code.strip() for code in codes if DANGEROUS_FIELD.search(code)]


def _external_links(document) -> list[str]:
    parts = [document.part, *(rel.target_part for rel in document.part.rels.values() if not rel.is_external)]
    return [rel.target_ref for part in parts for rel in part.rels.values()
            if rel.is_external and rel.reltype not in ALLOWED_EXTERNAL]


def render_word(layout: WordLayout, context: dict[str, Any], images: dict[str, bytes]) -> bytes:
    template = layout.template
    values = dict(context)
    for key in IMAGE_KEYS:
        image = images.get(key)
        values[key] = (InlineImage(template, io.BytesIO(image), width=IMAGE_WIDTH.get(key, DEFAULT_IMAGE_WIDTH))
                       if image else "")
    template.render(values, jinja_env=layout_environment(), autoescape=True)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()
