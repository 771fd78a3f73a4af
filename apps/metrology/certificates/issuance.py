"""An approval whose transition says "issue" queues the certificate's job once it is committed."""

from __future__ import annotations

from django.dispatch import receiver

from metrology.workflow.engine import step_taken
from metrology.workflow.models import Effect


@receiver(step_taken, dispatch_uid="certificates-issue-on-approval")
def issue_after_approval(sender, step, transition, **kwargs) -> None:
    if transition.effect == Effect.ISSUE:
        from metrology.certificates.tasks import issue_certificate

        issue_certificate.enqueue(step.pk)
