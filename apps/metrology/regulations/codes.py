"""Regulation codes: one spelling per code, and the kind it names (JJG, JJF, GB …)."""

from __future__ import annotations

import re
import unicodedata

DASHES = re.compile(r"[\u2010-\u2015\u2212\uff0d]")
PREFIX_THEN_NUMBER = re.compile(r"^([A-Z]+(?:/[A-Z]+)?)\s*(?=\d)")


def normalise_code(code: str) -> str:
    """`ｊｊｇ443—2023 ` → `JJG 443-2023`: full-width folded, dashes unified, one space after the prefix."""
    text = unicodedata.normalize("NFKC", code or "")
    text = DASHES.sub("-", text)
    text = " ".join(text.split()).upper()
    text = re.sub(r"\s*/\s*", "/", text)
    text = re.sub(r"\s*-\s*", "-", text)
    return PREFIX_THEN_NUMBER.sub(r"\1 ", text)


def code_stem(code: str) -> str:
    """The code without its year, `JJG 443-2023` → `JJG 443`: editions of one regulation share it."""
    return re.sub(r"-\d{4}$", "", normalise_code(code))


def kind_of_code(code: str) -> str:
    prefix = normalise_code(code).split(" ", 1)[0]
    if prefix in ("JJG", "JJF"):
        return prefix.lower()
    if prefix == "GB" or prefix.startswith("GB/"):
        return "gb"
    return "other"
