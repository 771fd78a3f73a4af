"""The job queue as administrators see it on the Desk's 后台任务 page, whichever backend the site uses.

`job_queue()` answers for the site's backend through one small interface: `database` reads django_tasks_db's
DBTaskResult rows (.database), `rq` reads the django_rq queue and its registries in Redis (.rq). Both give
`Job` rows newest first, optionally of one state, as a sliceable listing a Paginator takes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"

STATES: dict[str, Promise] = {
    QUEUED: pgettext_lazy("job state", "queued"),
    RUNNING: pgettext_lazy("job state", "running"),
    SUCCEEDED: pgettext_lazy("job state", "succeeded"),
    FAILED: pgettext_lazy("job state", "failed"),
}

# What each job does, by its task's module path; a task not listed is shown by its path.
TASK_NAMES: dict[str, Promise] = {
    "metrology.certificates.tasks.issue_certificate": _("Issue a certificate"),
    "metrology.certificates.download_tasks.make_certificate_zip": _("Zip certificates for download"),
    "metrology.reports.tasks.make_report_export": _("Export a report"),
    "metrology.records.tasks.make_record_preview": _("Preview a raw record"),
    "metrology.print_formats.tasks.make_layout_preview": _("Preview a layout"),
    "metrology.regulations.tasks.extract_regulation_text": _("Extract the text of a regulation"),
    "metrology.core.tasks.verify_audit_chain": _("Verify the audit log"),
}

_QUALIFIED_EXCEPTION = re.compile(r"^(?:[A-Za-z_][\w]*\.)+(?P<name>[A-Za-z_]\w*(?::|$))")


def task_label(task_path: str) -> str:
    label = TASK_NAMES.get(task_path)
    return str(label) if label is not None else task_path


def last_line(traceback: str) -> str:
    """The last line of a traceback (the exception and its message), its class named without its module."""
    lines = [line.strip() for line in (traceback or "").splitlines() if line.strip()]
    return _QUALIFIED_EXCEPTION.sub(r"\g<name>", lines[-1]) if lines else ""


@dataclass(frozen=True)
class Job:
    id: str
    task_path: str
    state: str
    enqueued_at: dt.datetime | None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    attempts: int | None = None
    traceback: str = ""
    args: Sequence[Any] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def task_name(self) -> str:
        return task_label(self.task_path)

    @property
    def state_label(self) -> str:
        return str(STATES[self.state])

    @property
    def error(self) -> str:
        return last_line(self.traceback) if self.state == FAILED else ""


class QueueUnreachable(Exception):
    """The queue's store cannot be read (Redis down); the page says so instead of failing."""


class Listing(Protocol):
    """Jobs newest first: `count()` and slicing, which is all Django's Paginator asks."""

    def count(self) -> int: ...

    def __getitem__(self, window: slice) -> list[Job]: ...


class JobQueue(Protocol):
    def listing(self, state: str | None) -> Listing: ...

    def count(self, state: str) -> int: ...

    def get(self, job_id: str) -> Job | None: ...


def job_queue() -> JobQueue:
    """The queue of the site's job backend (site_config.json `jobs.backend`)."""
    if settings.SITE.job_backend == "rq":
        from metrology.core.jobs.rq import RQJobs

        return RQJobs()
    from metrology.core.jobs.database import DatabaseJobs

    return DatabaseJobs()
