"""Every model change has its migration, so a site migrated from scratch matches the code."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_migrations_describe_every_model_as_the_code_defines_it():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"models changed without a migration; run `metrology makemigrations`:\n{out.getvalue()}")
