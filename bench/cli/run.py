"""bench/cli: `metrology compute FILE VALUES` (the installed console script, with a site existing)
against `python -c 'import decimal, json'` (the interpreter starting and importing what a JSON
calculator needs), in one run; prints times and their ratio.

Goal (issue 7): ≤ 5×. Before the change: 0.98 s with a site, 57×.
Run: .venv/bin/python bench/cli/run.py [ROUNDS]

The site is made with `metrology new-site` in a temporary METROLOGY_SITES_DIR and is the current
site, as on an institute's machine. Byte-code is cached as an installed package's is (in a temporary
PYTHONPYCACHEPREFIX, so the checkout stays clean), and each side runs once before timing.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"
PACK = REPO / "apps" / "metrology" / "packs" / "jjg443_fuel_dispenser.json"
EXAMPLES = REPO / "tests" / "data" / "examples" / "fuel_dispenser_jjg443.json"
BASELINE = [str(BIN / "python"), "-c", "import decimal, json"]


def environment(sites: Path, pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "METROLOGY_SITE", "DJANGO_SETTINGS_MODULE")}
    return {**env, "METROLOGY_SITES_DIR": str(sites), "PYTHONPYCACHEPREFIX": str(pycache)}


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    with tempfile.TemporaryDirectory(prefix="bench-cli-") as work:
        work_dir = Path(work)
        env = environment(work_dir / "sites", work_dir / "pycache")
        (work_dir / "sites").mkdir()
        subprocess.run([str(BIN / "metrology"), "new-site", "bench", "--admin-password", "Bench-cli-2026"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        values = work_dir / "values.json"
        example = json.loads(EXAMPLES.read_text(encoding="utf-8"))["examples"][0]
        values.write_text(json.dumps(example["inputs"], ensure_ascii=False), encoding="utf-8")
        compute = [str(BIN / "metrology"), "compute", str(PACK), str(values)]

        answer = subprocess.run(compute, env=env, check=True, capture_output=True, text=True).stdout
        assert json.loads(answer)["检定结论"] == example["expected"]["检定结论"]
        timed(BASELINE, env)

        compute_times, baseline_times, ratios = [], [], []
        for _ in range(rounds):  # alternating, so a change in machine load moves both sides alike
            compute_time, baseline_time = timed(compute, env), timed(BASELINE, env)
            compute_times.append(compute_time)
            baseline_times.append(baseline_time)
            ratios.append(compute_time / baseline_time)

    print("site: bench (sites/currentsite), JJG 443 pack file, one flow point of 3 runs (example F1)")
    print(f"metrology compute FILE VALUES:       {statistics.median(compute_times) * 1000:6.0f} ms")
    print(f"python -c 'import decimal, json':    {statistics.median(baseline_times) * 1000:6.0f} ms")
    print(f"ratio compute / python:              {statistics.median(ratios):6.1f}×  (median of {rounds} "
          f"interleaved rounds; quartiles {quartiles(ratios)}; goal ≤ 5×)")


def quartiles(ratios: list[float]) -> str:
    low, _median, high = statistics.quantiles(ratios, n=4)
    return f"{low:.1f}–{high:.1f}×"


if __name__ == "__main__":
    main()
