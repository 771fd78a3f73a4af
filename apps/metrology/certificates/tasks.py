"""Background jobs of certificates (run by `metrology worker`): issuing never happens in a web request."""

from __future__ import annotations

from django_tasks import task

from metrology.certificates.services import certificate_issue


@task()
def issue_certificate(approval_id: int, replaces_id: int | None = None) -> dict:
    """Issue the certificate of one approval (or the reissue of a voided one); running it again changes
    nothing once it is issued."""
    certificate = certificate_issue(approval_id=approval_id, replaces_id=replaces_id)
    return {"certificate": certificate.pk, "number": certificate.number, "state": certificate.state}
