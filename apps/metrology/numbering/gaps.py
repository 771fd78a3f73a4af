"""Finding missing sequences and explaining them: pure functions over plain numbers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Covered(Generic[T]):
    first: int
    last: int
    why: T | None  # None: nothing on record explains these sequences


def missing_ranges(sequences: Iterable[int]) -> list[tuple[int, int]]:
    """Ranges absent from 1 up to the highest sequence, e.g. [1, 2, 5, 9] → [(3, 4), (6, 8)]."""
    ranges, expected = [], 1
    for sequence in sorted(set(sequences)):
        if sequence > expected:
            ranges.append((expected, sequence - 1))
        expected = sequence + 1
    return ranges


def explain(first: int, last: int, skips: Sequence[tuple[int, int, T]]) -> list[Covered[T]]:
    """Split first..last into the parts a skip (first, last, why) covers and the parts none does."""
    parts: list[Covered[T]] = []
    cursor = first
    for skip_first, skip_last, why in sorted(skips, key=lambda s: (s[0], s[1])):
        if skip_last < cursor or skip_first > last:
            continue
        if skip_first > cursor:
            parts.append(Covered(cursor, skip_first - 1, None))
        end = min(skip_last, last)
        parts.append(Covered(max(cursor, skip_first), end, why))
        cursor = end + 1
        if cursor > last:
            return parts
    if cursor <= last:
        parts.append(Covered(cursor, last, None))
    return parts
