"""The built-in supervisor role reads records, certificates, reports and the audit log, nothing else
(issue #13): an existing site's role loses the regulations and gets the new description, but only
while the institute has not changed the role itself."""

from __future__ import annotations

from django.db import migrations

OLD_DESCRIPTION = "政府监督：只读查阅原始记录、证书和报表。"
NEW_DESCRIPTION = "政府监督：只读查阅管辖区域内的原始记录、证书、报表和审计日志。"
NEW_CODES = {"records_query", "certificates_query", "reports_query", "audit_query"}
OLD_CODES = NEW_CODES | {"regulations_query"}


def _switch(apps, *, grants_from: set[str], grants_to: set[str], description_from: str, description_to: str) -> None:
    role = apps.get_model("accounts", "Role").objects.filter(code="supervisor", is_builtin=True).first()
    if role is None:
        return
    grants = apps.get_model("accounts", "RoleGrant").objects.filter(role=role)
    if set(grants.values_list("code", flat=True)) != grants_from:
        return  # the institute changed the role's permissions: leave them as it chose
    grants.filter(code__in=grants_from - grants_to).delete()
    for code in sorted(grants_to - grants_from):
        grants.create(role=role, code=code)
    if role.description == description_from:
        role.description = description_to
        role.save(update_fields=["description"])


def forwards(apps, schema_editor) -> None:
    _switch(apps, grants_from=OLD_CODES, grants_to=NEW_CODES,
            description_from=OLD_DESCRIPTION, description_to=NEW_DESCRIPTION)


def backwards(apps, schema_editor) -> None:
    _switch(apps, grants_from=NEW_CODES, grants_to=OLD_CODES,
            description_from=NEW_DESCRIPTION, description_to=OLD_DESCRIPTION)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_person_jurisdiction")]
    operations = [migrations.RunPython(forwards, backwards)]
