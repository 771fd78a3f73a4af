"""Drafts save as they are (#9): readers of a draft's definition never crash on its shape."""

from __future__ import annotations

from metrology.doctype.diff import definition_diff
from metrology.print_formats.keys import available_keys

GRID = {"key": "runs", "type": "grid", "columns": [{"key": "E", "label": "误差", "type": "number"}]}


def test_comparing_a_draft_whose_fields_are_not_a_list_names_the_section_as_changed():
    changes = definition_diff({"fields": [GRID]}, {"fields": 5})
    assert [(c.section, c.key, c.kind) for c in changes] == [("procedure", "fields", "changed")]


def test_comparing_well_formed_definitions_still_lists_each_field():
    changes = definition_diff({"fields": []}, {"fields": [GRID]})
    assert [(c.section, c.key, c.kind) for c in changes] == [("fields", "runs", "added")]


def test_layout_keys_of_a_draft_with_malformed_grid_columns_leave_that_grid_empty():
    keys = available_keys({"fields": [{"key": "runs", "type": "grid", "columns": 5}, GRID | {"key": "ok"}]})
    assert keys.grids == {"runs": {}, "ok": {"E": "误差"}}


def test_layout_keys_of_a_draft_whose_fields_are_not_a_list_are_the_common_ones():
    keys = available_keys({"fields": 5})
    assert "委托单位" in keys.scalars and keys.grids == {}
