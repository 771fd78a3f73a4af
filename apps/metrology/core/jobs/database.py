"""The database job queue (django_tasks_db): one DBTaskResult row per job, kept after it ends."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from metrology.core.jobs import FAILED, QUEUED, RUNNING, SUCCEEDED, Job

STATUS_OF_STATE = {
    QUEUED: TaskResultStatus.READY,
    RUNNING: TaskResultStatus.RUNNING,
    SUCCEEDED: TaskResultStatus.SUCCESSFUL,
    FAILED: TaskResultStatus.FAILED,
}
STATE_OF_STATUS = {status: state for state, status in STATUS_OF_STATE.items()}


def _job(row: DBTaskResult) -> Job:
    return Job(
        id=str(row.id), task_path=row.task_path, state=STATE_OF_STATUS[row.status],
        enqueued_at=row.enqueued_at, started_at=row.started_at, finished_at=row.finished_at,
        attempts=len(row.worker_ids or ()),  # a worker claiming the job adds its id: one per run
        traceback=row.traceback, args=list(row.args_kwargs.get("args", [])),
        kwargs=dict(row.args_kwargs.get("kwargs", {})))


class _Rows:
    def __init__(self, rows: QuerySet[DBTaskResult]):
        self.rows = rows

    def count(self) -> int:
        return self.rows.count()

    def __getitem__(self, window: slice) -> list[Job]:
        return [_job(row) for row in self.rows[window]]


class DatabaseJobs:
    def _rows(self, state: str | None = None) -> QuerySet[DBTaskResult]:
        rows = DBTaskResult.objects.all()
        return rows.filter(status=STATUS_OF_STATE[state]) if state else rows

    def listing(self, state: str | None) -> _Rows:
        return _Rows(self._rows(state).order_by("-enqueued_at", "-pk"))

    def count(self, state: str) -> int:
        return self._rows(state).count()

    def get(self, job_id: str) -> Job | None:
        try:
            uuid.UUID(job_id)
        except ValueError:  # not a job id of this queue (a typo, a link from an RQ site): no such job
            return None
        row = DBTaskResult.objects.filter(pk=job_id).first()
        return _job(row) if row is not None else None
