"""bench/approval: 50 approvers approving 200 records at once, against one approver alone (issue 11).

Each run is a throwaway site (`metrology new-site` in a temporary folder; SQLite unless --database, a
MariaDB server URL on which a new database is made and dropped afterwards) with the JJG 443 pack
published and --records fuel-dispenser records waiting for approval, each submitted and verified
through the workflow engine (metrology.testing.review). Then --approvers threads, each with its own
database connection, approve them at once (an approver refused because someone else was first refreshes
what it sees and goes on); the baseline is one approver approving the same number of records alone.
Prints approvals a second for both, their ratio, the tries and refusals, and checks exactly-once
(every record approved by one approver, the audit chain intact).

Signatures are checked with the tests' MD5 password hashing unless --argon2: the site's Argon2 costs
about 0.2 s of CPU a signature by design, which then bounds the rate on 2 cores.
Run: .venv/bin/python bench/approval/run.py [--database mysql://USER:PASSWORD@127.0.0.1:3306/]
     [--approvers 50] [--records 200] [--rounds 1] [--argon2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from metrology.testing.cli_sites import CliSites


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="mysql://USER:PASSWORD@HOST:PORT/ of a MariaDB server (default: "
                                           "SQLite)")
    parser.add_argument("--approvers", type=int, default=50)
    parser.add_argument("--records", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1, help="alone and together, alternately (default 1)")
    parser.add_argument("--argon2", action="store_true", help="the site's own password hashing")
    return parser.parse_args()


def _run(sites: CliSites, name: str, approvers: int, records: int, argon2: bool) -> dict:
    sites.new_site(name)
    script = ("from metrology.testing.review import main; "
              f"main(approvers={approvers}, records={records}, guarded=0, "
              f"fast_password_hashing={not argon2})")
    result = sites.run("--site", name, "shell", "-c", script, timeout=3600)
    line = next((line for line in result.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"the run printed no result:\n{result.stdout}\n{result.stderr}")
    return json.loads(line.removeprefix("RESULT "))


def _summary(facts: dict, records: int) -> dict:
    outcomes = facts["outcomes"]
    approvals = Counter(pk for outcome in outcomes for pk in outcome["approved"])
    refused = sum(len(outcome["refusals"]) for outcome in outcomes)
    exactly_once = (sum(approvals.values()) == records and set(approvals) == set(facts["raced"])
                    and set(approvals.values()) == {1}
                    and all(record["state"] == "approved" for record in facts["records"].values())
                    and len(facts["audited_approvals"]) == records)
    return {"seconds": facts["seconds"]["race"], "rate": records / facts["seconds"]["race"],
            "tries": sum(approvals.values()) + refused, "refused": refused,
            "busy_retries": sum(outcome["busy_retries"] for outcome in outcomes),
            "errors": [error for outcome in outcomes for error in outcome["errors"]],
            "ok": exactly_once and facts["chain_ok"] and facts["finished"],
            "prepare": facts["seconds"]["submitted_and_verified"]}


def _line(label: str, summary: dict) -> str:
    return (f"{label:>14}: {summary['rate']:6.1f} approvals/s ({summary['seconds']:.1f} s), "
            f"{summary['tries']} tries, {summary['refused']} refused, "
            f"{summary['busy_retries']} busy retries, {len(summary['errors'])} errors, "
            f"exactly once and chain intact: {summary['ok']}  [preparing: {summary['prepare']:.1f} s]")


def main() -> int:
    options = _arguments()
    root = Path(tempfile.mkdtemp(prefix="bench-approval-"))
    sites = CliSites(root=root / "sites", server_url=options.database)
    sites.root.mkdir()
    print(f"database: {'MariaDB' if options.database else 'SQLite'}; {options.records} records; password "
          f"hashing: {'Argon2' if options.argon2 else 'MD5'}; load average {os.getloadavg()[0]:.1f}")
    ratios, failed = [], False
    try:
        for round_ in range(options.rounds):
            alone = _summary(_run(sites, f"alone{round_}", 1, options.records, options.argon2),
                             options.records)
            print(_line("1 approver", alone), flush=True)
            crowd = _summary(_run(sites, f"crowd{round_}", options.approvers, options.records,
                                  options.argon2), options.records)
            print(_line(f"{options.approvers} approvers", crowd), flush=True)
            for error in (alone["errors"] + crowd["errors"])[:5]:
                print(f"  error: {error}")
            failed |= not (alone["ok"] and crowd["ok"]) or bool(alone["errors"] or crowd["errors"])
            ratios.append(crowd["rate"] / alone["rate"])
            print(f"{'ratio':>14}: {ratios[-1]:.2f} (together / alone); "
                  f"load average {os.getloadavg()[0]:.1f}")
    finally:
        sites.drop_databases()
        shutil.rmtree(root, ignore_errors=True)
    if len(ratios) > 1:
        print(f"ratios over {len(ratios)} rounds: {', '.join(f'{r:.2f}' for r in ratios)}")
    return 1 if failed else 0


if __name__ == "__main__":
    started = time.monotonic()
    status = main()
    print(f"({time.monotonic() - started:.0f} s)")
    sys.exit(status)
