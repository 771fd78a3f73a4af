"""What a scheme numbers: sets of items, test types and document kinds, and when two schemes overlap.

An empty set of items or of test types means every one; kinds are always named. A scheme naming a
sub-type goes before one naming its test type (the test type covers its sub-types without a scheme of
their own); any other overlap between two active schemes is refused, so the scheme of a record is never
a matter of chance.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from metrology.numbering.models import NumberingScheme

# How closely a scheme's test types match a record's: its sub-type named, its test type named, every type.
SUB_TYPE, TEST_TYPE, EVERY_TYPE = 0, 1, 2


@dataclass(frozen=True)
class Coverage:
    items: frozenset[int]
    test_types: frozenset[int]
    kinds: frozenset[str]

    def level(self, *, item_id: int, test_type_id: int, parent_id: int | None, kind: str) -> int | None:
        """SUB_TYPE, TEST_TYPE or EVERY_TYPE when the scheme numbers this, else None."""
        if kind not in self.kinds or (self.items and item_id not in self.items):
            return None
        if test_type_id in self.test_types:
            return SUB_TYPE
        if parent_id is not None and parent_id in self.test_types:
            return TEST_TYPE
        return EVERY_TYPE if not self.test_types else None

    def overlap(self, other: Coverage) -> tuple[int | None, int | None, str] | None:
        """One (item, test type, kind) both number at the same level (None: every one), or None."""
        kinds = self.kinds & other.kinds
        item = _shared(self.items, other.items)
        test_type = _shared(self.test_types, other.test_types)
        if not kinds or item is False or test_type is False:
            return None
        return item, test_type, min(kinds)


def _shared(mine: frozenset[int], theirs: frozenset[int]) -> int | None | bool:
    """A member both sets cover (None when both cover every one), or False when they share none."""
    if mine and theirs:
        both = mine & theirs
        return min(both) if both else False
    return min(mine or theirs, default=None)


def coverage(*, items: Iterable, test_types: Iterable, kinds: Iterable[str]) -> Coverage:
    return Coverage(frozenset(getattr(i, "pk", i) for i in items),
                    frozenset(getattr(t, "pk", t) for t in test_types), frozenset(kinds))


def active_coverages(*, exclude: int | None = None) -> dict[NumberingScheme, Coverage]:
    """Every active scheme with what it numbers, in three queries however many there are."""
    schemes = list(NumberingScheme.objects.filter(is_active=True).exclude(pk=exclude).order_by("pk"))
    items, test_types = defaultdict(set), defaultdict(set)
    ids = [scheme.pk for scheme in schemes]
    for scheme_id, item_id in NumberingScheme.items.through.objects.filter(
            numberingscheme_id__in=ids).values_list("numberingscheme_id", "item_id"):
        items[scheme_id].add(item_id)
    for scheme_id, type_id in NumberingScheme.test_types.through.objects.filter(
            numberingscheme_id__in=ids).values_list("numberingscheme_id", "testtype_id"):
        test_types[scheme_id].add(type_id)
    return {scheme: coverage(items=items[scheme.pk], test_types=test_types[scheme.pk], kinds=scheme.document_kinds)
            for scheme in schemes}
