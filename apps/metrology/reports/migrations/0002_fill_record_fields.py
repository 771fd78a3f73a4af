"""Every record already entered gets its rows for reports."""

from django.db import migrations


def fill(apps, schema_editor):
    from metrology.reports.projection import field_rows

    record_model = apps.get_model("records", "Record")
    field_model = apps.get_model("reports", "RecordField")
    records = record_model.objects.order_by("pk").values_list("pk", "inputs", "results")
    batch = []
    for pk, inputs, results in records.iterator(chunk_size=2000):
        batch.extend(field_rows(pk, inputs or {}, (results or {}).get("values") or {}, model=field_model))
        if len(batch) >= 5000:
            field_model.objects.bulk_create(batch)
            batch = []
    field_model.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
