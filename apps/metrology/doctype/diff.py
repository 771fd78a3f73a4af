"""A readable difference between two procedure definitions: what was added, removed or changed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

SECTIONS = (("fields", "key"), ("rules", "id"), ("tables", "name"), ("test_cases", "name"))


@dataclass(frozen=True)
class Change:
    section: str
    key: str
    kind: str  # added, removed, changed
    before: str
    after: str


def _text(value: Any) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _by_key(items: list[dict], key: str) -> dict[str, dict]:
    return {str(item.get(key)): item for item in items if isinstance(item, dict)}


def _entry_changes(section: str, name: str, old: dict, new: dict) -> list[Change]:
    changes = []
    for attribute in sorted(set(old) | set(new)):
        if old.get(attribute) != new.get(attribute):
            changes.append(Change(section, f"{name}.{attribute}", "changed",
                                  _text(old.get(attribute)), _text(new.get(attribute))))
    return changes


def definition_diff(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes: list[Change] = []
    listed = {section for section, _key in SECTIONS}
    for attribute in sorted((set(old) | set(new)) - listed):
        if old.get(attribute) != new.get(attribute):
            changes.append(Change("procedure", attribute, "changed", _text(old.get(attribute)),
                                  _text(new.get(attribute))))
    for section, key in SECTIONS:
        old_list, new_list = old.get(section) or [], new.get(section) or []
        if not isinstance(old_list, list) or not isinstance(new_list, list):  # a draft may hold anything
            if old_list != new_list:
                changes.append(Change("procedure", section, "changed", _text(old_list), _text(new_list)))
            continue
        before, after = _by_key(old_list, key), _by_key(new_list, key)
        for name in before.keys() - after.keys():
            changes.append(Change(section, name, "removed", _text(before[name]), ""))
        for name in after.keys() - before.keys():
            changes.append(Change(section, name, "added", "", _text(after[name])))
        for name in sorted(before.keys() & after.keys()):
            changes.extend(_entry_changes(section, name, before[name], after[name]))
        if [k for k in before if k in after] != [k for k in after if k in before]:
            changes.append(Change(section, "—", "reordered", ", ".join(before), ", ".join(after)))
    return changes
