"""bench/formula: recompute a 2-flow × 3-run fuel-dispenser record with the JJG 443 pack, and the
same formulas hand-written in Decimal Python, in one run; prints times and their ratio.

Goal (issue 3): ≤ 2 ms per record and ≤ 3× the hand-written code.
Run: .venv/bin/python bench/formula/run.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from decimal import Decimal, localcontext
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "apps"))

from metrology.doctype.engine import compile_procedure, compute  # noqa: E402

PACK = json.loads((REPO / "apps/metrology/packs/jjg443_fuel_dispenser.json").read_text(encoding="utf-8"))
EXAMPLES = json.loads((REPO / "tests/data/examples/fuel_dispenser_jjg443.json").read_text(encoding="utf-8"))
FLOWS = [EXAMPLES["examples"][0]["inputs"], EXAMPLES["examples"][1]["inputs"]]  # two flow points, 3 runs each

BETA_Y = {"汽油": Decimal("0.0012"), "柴油": Decimal("0.0009"), "煤油": Decimal("0.0009")}
BETA_B = {"不锈钢": Decimal("0.000050"), "碳钢": Decimal("0.000033")}
D_N = {2: Decimal("1.13"), 3: Decimal("1.69"), 4: Decimal("2.06")}


def by_hand(inputs: dict) -> dict:
    """JJG 443 written directly: what the engine must come close to."""
    with localcontext() as context:
        context.prec = 34
        v0, h0, d = Decimal(inputs["V0"]), Decimal(inputs["h0"]), Decimal(inputs["d"])
        beta_y, beta_b = BETA_Y[inputs["油品"]], BETA_B[inputs["量器材质"]]
        errors = []
        for run in inputs["runs"]:
            v_b = v0 + (Decimal(run["h"]) - h0) * d / 1000
            t_j, t_b = Decimal(run["t_J"]), Decimal(run["t_B"])
            v_bt = v_b * (1 + beta_y * (t_j - t_b) + beta_b * (t_b - 20))
            errors.append((Decimal(run["V_J"]) - v_bt) / v_bt * 100)
        mean = sum(errors) / len(errors)
        repeatability = (max(errors) - min(errors)) / D_N[len(errors)] if len(errors) >= 2 else None
        failed = [label for label, ok in (("示值误差", abs(mean) <= Decimal("0.30")),
                                          ("重复性", repeatability is None or repeatability <= Decimal("0.10")))
                  if not ok]
        return {"示值误差": mean, "重复性": repeatability, "不合格项目": failed}


def per_record(fn, number: int = 100) -> float:
    """Seconds for one 2-flow record (both flow points computed), averaged over `number` records."""
    start = time.perf_counter()
    for _ in range(number):
        for inputs in FLOWS:
            fn(inputs)
    return (time.perf_counter() - start) / number


def interleaved(engine, hand, rounds: int = 25) -> tuple[float, float, float]:
    """Median engine time, median hand time, and the median of the per-round ratios.

    The two are timed in alternating rounds so that a change in machine load (other processes on a
    2-core machine) affects both alike instead of skewing one side of the ratio."""
    engine_times, hand_times, ratios = [], [], []
    for _ in range(rounds):
        engine_time, hand_time = per_record(engine), per_record(hand)
        engine_times.append(engine_time)
        hand_times.append(hand_time)
        ratios.append(engine_time / hand_time)
    return statistics.median(engine_times), statistics.median(hand_times), statistics.median(ratios)


def without_generated_plan(procedure):
    """The same compiled procedure on the exact (closure) path only: what the generated plan saves."""
    return procedure.replace(fast=None)


def main() -> None:
    procedure = compile_procedure(PACK)
    exact = without_generated_plan(procedure)
    for compiled in (procedure, exact):
        for inputs in FLOWS:  # same answers, or the comparison means nothing
            ours, theirs = compute(compiled, inputs), by_hand(inputs)
            assert ours.values["示值误差"] == theirs["示值误差"], (ours.values["示值误差"], theirs["示值误差"])
            assert ours.failed_items == theirs["不合格项目"]
    engine_time, hand_time, ratio = interleaved(lambda inputs: compute(procedure, inputs), by_hand)
    exact_time, exact_hand_time, exact_ratio = interleaved(lambda inputs: compute(exact, inputs), by_hand)
    print(f"engine (JJG 443 pack, parsed once): {engine_time * 1000:.3f} ms per 2-flow × 3-run record")
    print(f"hand-written Decimal Python:        {hand_time * 1000:.3f} ms per record")
    print(f"ratio engine / hand-written:        {ratio:.2f}×  (median of 25 interleaved rounds; "
          f"goal ≤ 3×, ≤ 2 ms per record)")
    print(f"exact path only (no generated plan): {exact_time * 1000:.3f} ms per record, "
          f"{exact_ratio:.2f}× hand-written ({exact_hand_time * 1000:.3f} ms)")


if __name__ == "__main__":
    main()
