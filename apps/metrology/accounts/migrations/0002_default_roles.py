from __future__ import annotations

from django.db import migrations


def seed(apps, schema_editor) -> None:
    from metrology.accounts.default_roles import ensure_default_roles

    ensure_default_roles(apps.get_model("accounts", "Role"), apps.get_model("accounts", "RoleGrant"))


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
