"""A scheme serves sets of items, test types and document kinds; each existing scheme keeps the one it had."""

from django.db import migrations, models


def single_values_into_sets(apps, schema_editor):
    NumberingScheme = apps.get_model("numbering", "NumberingScheme")
    for scheme in NumberingScheme.objects.select_related("item", "test_type__parent").order_by("pk"):
        scheme.items.set([scheme.item_id])
        scheme.test_types.set([scheme.test_type_id])
        scheme.document_kinds = [scheme.document_kind]
        test_type = scheme.test_type
        type_name = f"{test_type.parent.name}/{test_type.name}" if test_type.parent_id else test_type.name
        scheme.name = f"{scheme.item.name} · {type_name} · {scheme.document_kind}"[:200]
        scheme.save(update_fields=["document_kinds", "name"])


def sets_into_single_values(apps, schema_editor):
    NumberingScheme = apps.get_model("numbering", "NumberingScheme")
    for scheme in NumberingScheme.objects.order_by("pk"):
        items, test_types = list(scheme.items.all()), list(scheme.test_types.all())
        if len(items) != 1 or len(test_types) != 1 or len(scheme.document_kinds) != 1:
            raise RuntimeError(f"numbering scheme {scheme.pk} serves several items, types or kinds; "
                               "it cannot go back to one of each")
        scheme.item_id, scheme.test_type_id = items[0].pk, test_types[0].pk
        scheme.document_kind = scheme.document_kinds[0]
        scheme.save(update_fields=["item", "test_type", "document_kind"])


class Migration(migrations.Migration):

    dependencies = [
        ("doctype", "0001_initial"),
        ("numbering", "0002_chinese_field_labels"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="numberingscheme", name="unique_numbering_scheme"),
        migrations.AddField(
            model_name="numberingscheme", name="name",
            field=models.CharField(blank=True, max_length=200, verbose_name="scheme name", help_text=(
                "How people tell the scheme apart; made from what it numbers when left blank.")),
        ),
        migrations.AddField(
            model_name="numberingscheme", name="items",
            field=models.ManyToManyField(blank=True, help_text="Leave empty for every item.",
                                         related_name="numbering_schemes", to="doctype.item",
                                         verbose_name="items"),
        ),
        migrations.AddField(
            model_name="numberingscheme", name="test_types",
            field=models.ManyToManyField(
                blank=True, related_name="numbering_schemes", to="doctype.testtype", verbose_name="test types",
                help_text=("Leave empty for every test type. A test type covers its sub-types that have no "
                           "scheme of their own.")),
        ),
        migrations.AddField(
            model_name="numberingscheme", name="document_kinds",
            field=models.JSONField(blank=True, default=list, verbose_name="document kinds"),
        ),
        # The old single values give up their related names and may be empty until they go, so that
        # the migration also runs backwards.
        migrations.AlterField(
            model_name="numberingscheme", name="item",
            field=models.ForeignKey(null=True, on_delete=models.PROTECT, related_name="+", to="doctype.item"),
        ),
        migrations.AlterField(
            model_name="numberingscheme", name="test_type",
            field=models.ForeignKey(null=True, on_delete=models.PROTECT, related_name="+", to="doctype.testtype"),
        ),
        migrations.AlterField(
            model_name="numberingscheme", name="document_kind",
            field=models.CharField(default="", max_length=30),
        ),
        migrations.RunPython(single_values_into_sets, sets_into_single_values),
        migrations.AlterModelOptions(
            name="numberingscheme",
            options={"ordering": ["name", "id"], "verbose_name": "numbering scheme",
                     "verbose_name_plural": "numbering schemes"},
        ),
        migrations.RemoveField(model_name="numberingscheme", name="item"),
        migrations.RemoveField(model_name="numberingscheme", name="test_type"),
        migrations.RemoveField(model_name="numberingscheme", name="document_kind"),
    ]
