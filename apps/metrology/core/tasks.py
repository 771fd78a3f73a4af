"""Background jobs of the core app (run by `metrology worker`: the database queue or RQ)."""

from __future__ import annotations

from django_tasks import task

from metrology.core.audit import audit_chain_verify


@task()
def verify_audit_chain() -> dict:
    """Scheduled integrity check of the audit log; the result is kept by the task backend."""
    report = audit_chain_verify()
    first = report.first_break
    return {
        "ok": report.ok,
        "checked": report.checked,
        "first_break": {"id": first.event_id, "problem": first.problem} if first else None,
    }
