from __future__ import annotations

from django.db import migrations


def seed(apps, schema_editor) -> None:
    from metrology.doctype.seeds import ensure_default_test_types

    ensure_default_test_types(apps.get_model("doctype", "TestType"))


class Migration(migrations.Migration):
    dependencies = [("doctype", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
