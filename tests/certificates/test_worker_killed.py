"""Killing the worker in the middle of issuing a batch, then starting it again, leaves no duplicate and no
missing certificate or number (#12): numbers are allocated in their own transaction, the slow work runs
after, and a starting worker queues again every approval still without its certificate."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

RECORDS = 24


def _facts(cli_sites) -> dict:
    result = cli_sites.run("shell", "-c", "from metrology.testing.issuing import report; report()", timeout=120)
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def _worker(cli_sites) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "metrology.cli", "worker"], env=cli_sites.env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                            start_new_session=True)  # its own process group: the converter goes with it


def test_a_worker_killed_while_issuing_leaves_no_duplicate_and_no_missing_certificate(cli_sites):
    cli_sites.new_site("institute")
    cli_sites.run("shell", "-c", f"from metrology.testing.issuing import approved; approved({RECORDS})", timeout=300)
    worker = _worker(cli_sites)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not _facts(cli_sites)["certificates"]:
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # no goodbye: the job in hand is lost as it is
        worker.wait(timeout=30)
    midway = _facts(cli_sites)["certificates"]
    assert midway, "the worker began no certificate in 4 minutes"
    assert len([c for c in midway if c["state"] == "issued"]) < RECORDS, "killed too late to tell"

    cli_sites.run("worker", "--burst", timeout=600)

    facts = _facts(cli_sites)
    certificates = facts["certificates"]
    assert len(certificates) == RECORDS and {c["state"] for c in certificates} == {"issued"}
    assert len({c["approval_id"] for c in certificates}) == RECORDS
    numbers = sorted(c["number"] for c in certificates)
    assert len(set(numbers)) == RECORDS and sorted(facts["numbers"]) == numbers  # none issued twice or lost
    sequences = sorted(int(number.rsplit("-", 1)[1]) for number in numbers)
    assert sequences == list(range(1, RECORDS + 1))  # no gap either
    assert all(c["pdf_sha256"] for c in certificates)
