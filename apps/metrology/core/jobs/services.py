"""Running a failed job again: its task queued anew with the same arguments, as a new job; the failed one
stays as it was. Every job of the platform is idempotent (issuing a certificate finds the one already
made), so a job run twice does its work once."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks.base import Task
from redis.exceptions import RedisError

from metrology.core.audit import audit_log
from metrology.core.errors import ApplicationError
from metrology.core.jobs import FAILED, QueueUnreachable, job_queue
from metrology.core.permissions import perm

# Administrators: whoever manages roles sees the job queue, as they see the job backend on /healthz.
PERMISSION = "roles_manage"


class JobRefused(ApplicationError):
    pass


def may_manage_jobs(person: Any) -> bool:
    return bool(person.is_authenticated and person.has_perm(perm(PERMISSION)))


def _unreachable() -> JobRefused:
    return JobRefused(_("The job queue cannot be reached; please try again later."))


def _task(task_path: str) -> Task:
    try:
        task = import_string(task_path)
    except ImportError:
        task = None
    if not isinstance(task, Task):
        raise JobRefused(_("The task %(task)s no longer exists, so its job cannot be run again.")
                         % {"task": task_path})
    return task


def job_rerun(*, actor: Any, job_id: str) -> str:
    """Queue a failed job's task again with its arguments, audited; the new job's id."""
    if not may_manage_jobs(actor):
        raise JobRefused(_("You do not have permission to run background jobs again."))
    try:
        failed = job_queue().get(job_id)
    except QueueUnreachable:
        raise _unreachable() from None
    if failed is None:
        raise JobRefused(_("This job is no longer kept, so it cannot be run again."), field="job")
    if failed.state != FAILED:
        raise JobRefused(_("Only a failed job can be run again; this one is %(state)s.")
                         % {"state": failed.state_label}, field="job")
    task = _task(failed.task_path)
    with transaction.atomic():
        # The database queue adds the new job in this transaction, with its audit row; RQ adds it in Redis at
        # once, and if the audit row then failed the job would still run: harmless, it is idempotent.
        try:
            queued = task.enqueue(*failed.args, **failed.kwargs)
        except RedisError:
            raise _unreachable() from None
        audit_log(actor=actor, action="job.rerun", object_type="core.job",
                  before={"job": failed.id, "state": failed.state, "error": failed.error},
                  after={"job": str(queued.id), "task": failed.task_path, "args": list(failed.args),
                         "kwargs": failed.kwargs})
    return str(queued.id)
