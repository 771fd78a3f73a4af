"""bench/entry: inspectors saving values with live results against a running server (issue 10).

Open loop: `--inspectors` phones (default 50), each saving one value of example F1 a second in step
order (50 saves/s in all), on schedule whatever the server answers; every 10th save of a phone repeats
the one before with the same request id (idempotency: it must come back "repeated"). Prints p50/p95/p99
latency and the errors, then steps the rate up (100, 150, … saves/s, the same phones saving faster)
until p95 > 50 ms or a save fails: the highest rate at which p95 stays ≤ 50 ms (when the
first run misses the goal, it steps down by 10 saves/s instead, until a rate passes).

Goal (issue 10): p95 ≤ 50 ms with 0 errors at 50 saves/s on 2 cores.
Run: .venv/bin/python bench/entry/run.py [--database mysql://USER:PASSWORD@127.0.0.1/metro_bench]
     [--seconds 30] [--rate 50] [--workers N] [--no-sweep] [--profile]
Quick check: .venv/bin/python bench/entry/run.py --seconds 3 --rate 5 (5 phones, sweep steps of 3 s)

The site is a throwaway one (`metrology new-site` in a temporary folder; SQLite unless --database,
whose database must be empty or missing: it is dropped at the end), served by `metrology serve
--prod` (gunicorn, with its job worker) on a free port. The load generator runs on the same machine
and takes some of its CPU; its own delay is printed as "client lag".
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import bench_site
import server
from open_loop import LoadResult, run_load

GOAL_P95_SECONDS = 0.050
GOAL_RATE = 50


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="mysql://… for MariaDB (an empty or missing database); default SQLite")
    parser.add_argument("--seconds", type=float, default=30, help="length of the measured run (default 30)")
    parser.add_argument("--rate", type=float, default=GOAL_RATE, help="saves a second in all (default 50)")
    parser.add_argument("--inspectors", type=int, default=None, help="phones (default: the rate, at most 50)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn workers (default 2 × cores + 1)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of load before measuring (default 2)")
    parser.add_argument("--step-seconds", type=float, default=None,
                        help="length of each step of the rate sweep (default: --seconds, at most 10)")
    parser.add_argument("--max-rate", type=float, default=1000, help="where the sweep stops at the latest")
    parser.add_argument("--no-sweep", action="store_true", help="only the run at --rate")
    parser.add_argument("--profile", action="store_true",
                        help="profile saves in this process afterwards (also done when the goal is missed)")
    args = parser.parse_args()
    args.inspectors = args.inspectors or max(1, min(50, round(args.rate)))
    args.step_seconds = args.step_seconds or min(10.0, args.seconds)
    return args


def _stop_on_signals() -> None:
    def interrupt(signum, frame):
        raise KeyboardInterrupt

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, interrupt)


def _passes(result: LoadResult) -> bool:
    return result.percentile(95) <= GOAL_P95_SECONDS and not result.errors


def _sweep(port: int, inspectors, args: argparse.Namespace, *, upwards: bool) -> float | None:
    """Upwards: 50 saves/s more a step from the first multiple of 50 above --rate, until a step fails.
    Downwards (--rate missed the goal): 10 saves/s less a step, until one passes. The highest that passes."""
    best = None
    rate = (int(args.rate) // 50 + 1) * 50 if upwards else (int(args.rate) - 1) // 10 * 10
    while 0 < rate <= args.max_rate:
        server.wait_until_idle(port)
        result = run_load(port=port, inspectors=inspectors, rate=rate, seconds=args.step_seconds, warmup=1)
        print("  sweep " + result.summary(), flush=True)
        passed = _passes(result)
        if passed != upwards:  # upwards the first failure ends it, downwards the first pass
            return rate if passed else best
        best = rate
        rate += 50 if upwards else -10
    return best if upwards else None


def _report_sweep(port: int, inspectors, args: argparse.Namespace, *, main_passed: bool) -> None:
    if main_passed:
        best = _sweep(port, inspectors, args, upwards=True)
        found = f"{best} saves/s" if best else f"{args.rate:g} saves/s (none of the steps above)"
    else:
        best = _sweep(port, inspectors, args, upwards=False)
        found = f"{best} saves/s" if best else "none of the steps below"
    print(f"highest rate with p95 ≤ 50 ms and 0 errors: {found}", flush=True)


def _print_server_trouble(log: Path) -> None:
    """What gunicorn said besides its access log: worker timeouts, tracebacks, busy-database answers."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines() if log.exists() else []
    trouble = [line for line in lines if not server.is_access_line(line) and "Booting worker" not in line]
    busy = sum(1 for line in lines if server.is_access_line(line) and '" 503 ' in line)
    if busy:
        print(f"server: {busy} saves answered 503 (database busy)")
    if any("WORKER TIMEOUT" in line or "Traceback" in line for line in trouble):
        print("server log (besides requests):\n  " + "\n  ".join(trouble[-15:]))


def _measure(work: Path, args: argparse.Namespace) -> None:
    sites = work / "sites"
    started = time.perf_counter()
    bench_site.new_site(sites, args.database)
    bench_site.use_site_here(sites)
    prepared = bench_site.populate(args.inspectors)
    port = server.free_port()
    running = server.start(sites, port, args.workers, work / "server.log")
    try:
        values = bench_site.f1_entry_order()
        with ThreadPoolExecutor(max_workers=4) as pool:  # Argon2 on each login: a few at a time
            inspectors = list(pool.map(lambda phone: server.log_in(port, phone), prepared.phones))
        for inspector in inspectors:
            server.start_task(port, inspector, prepared.item, prepared.sub_type, values)
        database = "MariaDB" if args.database else "SQLite"
        print(f"site on {database}, gunicorn with {args.workers} workers on {os.cpu_count()} cores, "
              f"{len(inspectors)} inspectors logged in on enabled devices with a task each "
              f"(set-up {time.perf_counter() - started:.0f} s; load average {os.getloadavg()[0]:.1f})", flush=True)
        main = run_load(port=port, inspectors=inspectors, rate=args.rate, seconds=args.seconds, warmup=args.warmup)
        print("open loop " + main.summary(), flush=True)
        verdict = "met" if _passes(main) else "NOT met"
        print(f"goal p95 ≤ 50 ms with 0 errors at {args.rate:g} saves/s: {verdict} "
              f"(load average {os.getloadavg()[0]:.1f})", flush=True)
        if not args.no_sweep:
            _report_sweep(port, inspectors, args, main_passed=_passes(main))
    finally:
        server.stop(running)
        _print_server_trouble(work / "server.log")
    if args.profile or not _passes(main):
        import save_profile

        save_profile.report(inspectors[0].username, prepared.phones[0].device, inspectors[0].record_id)


def main() -> None:
    args = _arguments()
    _stop_on_signals()
    work = Path(tempfile.mkdtemp(prefix="bench-entry-"))
    made_database = False
    try:
        if args.database:
            bench_site.refuse_a_database_in_use(args.database)
            made_database = True
        _measure(work, args)
    except KeyboardInterrupt:
        print("bench/entry: interrupted; cleaning up", file=sys.stderr)
        raise SystemExit(130) from None
    finally:
        if made_database:
            bench_site.drop_database(args.database)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
