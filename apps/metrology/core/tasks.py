"""Background jobs of the core app (run by `metrology worker`: the database queue or RQ)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django_tasks import task
from django_tasks.base import Task

from metrology.core.audit import audit_chain_verify

logger = logging.getLogger(__name__)


def enqueue_on_commit(job: Task, *args: Any, **kwargs: Any) -> None:
    """Enqueue `job` once the current transaction commits, so the worker finds what it works on;
    a queue that cannot be reached is logged (what was saved stays saved, and can be queued again)."""

    def enqueue() -> None:
        try:
            job.enqueue(*args, **kwargs)
        except Exception:
            logger.exception("could not enqueue %s%r", job.module_path, args)

    transaction.on_commit(enqueue)


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
