"""Jobs of layouts (the PDF preview) run here by the suite's backend: the database queue or RQ (#8)."""

from __future__ import annotations

import pytest


class LayoutJobs:
    """What `metrology worker --burst` does, in this process, on the site's job backend."""

    def __init__(self):
        from django.conf import settings

        self.backend = settings.SITE.job_backend
        if self.backend == "rq":
            self._rq_queue().empty()  # jobs left in Redis by an earlier run

    def run(self) -> int:
        return self._run_rq() if self.backend == "rq" else self._run_database()

    @staticmethod
    def _rq_queue():
        import django_rq
        from django_tasks_rq.backend import Job

        return django_rq.get_queue("default", job_class=Job)

    def _run_rq(self) -> int:
        from django_tasks_rq.backend import Job
        from rq import SimpleWorker

        queue = self._rq_queue()
        count = queue.count
        SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True, with_scheduler=False)
        return count

    @staticmethod
    def _run_database() -> int:
        from django_tasks_db.management.commands.db_worker import Worker
        from django_tasks_db.models import DBTaskResult

        # The worker's own loop closes "old" connections, which would end the test's transaction.
        worker = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
                        startup_delay=False, max_tasks=None, worker_id="pytest", excluded_queue_names=[])
        done = 0
        while (result := DBTaskResult.objects.ready().order_by("enqueued_at").first()) is not None:
            result.claim(worker.worker_id)
            worker.run_task(result)
            done += 1
        return done


@pytest.fixture
def layout_jobs(db) -> LayoutJobs:
    return LayoutJobs()


@pytest.fixture
def layout_files(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return tmp_path / "files"
