"""bench/zip: 1,000 certificates zipped with their raw records and manifest.csv (issue 12; goal ≤ 5 s).

A throwaway site (`metrology new-site` in a temporary folder, SQLite unless --database, a MariaDB
server URL on which a new database is made and dropped afterwards) gets --certificates issued
certificates whose signed PDF and raw record PDF are synthetic but real PDF files of typical size
(60–150 KB, content that does not compress, as signed PDFs'), stored through Django's storage API.
Then the download job's work (metrology.certificates.downloads.certificate_zip_make) is timed over all
of them, --rounds times: streaming every file into the zip while checking its SHA-256, manifest.csv,
hashing the zip and storing it. Prints seconds and files a second for each round.
Run: .venv/bin/python bench/zip/run.py [--certificates 1000] [--rounds 3] [--no-raw-records]
     [--database mysql://USER:PASSWORD@127.0.0.1:3306/]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from metrology.testing.cli_sites import CliSites

GOAL_SECONDS = 5.0
SCENARIO = Path(__file__).resolve().parent / "scenario.py"


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--certificates", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-raw-records", action="store_true", help="certificates only, no raw record PDFs")
    parser.add_argument("--database", help="mysql://USER:PASSWORD@HOST:PORT/ of a MariaDB server (default: SQLite)")
    return parser.parse_args()


def main() -> int:
    options = _arguments()
    root = Path(tempfile.mkdtemp(prefix="bench-zip-"))
    sites = CliSites(root=root / "sites", server_url=options.database)
    sites.root.mkdir()
    try:
        sites.new_site("zip")
        script = (f"import runpy; runpy.run_path({str(SCENARIO)!r})['main']("
                  f"certificates={options.certificates}, raw={not options.no_raw_records}, rounds={options.rounds})")
        result = sites.run("--site", "zip", "shell", "-c", script, timeout=3600)
    finally:
        sites.drop_databases()
        shutil.rmtree(root, ignore_errors=True)
    line = next((line for line in result.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"the run printed no result:\n{result.stdout}\n{result.stderr}")
    facts = json.loads(line.removeprefix("RESULT "))
    print(f"database: {'MariaDB' if options.database else 'SQLite'}; {facts['certificates']} certificates"
          f"{'' if options.no_raw_records else ' with raw records'}; {facts['stored_bytes'] / 1e6:.0f} MB stored "
          f"(prepared in {facts['prepare_seconds']:.1f} s); {os.cpu_count()} CPUs")
    ok = True
    for number, run in enumerate(facts["runs"], start=1):
        good = run["state"] == "done" and run["crc_ok"] and run["entries"] == run["files"] + 1
        ok &= good and run["seconds"] <= GOAL_SECONDS
        print(f"round {number}: {run['seconds']:.2f} s, {run['files'] / run['seconds']:.0f} files/s "
              f"({run['files']} files + manifest.csv, zip {run['zip_bytes'] / 1e6:.0f} MB), "
              f"{'intact' if good else 'NOT INTACT'}; goal ≤ {GOAL_SECONDS:.0f} s: "
              f"{'met' if run['seconds'] <= GOAL_SECONDS else 'missed'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
