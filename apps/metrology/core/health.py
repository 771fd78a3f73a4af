"""What /healthz reports: the database, the job backend and the document converter."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import connection


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


def database_check() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"; the detail says which
        return Check(False, f"{connection.vendor}: {exc.__class__.__name__}")
    return Check(True, connection.vendor)


def jobs_check() -> Check:
    backend = settings.SITE.job_backend
    try:
        if backend == "rq":
            import django_rq
            from rq import Worker

            redis = django_rq.get_connection("default")
            redis.ping()
            workers = Worker.count(connection=redis)
            queued = django_rq.get_queue("default").count
            return Check(True, f"rq: {workers} worker(s), {queued} queued")
        from django_tasks_db.models import DBTaskResult

        queued = DBTaskResult.objects.filter(status="READY").count()
        return Check(True, f"database: {queued} queued")
    except Exception as exc:  # Redis down, table missing…: reported, never raised
        return Check(False, f"{backend}: {exc.__class__.__name__}")


def converter_check() -> Check:
    from metrology.print_formats.converter import converter_status

    status = converter_status()
    return Check(bool(status["ok"]), f"{status['mode']}: {status['detail']}")


def health_report() -> dict:
    checks = {"database": database_check(), "jobs": jobs_check(), "converter": converter_check()}
    essential_ok = checks["database"].ok and checks["jobs"].ok
    status = "ok" if essential_ok and checks["converter"].ok else ("degraded" if essential_ok else "down")
    return {"status": status, "checks": {name: asdict(check) for name, check in checks.items()}}


def public_health(report: dict) -> dict:
    """What an anonymous caller may know: up or down, nothing about paths, processes or queues."""
    return {"status": "down" if report["status"] == "down" else "up"}
