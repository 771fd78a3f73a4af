from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0004_chinese_field_labels"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="jurisdiction",
            field=models.CharField(
                blank=True,
                help_text=(
                    "The districts, separated by 、 or commas, whose records this person may see: a record "
                    "belongs when its user's address (使用单位地址) or client names one of them. Empty means "
                    "the whole institute."
                ),
                max_length=200,
                verbose_name="jurisdiction",
            ),
        ),
    ]
