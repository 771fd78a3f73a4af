"""Schemes made for one item × test type × kind keep it as one-member sets after the migration."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("numbering", "0002_chinese_field_labels")]
AFTER = [("numbering", "0003_scheme_sets")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_each_single_value_into_its_set_and_back():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        item = old.get_model("doctype", "Item").objects.create(code="JJG443", name="燃油加油机", is_authorised=True)
        test_types = old.get_model("doctype", "TestType").objects
        parent = test_types.get_or_create(parent=None, name="检定")[0]
        sub_type = test_types.get_or_create(parent=parent, name="首次检定")[0]
        scheme = old.get_model("numbering", "NumberingScheme").objects.create(
            item=item, test_type=sub_type, document_kind="检定证书", prefix="JD", date_part="YYYY",
            sequence_width=4, reset="yearly")

        executor = MigrationExecutor(connection)
        executor.migrate(AFTER)
        new = executor.loader.project_state(AFTER).apps.get_model("numbering", "NumberingScheme")
        moved = new.objects.get(pk=scheme.pk)
        assert list(moved.items.values_list("pk", flat=True)) == [item.pk]
        assert list(moved.test_types.values_list("pk", flat=True)) == [sub_type.pk]
        assert moved.document_kinds == ["检定证书"] and moved.name == "燃油加油机 · 检定/首次检定 · 检定证书"

        executor = MigrationExecutor(connection)
        executor.migrate(BEFORE)
        back = executor.loader.project_state(BEFORE).apps.get_model("numbering", "NumberingScheme")
        restored = back.objects.get(pk=scheme.pk)
        assert (restored.item_id, restored.test_type_id, restored.document_kind) == (item.pk, sub_type.pk,
                                                                                      "检定证书")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
