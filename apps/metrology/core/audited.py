"""Saving simple master data (no rules of its own) with its audit row in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.forms.models import model_to_dict

from metrology.core.audit import audit_log


@transaction.atomic
def instance_save(*, actor: Any, instance: models.Model, action: str) -> models.Model:
    before = model_to_dict(type(instance).objects.get(pk=instance.pk)) if instance.pk else None
    instance.full_clean()
    instance.save()
    audit_log(actor=actor, action=action, obj=instance, before=before, after=model_to_dict(instance))
    return instance
