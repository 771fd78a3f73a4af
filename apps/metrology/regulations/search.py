"""The n-gram index and phrase matching, as pure functions (no database).

Text is compared in a normal form: NFKC (full-width → half-width), case-folded, dashes unified,
and with all whitespace removed, because PDF text extraction breaks lines (and inserts spaces) inside phrases.
Each document is indexed by the set of its character bigrams; a phrase can only occur in a
document holding all of the phrase's bigrams, and candidates are then checked for the phrase itself.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")
DASHES = frozenset("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\uff0d")
CODE_POINTS = 0x110000
QUERY_GRAMS = 32  # enough to narrow the candidates; the phrase check does the rest


@lru_cache(maxsize=8192)
def _fold(char: str) -> str:
    if char.isspace() or char in INVISIBLE:
        return ""
    if char in DASHES:  # codes are written with any of them: JJG 443—2023
        return "-"
    return "".join(c for c in unicodedata.normalize("NFKC", char).casefold() if not c.isspace())


def normalise(text: str) -> str:
    return "".join(_fold(char) for char in text)


def normalise_with_positions(text: str) -> tuple[str, list[int]]:
    """The normal form plus, for each of its characters, the index in `text` it came from."""
    chars: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        folded = _fold(char)
        chars.append(folded)
        origins.extend([index] * len(folded))
    return "".join(chars), origins


def gram_key(gram: str) -> int:
    """A bigram as one integer: exact on every database, whatever its collation."""
    return ord(gram[0]) * CODE_POINTS + ord(gram[1])


def gram_keys(normalised: str) -> set[int]:
    return {gram_key(normalised[i:i + 2]) for i in range(len(normalised) - 1)}


def document_gram_keys(parts: Iterable[str]) -> set[int]:
    keys: set[int] = set()
    for part in parts:
        keys |= gram_keys(normalise(part))
    return keys


def query_gram_keys(normalised_query: str) -> list[int]:
    return sorted(gram_keys(normalised_query))[:QUERY_GRAMS]


@dataclass(frozen=True)
class Snippet:
    before: str
    hit: str
    after: str


def snippet(text: str, normalised_query: str, *, context: int = 40) -> Snippet | None:
    """The first occurrence of the phrase in `text`, with some text either side, as printed."""
    normalised, origins = normalise_with_positions(text)
    at = normalised.find(normalised_query) if normalised_query else -1
    if at < 0:
        return None
    start, end = origins[at], origins[at + len(normalised_query) - 1] + 1
    before = text[max(0, start - context):start]
    after = text[end:end + context]
    return Snippet(
        before=("…" if start > context else "") + _one_line(before),
        hit=_one_line(text[start:end]),
        after=_one_line(after) + ("…" if end + context < len(text) else ""),
    )


LINE_BREAK = re.compile(r"[ \t]*[\r\n\f\v]+\s*")


def _one_line(text: str) -> str:
    """Line breaks out: dropped between two wide (CJK) characters, a space elsewhere."""
    def join(match: re.Match[str]) -> str:
        left = text[match.start() - 1] if match.start() else ""
        right = text[match.end()] if match.end() < len(text) else ""
        wide = all(c and unicodedata.east_asian_width(c) in "WF" for c in (left, right))
        return "" if wide else " "

    return LINE_BREAK.sub(join, text)


def highlighted(text: str, normalised_query: str) -> list[tuple[str, bool]]:
    """`text` cut into (part, is_hit) pieces at every occurrence of the phrase, for <mark>."""
    if not normalised_query:
        return [(text, False)]
    normalised, origins = normalise_with_positions(text)
    parts: list[tuple[str, bool]] = []
    done, at = 0, normalised.find(normalised_query)
    while at >= 0:
        start, end = origins[at], origins[at + len(normalised_query) - 1] + 1
        if start > done:
            parts.append((text[done:start], False))
        parts.append((text[start:end], True))
        done = end
        at = normalised.find(normalised_query, at + len(normalised_query))
    if done < len(text):
        parts.append((text[done:], False))
    return parts
