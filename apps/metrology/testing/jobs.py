"""The site's job queue run in the test's own process, on the suite's backend (database queue or RQ):
what `metrology worker --burst` does, without ending the test's transaction."""

from __future__ import annotations


class InProcessJobs:
    def __init__(self):
        from django.conf import settings

        self.backend = settings.SITE.job_backend
        if self.backend == "rq":
            self._rq_queue().empty()  # jobs left in Redis by an earlier run

    def queued(self) -> int:
        if self.backend == "rq":
            return self._rq_queue().count
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.ready().count()

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
