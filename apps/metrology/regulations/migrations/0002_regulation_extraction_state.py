"""Text extraction became a background job (#7 item 6): its state and the reason of a failure.
Regulations uploaded before had their text read during the upload, so they are "done"."""

from django.db import migrations, models

STATES = [("pending", "Waiting for text extraction"), ("running", "Extracting the text"),
          ("done", "Text extracted"), ("failed", "Text extraction failed")]


class Migration(migrations.Migration):

    dependencies = [
        ("regulations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="regulation",
            name="extraction_state",
            field=models.CharField(choices=STATES, default="done", max_length=10,
                                   verbose_name="text extraction"),
        ),
        migrations.AlterField(
            model_name="regulation",
            name="extraction_state",
            field=models.CharField(choices=STATES, default="pending", max_length=10,
                                   verbose_name="text extraction"),
        ),
        migrations.AddField(
            model_name="regulation",
            name="extraction_error",
            field=models.CharField(blank=True, max_length=300, verbose_name="why the extraction failed"),
        ),
    ]
