"""The test types of R-4.3.5.4 that every institute starts with (editable afterwards)."""

from __future__ import annotations

DEFAULT_TEST_TYPES: list[tuple[str, list[str]]] = [
    ("检定", ["首次检定", "后续检定", "使用中检查"]),
    ("校准", ["校准1"]),
    ("期间核查", ["期间核查1"]),
    ("测试", ["测试"]),
]


def ensure_default_test_types(test_type_model) -> None:
    for order, (type_name, sub_types) in enumerate(DEFAULT_TEST_TYPES, start=1):
        parent, _created = test_type_model.objects.get_or_create(
            parent=None, name=type_name, defaults={"order": order}
        )
        for sub_order, sub_name in enumerate(sub_types, start=1):
            test_type_model.objects.get_or_create(parent=parent, name=sub_name, defaults={"order": sub_order})
