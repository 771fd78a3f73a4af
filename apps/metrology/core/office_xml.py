"""The check of one XML part of an uploaded Office zip, shared by the layout and workbook guards.

Pure Python (no Django), so the Excel procedure form (doctype/xlsform) uses it too. A part is read
the way an XML parser would read it: byte-order mark, else the UTF-16/UTF-32 pattern of `<?`, else
UTF-8; its declared encoding must be UTF-8 or UTF-16. Only then is it searched for a DOCTYPE or an
entity declaration, so UTF-16 without a byte-order mark no longer hides one (#8).
"""

from __future__ import annotations

import re

BYTE_ORDER_MARKS = (
    (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"),
)
UNMARKED = (
    (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00", "utf-16-be"), (b"<\x00", "utf-16-le"),
)
ACCEPTED_DECLARED = {"utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "utf16"}
DECLARED = re.compile(r"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")


class XmlPartProblem(Exception):
    """`code`: "encoding" (an encoding other than UTF-8/UTF-16, or unreadable text) or "doctype";
    `encoding` names what was found."""

    def __init__(self, code: str, encoding: str = ""):
        super().__init__(code)
        self.code = code
        self.encoding = encoding


def xml_part_text(data: bytes) -> str:
    """The part as text, decoded as an XML parser would; XmlPartProblem("encoding") otherwise."""
    encoding = _detected_encoding(data)
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        raise XmlPartProblem("encoding", encoding) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise XmlPartProblem("encoding", encoding)
    declared = DECLARED.match(text)
    if declared is not None and declared.group(1).strip().lower() not in ACCEPTED_DECLARED:
        raise XmlPartProblem("encoding", declared.group(1)[:40])
    return text


def check_xml_part(data: bytes) -> str:
    """The part's text, lower-cased, once it is known to declare no DOCTYPE and no entity."""
    lowered = xml_part_text(data).lower()
    if "<!doctype" in lowered or "<!entity" in lowered:
        raise XmlPartProblem("doctype")
    return lowered


def _detected_encoding(data: bytes) -> str:
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return encoding
    for pattern, encoding in UNMARKED:
        if data.startswith(pattern):
            return encoding
    return "utf-8"
