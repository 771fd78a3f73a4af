"""Background jobs on both backends: the embedded database queue and Redis + RQ (real services)."""

from __future__ import annotations

import pytest

ENQUEUE = ("from metrology.core.tasks import verify_audit_chain; "
           "print('JOB', verify_audit_chain.enqueue().id)")
RESULT = ("from metrology.core.tasks import verify_audit_chain; r = verify_audit_chain.get_result('{id}'); "
          "print('STATUS', r.status, r.return_value if r.status == 'SUCCESSFUL' else r.errors)")


def _last_word_after(marker: str, output: str) -> str:
    line = next(line for line in output.splitlines() if line.startswith(marker))
    return line.split(" ", 1)[1]


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_a_job_enqueued_by_the_app_is_run_by_the_worker(cli_sites, backend):
    extra = ["--jobs", "rq", "--redis-url", "redis://127.0.0.1:6379/14"] if backend == "rq" else []
    cli_sites.new_site("institute", *extra)
    job_id = _last_word_after("JOB", cli_sites.run("shell", "-c", ENQUEUE).stdout)
    cli_sites.run("worker", "--burst", timeout=120)
    status = _last_word_after("STATUS", cli_sites.run("shell", "-c", RESULT.format(id=job_id)).stdout)
    assert status.startswith("SUCCESSFUL"), status
    assert "'ok': True" in status
