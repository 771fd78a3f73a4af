"""Issuing picks up where it stopped: approvals that should have issued a certificate and have none
issued — a job lost with a killed worker, a failure fixed since — are queued again when a worker starts.
Queuing one twice does no harm: issuing is idempotent (certificates.services)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from metrology.certificates.models import Certificate
from metrology.workflow.models import Effect, RecordStep


def approvals_without_certificate() -> QuerySet[RecordStep]:
    finished = Certificate.objects.filter(approval=OuterRef("pk"), replaces__isnull=True).exclude(
        state=Certificate.State.NUMBERED)
    return RecordStep.objects.filter(transition__effect=Effect.ISSUE).exclude(Exists(finished)).order_by("id")


def issuance_resume() -> int:
    """Queue the issuing job of every approval still without its certificate; how many."""
    from metrology.certificates.tasks import issue_certificate

    pending = list(approvals_without_certificate().values_list("pk", flat=True))
    for approval_id in pending:
        issue_certificate.enqueue(approval_id)
    return len(pending)
