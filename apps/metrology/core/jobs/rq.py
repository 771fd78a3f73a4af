"""The Redis job queue (RQ through django_rq): waiting jobs are in the queue (or its scheduled and deferred
registries), the others in its registries of started, finished and failed jobs, for as long as RQ keeps them
(finished ones for `result_ttl`, failed ones for `failure_ttl`). Each run of a job leaves an RQ result."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import django_rq
from django_tasks_rq.backend import Job as RQJob
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import JobStatus
from rq.queue import Queue
from rq.results import Result

from metrology.core.jobs import FAILED, QUEUED, RUNNING, STATES, SUCCEEDED, Job, QueueUnreachable

QUEUE_NAME = "default"  # settings.TASKS and RQ_QUEUES name this one queue

STATE_OF_STATUS = {
    JobStatus.QUEUED: QUEUED, JobStatus.SCHEDULED: QUEUED, JobStatus.DEFERRED: QUEUED,
    JobStatus.STARTED: RUNNING, JobStatus.FINISHED: SUCCEEDED,
    JobStatus.FAILED: FAILED, JobStatus.STOPPED: FAILED, JobStatus.CANCELED: FAILED,
}


@contextmanager
def _reachable() -> Iterator[None]:
    try:
        yield
    except RedisError as error:
        raise QueueUnreachable(f"Redis: {error.__class__.__name__}") from error


def _queue() -> Queue:
    return django_rq.get_queue(QUEUE_NAME, job_class=RQJob)


def _registries(queue: Queue, state: str) -> list:
    return {
        QUEUED: [queue.scheduled_job_registry, queue.deferred_job_registry],
        RUNNING: [queue.started_job_registry],
        SUCCEEDED: [queue.finished_job_registry],
        FAILED: [queue.failed_job_registry, queue.canceled_job_registry],
    }[state]


def _ids(queue: Queue, state: str) -> list[str]:
    ids = queue.get_job_ids() if state == QUEUED else []
    for registry in _registries(queue, state):
        ids += registry.get_job_ids()
    return ids


def _state(job: RQJob) -> str:
    return STATE_OF_STATUS.get(job.get_status(refresh=False), QUEUED)


def _job(job: RQJob) -> Job:
    results = job.results()  # newest first, one per run
    failures = [result for result in results if result.type == Result.Type.FAILED]
    return Job(
        id=job.id, task_path=job.func_name or "", state=_state(job),
        enqueued_at=job.enqueued_at or job.created_at, started_at=job.started_at, finished_at=job.ended_at,
        attempts=len(results), traceback=(failures[0].exc_string or "") if failures else "",
        args=list(job.args), kwargs=dict(job.kwargs))


class _Found:
    """The jobs of some states, fetched once and sorted newest first; details are read for a page only."""

    def __init__(self, queue: Queue, states: list[str]):
        self.queue, self.states = queue, states
        self._jobs: list[RQJob] | None = None

    def _all(self) -> list[RQJob]:
        if self._jobs is None:
            with _reachable():
                self._jobs = self._fetched()
        return self._jobs

    def _fetched(self) -> list[RQJob]:
        ids = list(dict.fromkeys(job_id for state in self.states for job_id in _ids(self.queue, state)))
        fetched = RQJob.fetch_many(ids, connection=self.queue.connection, serializer=self.queue.serializer)
        jobs = [job for job in fetched if job is not None and _state(job) in self.states]
        jobs.sort(key=lambda job: (job.enqueued_at or job.created_at, job.id), reverse=True)
        return jobs

    def count(self) -> int:
        return len(self._all())

    def __getitem__(self, window: slice) -> list[Job]:
        jobs = self._all()[window]
        with _reachable():
            return [_job(job) for job in jobs]


class RQJobs:
    def __init__(self) -> None:
        self.queue = _queue()

    def listing(self, state: str | None) -> _Found:
        return _Found(self.queue, [state] if state else list(STATES))

    def count(self, state: str) -> int:
        with _reachable():
            waiting = self.queue.count if state == QUEUED else 0
            return waiting + sum(registry.count for registry in _registries(self.queue, state))

    def get(self, job_id: str) -> Job | None:
        with _reachable():
            try:
                job = RQJob.fetch(job_id, connection=self.queue.connection, serializer=self.queue.serializer)
            except (NoSuchJobError, ValueError):
                return None
            return _job(job)
