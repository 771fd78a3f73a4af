"""Number text, periods and gap arithmetic: the pure parts of numbering."""

from __future__ import annotations

import datetime as dt

import pytest

from metrology.numbering.gaps import Covered, explain, missing_ranges
from metrology.numbering.patterns import format_number, period_key, reset_problem

MARCH = dt.date(2025, 3, 14)


@pytest.mark.parametrize(("date_part", "separator", "expected"), [
    ("", "-", "JD0007/Z"),
    ("YYYY", "-", "JD2025-0007/Z"),
    ("YY", "", "JD250007/Z"),
    ("YYYYMM", "-", "JD202503-0007/Z"),
    ("YYMM", ".", "JD2503.0007/Z"),
    ("MM", "-", "JD03-0007/Z"),
])
def test_a_number_is_prefix_date_separator_padded_sequence_and_suffix(date_part, separator, expected):
    assert format_number(prefix="JD", date_part=date_part, separator=separator, width=4, suffix="/Z",
                         sequence=7, on=MARCH) == expected


def test_a_sequence_longer_than_its_width_grows_instead_of_wrapping():
    assert format_number(prefix="", date_part="", separator="", width=3, suffix="", sequence=1000,
                         on=MARCH) == "1000"


def test_the_period_follows_the_reset_rule():
    assert period_key("never", MARCH) == ""
    assert period_key("yearly", MARCH) == "2025"
    assert period_key("monthly", MARCH) == "2025-03"


@pytest.mark.parametrize(("date_part", "reset", "ok"), [
    ("", "never", True), ("MM", "never", True), ("YYYY", "yearly", True), ("YYMM", "yearly", True),
    ("", "yearly", False), ("MM", "yearly", False), ("YYYYMM", "monthly", True), ("YYYY", "monthly", False),
    ("MM", "monthly", False),
])
def test_a_reset_the_date_part_cannot_tell_apart_is_refused(date_part, reset, ok):
    assert (reset_problem(date_part=date_part, reset=reset) is None) is ok


def test_missing_ranges_run_from_one_to_the_highest_sequence():
    assert missing_ranges([]) == []
    assert missing_ranges([1, 2, 3]) == []
    assert missing_ranges([3, 1, 2, 5, 9]) == [(4, 4), (6, 8)]
    assert missing_ranges([4]) == [(1, 3)]


def test_explain_splits_a_gap_into_covered_and_uncovered_parts_the_later_skip_in_force():
    parts = explain(3, 20, [(5, 8, "a"), (7, 12, "b"), (30, 40, "c")])
    assert parts == [Covered(3, 4, None), Covered(5, 6, "a"), Covered(7, 12, "b"), Covered(13, 20, None)]
    assert explain(1, 10, [(2, 9, "late"), (4, 5, "later")]) == [
        Covered(1, 1, None), Covered(2, 3, "late"), Covered(4, 5, "later"), Covered(6, 9, "late"),
        Covered(10, 10, None)]
    assert explain(1, 10, [(4, 5, "early"), (2, 9, "late")]) == [Covered(1, 1, None), Covered(2, 9, "late"),
                                                                  Covered(10, 10, None)]
    assert explain(5, 6, [(1, 10, "a")]) == [Covered(5, 6, "a")]
    assert explain(5, 6, []) == [Covered(5, 6, None)]
