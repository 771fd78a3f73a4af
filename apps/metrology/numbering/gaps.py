"""Finding missing sequences and explaining them: pure functions over plain numbers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
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
    """Split first..last into the parts a skip (first, last, why) covers and the parts none does.

    Skips come in the order they were made: where two cover the same sequence the later one is the
    reason in force, since it is the one that last moved the counter past that sequence.
    """
    bounds = {first, last + 1}
    for skip_first, skip_last, _why in skips:
        if skip_first <= last and skip_last >= first:
            bounds |= {max(skip_first, first), min(skip_last, last) + 1}
    parts: list[Covered[T]] = []
    ordered = sorted(bounds)
    for low, next_low in pairwise(ordered):
        high = next_low - 1
        why = None
        for skip_first, skip_last, reason in skips:
            if skip_first <= low and high <= skip_last:
                why = reason
        if parts and parts[-1].why is why:
            parts[-1] = Covered(parts[-1].first, high, why)
        else:
            parts.append(Covered(low, high, why))
    return parts
