from __future__ import annotations

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_default_roles")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="auth_generation",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False,
                                                    verbose_name="created at")),
                ("expires_at", models.DateTimeField(editable=False, verbose_name="expires at")),
                ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True,
                                                      verbose_name="last used at")),
                ("person", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="api_tokens",
                                             to=settings.AUTH_USER_MODEL, verbose_name="person")),
            ],
            options={"verbose_name": "API token", "verbose_name_plural": "API tokens", "ordering": ["-created_at"]},
        ),
    ]
