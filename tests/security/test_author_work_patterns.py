"""#8: a text field's `pattern` is the author's regular expression, run on inputs of up to 10,000
characters. Shapes that backtrack without bound are refused when the procedure is saved, and every
match runs with a timeout, so no pattern holds a worker."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path

import pytest

from metrology.doctype.engine import InputError, compute, validate_procedure
from metrology.doctype.engine.compiler import PATTERN_PROBLEMS
from metrology.doctype.engine.inputs import field_value
from metrology.doctype.engine.model import Field
from metrology.doctype.engine.patterns import PATTERN_TIMEOUT, compile_pattern

REPO = Path(__file__).resolve().parents[2]
PACK = json.loads((REPO / "apps/metrology/packs/jjg443_fuel_dispenser.json").read_text(encoding="utf-8"))
EVIL_TEXT = "a" * 9_999 + "!"


def _with_pattern(pattern: str) -> dict:
    definition = copy.deepcopy(PACK)
    definition["fields"].append({"key": "型号", "label": "型号", "type": "text", "pattern": pattern})
    return definition


@pytest.mark.parametrize("pattern, code", [
    ("(a+)+$", "nested"), ("(a*)*b", "nested"), ("(?:\\d+\\s?)+$", "nested"), ("(\\d{3})-\\1", "backreference"),
])
def test_a_pattern_that_can_backtrack_without_bound_is_refused_when_the_procedure_is_saved(pattern, code):
    problems = validate_procedure(_with_pattern(pattern))
    assert [(p.code, p.template) for p in problems] == [("pattern", PATTERN_PROBLEMS[code])]


@pytest.mark.parametrize("pattern", ["[A-Z]{2}\\d{4}", "\\d+(\\.\\d+)?", "(\\d{3}-)+\\d{4}", "JJG\\s?\\d+"])
def test_ordinary_patterns_are_accepted(pattern):
    assert validate_procedure(_with_pattern(pattern)) == []


def test_a_pattern_the_save_check_lets_through_gives_up_after_its_timeout():
    """#8: `(a|aa)+$` is exponential too; on 10,000 characters the entry is refused, quickly."""
    inputs = {**PACK["test_cases"][0]["inputs"], "型号": EVIL_TEXT}
    started = time.monotonic()
    with pytest.raises(InputError) as caught:
        compute(_with_pattern("(a|aa)+$"), inputs)
    assert time.monotonic() - started < 5
    assert [problem.code for problem in caught.value.problems] == ["pattern_timeout"]


def test_even_a_stored_nested_pattern_cannot_hold_the_worker():
    """#8: `(a+)+$` on 9,999 a and a ! (a definition saved before the check) ends with the timeout."""
    from metrology.doctype.engine.inputs import Invalid

    import regex

    field = Field(key="型号", type="text", pattern=regex.compile("(a+)+$", flags=regex.VERSION0))
    started = time.monotonic()
    with pytest.raises(Invalid) as caught:
        field_value(field, EVIL_TEXT)
    assert caught.value.code == "pattern_timeout"
    assert time.monotonic() - started < 20 * PATTERN_TIMEOUT


def test_a_pattern_still_checks_the_form_of_the_text():
    pattern = compile_pattern("[A-Z]{2}\\d{4}")
    field = Field(key="型号", type="text", pattern=pattern)
    assert field_value(field, "AB1234") == "AB1234"
