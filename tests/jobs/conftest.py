"""Fixtures of the job queue page: every test runs on both job backends in this process, the database
queue and Redis + RQ, whatever backend the suite's site uses; the queue is run as `metrology worker
--burst` does."""

from __future__ import annotations

import dataclasses
import os

import pytest

from metrology.testing.jobs import InProcessJobs

# A Redis database of this folder's own, emptied before each test (the RQ suite uses 15, tests/core 14).
REDIS_URL = os.environ.get("METROLOGY_TEST_JOBS_PAGE_REDIS_URL", "redis://127.0.0.1:6379/13")
BACKENDS = {
    "database": {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}},
    "rq": {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
}


def use_backend(settings, backend: str, redis_url: str = REDIS_URL) -> None:
    """Make the site use `backend` for this test, as site_config.json's `jobs` and settings.py would."""
    from django_tasks import task_backends

    jobs_config = {"backend": backend, **({"redis_url": redis_url} if backend == "rq" else {})}
    settings.SITE = dataclasses.replace(settings.SITE, config={**settings.SITE.config, "jobs": jobs_config})
    settings.TASKS = BACKENDS[backend]
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 600}} if backend == "rq" else {}
    expected = {"database": "DatabaseBackend", "rq": "RQBackend"}[backend]
    assert type(task_backends["default"]).__name__ == expected


@pytest.fixture
def switch_backend(settings):
    return lambda backend, redis_url=REDIS_URL: use_backend(settings, backend, redis_url)


@pytest.fixture(params=sorted(BACKENDS))
def jobs(request, settings, tmp_path) -> InProcessJobs:
    settings.MEDIA_ROOT = str(tmp_path / "files")
    use_backend(settings, request.param)
    if request.param == "rq":
        import django_rq

        django_rq.get_connection("default").flushdb()  # jobs and registries left by an earlier test
    return InProcessJobs()
