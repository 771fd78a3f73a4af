"""bench/report: the report builder and its exports over a million records (#13; goals: a filter on a
procedure field with a grouped count ≤ 1 s, on SQLite and on MariaDB; an .xlsx export of 100,000 rows
≤ 10 s with a peak memory < 200 MB).

A throwaway site (`metrology new-site` in a temporary folder; SQLite unless --database, whose database
must be empty or missing: it is dropped at the end) gets --records records with their procedure values
(RecordField rows: 4–5 a record) written straight into the tables in large executemany batches, the
RecordField indexes dropped before and built after (scenario.generate; the services are not the subject
here). Then, each in a process of its own:
1. the builder's queries as a statistician runs them (report_parse + report_groups): 柴油 records (a
   filter on the procedure field 油品, a quarter of all) counted by conclusion and by client, and a
   number range on 示值误差 counted by conclusion; plus the first page of rows with its count. Each is run
   3 times; the query plans of the grouped counts are printed;
2. an .xlsx export of --export-rows records (13 columns, 4 of them procedure fields) asked for through
   the service and made by the export job's function in a process that does nothing else: its seconds
   and its peak resident memory (getrusage), the Python process with Django included;
3. step 1 again after ANALYZE (the planner's statistics, which the site never gathers by itself).
Run: .venv/bin/python bench/report/run.py [--records 1000000] [--export-rows 100000]
     [--database mysql://root@127.0.0.1:3306/metro_bench_report]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "apps"))

from metrology.testing.cli_sites import CliSites  # noqa: E402

SCENARIO = Path(__file__).resolve().parent / "scenario.py"
SITE = "report"
GOAL_GROUPED_SECONDS = 1.0
GOAL_EXPORT_SECONDS = 10.0
GOAL_EXPORT_MB = 200.0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--export-rows", type=int, default=100_000)
    parser.add_argument("--database", help="mysql://USER:PASSWORD@HOST:PORT/NAME of an empty or missing MariaDB "
                                           "database, dropped at the end (default: SQLite)")
    parser.add_argument("--no-analyze", action="store_true", help="skip step 3")
    return parser.parse_args()


def _mysql(url: str):
    import MySQLdb

    parsed = urlparse(url)
    return MySQLdb.connect(host=parsed.hostname or "127.0.0.1", port=parsed.port or 3306,
                           user=unquote(parsed.username or "root"), passwd=unquote(parsed.password or ""))


def _database_name(url: str) -> str:
    return unquote(urlparse(url).path.lstrip("/"))


def _refuse_a_database_in_use(url: str) -> None:
    connection = _mysql(url)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = %s", [_database_name(url)])
        if cursor.fetchone()[0]:
            raise SystemExit(f"bench/report: the database {_database_name(url)} already has tables; give the name of "
                             "an empty or missing one (it is dropped at the end)")
    finally:
        connection.close()


def _drop_database(url: str) -> None:
    connection = _mysql(url)
    try:
        connection.cursor().execute(f"DROP DATABASE IF EXISTS `{_database_name(url)}`")
    finally:
        connection.close()


def _step(sites: CliSites, call: str) -> dict:
    script = f"import runpy; runpy.run_path({str(SCENARIO)!r})[{call.split('(')[0]!r}]({call.split('(', 1)[1]}"
    result = sites.run("--site", SITE, "shell", "-c", script, timeout=3600)
    line = next((line for line in result.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"no result from {call}:\n{result.stdout}\n{result.stderr}")
    return json.loads(line.removeprefix("RESULT "))


def _print_grouped(facts: dict, title: str) -> None:
    print(f"\n{title}")
    for name, case in facts["cases"].items():
        best, first = min(case["seconds"]), case["seconds"][0]
        print(f"  {name}: first {first:.3f} s, best {best:.3f} s ({best / GOAL_GROUPED_SECONDS:.2f}× the 1 s goal); "
              f"{case['groups']} groups, {case['counted']} records")
        for plan in case["plans"]:
            print("    plan: " + "\n          ".join(plan["plan"]))
    page = facts["first page with its count"]
    print(f"  first page of 50 rows with its count ({page['total']} rows): first {page['seconds'][0]:.3f} s, "
          f"best {min(page['seconds']):.3f} s")


def main() -> None:
    options = _arguments()
    root = Path(tempfile.mkdtemp(prefix="bench-report-"))
    sites = CliSites(root=root / "sites")
    sites.root.mkdir()
    made_database = False
    try:
        if options.database:
            _refuse_a_database_in_use(options.database)
            made_database = True
        sites.run("new-site", SITE, "--admin-password", "Bench-report-2026",
                  *(["--db", options.database] if options.database else []))
        began = time.perf_counter()
        made = _step(sites, f"generate({options.records})")
        print(f"database: {'MariaDB' if options.database else 'SQLite'}; {os.cpu_count()} CPUs")
        print(f"generated {made['records']:,} records and {made['record_fields']:,} procedure values in "
              f"{made['seconds']:.0f} s, of which {made['indexes_seconds']:.0f} s building the indexes "
              f"({time.perf_counter() - began:.0f} s with the process)")
        _print_grouped(_step(sites, "grouped()"), "1. filter on a procedure field + grouped count (the site as it is)")
        prepared = _step(sites, f"export_prepare({options.export_rows})")
        exported = _step(sites, f"export_run({prepared['export']})")
        print(f"\n2. .xlsx export of {exported['rows']:,} rows × {prepared['columns']} columns: {exported['state']} "
              f"{exported['error']}")
        print(f"  {exported['seconds']:.1f} s ({exported['seconds'] / GOAL_EXPORT_SECONDS:.2f}× the 10 s goal; "
              f"{exported['rows'] / exported['seconds']:,.0f} rows/s); file {exported['file_mb']:.1f} MB")
        print(f"  peak RSS {exported['peak_rss_mb']:.0f} MB ({exported['peak_rss_mb'] / GOAL_EXPORT_MB:.2f}× the "
              f"200 MB goal; {exported['rss_before_mb']:.0f} MB before the export began)")
        if not options.no_analyze:
            _print_grouped(_step(sites, "grouped(analyze=True)"), "3. the same after ANALYZE")
    finally:
        if made_database:
            _drop_database(options.database)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
