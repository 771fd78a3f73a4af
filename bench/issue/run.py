"""bench/issue: sealed and signed certificates a second on this machine, and the ratio to the sum of the raw
steps (render, convert, stamp, sign) measured in the same run (#12; goal ≥ 10 /s and ≤ 1.2×).

A throwaway site (SQLite, `metrology new-site` in a temporary folder) with the JJG 443 pack, its
certificate layout and numbering, and --certificates approved records. Then:
1. one process issues a first half as the job does (certificate_issue: number, render, convert, stamp,
   sign, store, audit), one after the other: the per-certificate time;
2. the same process times the raw steps alone on the same record, --certificates/2 times each;
3. two processes issue the rest at once (one per core): certificates a second on 2 cores.
Each process's first certificate (or round of raw steps) is not timed: it starts that process's warm
LibreOffice (≈ 3 s) and fills its caches, as a long-running worker has done before its next batch.
Run: .venv/bin/python bench/issue/run.py [--certificates 40]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "apps"))

from metrology.testing.cli_sites import CliSites  # noqa: E402


def _result(completed: subprocess.CompletedProcess) -> dict:
    line = next((line for line in completed.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"no result:\n{completed.stdout}\n{completed.stderr}")
    return json.loads(line.removeprefix("RESULT "))


def _shell(sites: CliSites, script: str) -> list[str]:
    return [sys.executable, "-m", "metrology.cli", "shell", "-c", script]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=40)
    count = parser.parse_args().certificates
    half = count // 2
    with tempfile.TemporaryDirectory() as folder:
        sites = CliSites(root=Path(folder))
        sites.new_site("bench")
        sites.run("shell", "-c", f"from metrology.testing.issuing import approved; approved({count})", timeout=1800)
        # 1. one process, the first half (parts of 2: part 0 is every other approval)
        alone = _result(sites.run("shell", "-c", "from metrology.testing.issuing import issue_part; "
                                  "issue_part(0, 2)", timeout=1800))
        # 2. the raw steps, in one process as well
        steps = _result(sites.run("shell", "-c", f"from metrology.testing.issuing import raw_steps; "
                                  f"raw_steps({half})", timeout=1800))
        # 3. the other half on two processes at once
        workers = [subprocess.Popen(_shell(sites, f"from metrology.testing.issuing import issue_part; "
                                           f"issue_part({n}, 2)"), env=sites.env(), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for n in range(2)]
        together = [_result(subprocess.CompletedProcess(w.args, w.wait(), *w.communicate())) for w in workers]
        wall = max(part["seconds"] for part in together)  # both timed after their first (warm-up) certificate
    per_certificate = alone["seconds"] / alone["issued"]
    raw = {name: seconds / steps["count"] for name, seconds in steps["seconds"].items()}
    issued_together = sum(part["issued"] for part in together)
    print(f"one process: {alone['issued']} certificates, {per_certificate * 1000:.0f} ms each "
          f"({1 / per_certificate:.1f} /s)")
    print("raw steps per document: " + ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in raw.items())
          + f"; sum {sum(raw.values()) * 1000:.0f} ms")
    print(f"ratio issue / sum of raw steps: {per_certificate / sum(raw.values()):.2f}x (goal ≤ 1.2x)")
    print(f"two processes: {issued_together} certificates in {wall:.1f} s = {issued_together / wall:.1f} /s "
          f"on 2 cores (goal ≥ 10 /s)")


if __name__ == "__main__":
    main()
