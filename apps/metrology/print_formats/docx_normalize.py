"""Make a Word layout as authored into one docxtpl can render.

Word and WPS record revisions (w:ins/w:del), spelling marks (w:proofErr) and formatting changes
inside placeholders; the standard's own mechanism is a **bookmark** named after a field, whose
content is to be replaced by the value. Here revisions are accepted, marks dropped, and each such
bookmark becomes a `{{ key }}` placeholder in the first run's formatting.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator

from docx.oxml.ns import qn
from lxml import etree

W_INS, W_DEL, W_MOVE_FROM, W_MOVE_TO = qn("w:ins"), qn("w:del"), qn("w:moveFrom"), qn("w:moveTo")
DROPPED = (qn("w:proofErr"), qn("w:rPrChange"), qn("w:pPrChange"), qn("w:sectPrChange"), qn("w:tblPrChange"),
           qn("w:trPrChange"), qn("w:tcPrChange"), qn("w:moveFromRangeStart"), qn("w:moveFromRangeEnd"),
           qn("w:moveToRangeStart"), qn("w:moveToRangeEnd"))
HIDDEN_BOOKMARK_PREFIX = "_"  # Word's own: _GoBack, _Toc…, _Hlk…


def story_elements(document) -> Iterator[etree._Element]:
    """The body, headers and footers of a python-docx Document."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    yield document.element.body
    for rel in document.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER) and not rel.is_external:
            yield rel.target_part.element


def accept_revisions(root: etree._Element) -> None:
    for tag in (W_DEL, W_MOVE_FROM):
        for element in list(root.iter(tag)):
            element.getparent().remove(element)
    for tag in (W_INS, W_MOVE_TO):
        for element in list(root.iter(tag)):
            _unwrap(element)
    for element in list(root.iter(*DROPPED)):
        element.getparent().remove(element)


def _unwrap(element: etree._Element) -> None:
    parent, index = element.getparent(), element.getparent().index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(index + offset, child)
    parent.remove(element)


def field_bookmarks(root: etree._Element) -> Iterable[etree._Element]:
    return [b for b in root.iter(qn("w:bookmarkStart"))
            if not b.get(qn("w:name"), "").startswith(HIDDEN_BOOKMARK_PREFIX)]


def bookmarks_to_placeholders(root: etree._Element, is_key) -> list[str]:
    """Replace the content of each bookmark whose name `is_key` accepts; returns the names that
    could not be replaced (a bookmark spanning paragraphs)."""
    spanning = []
    ends = {end.get(qn("w:id")): end for end in root.iter(qn("w:bookmarkEnd"))}
    for start in field_bookmarks(root):
        name = start.get(qn("w:name"))
        end = ends.get(start.get(qn("w:id")))
        if not is_key(name) or end is None:
            continue
        if end.getparent() is not start.getparent():
            spanning.append(name)
            continue
        _replace_between(start, end, name)
    return spanning


def _replace_between(start: etree._Element, end: etree._Element, name: str) -> None:
    parent = start.getparent()
    between = []
    node = start.getnext()
    while node is not None and node is not end:
        between.append(node)
        node = node.getnext()
    first_run = next((n for n in between if n.tag == qn("w:r")), None)
    run = etree.SubElement(parent, qn("w:r"))
    if first_run is not None and first_run.find(qn("w:rPr")) is not None:
        run.append(copy.deepcopy(first_run.find(qn("w:rPr"))))
    text = etree.SubElement(run, qn("w:t"))
    text.text = "{{ %s }}" % name
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    for node in between:
        parent.remove(node)
    parent.remove(run)
    end.addprevious(run)
