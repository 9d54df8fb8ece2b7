"""Wall time of many replications on 1 and 2 local worker processes (issue 4's scaling check).

Usage: ``.venv/bin/python benchmarks/replication_scaling.py [--reps 30] [--weeks 6]
[--workers 1 2]``. Runs the reference workbook, builds the results JSON, and prints the
wall time, the speed-up over one worker and the efficiency per worker.
"""

from __future__ import annotations

import argparse
import time

from hospital_twin.config import default_config
from hospital_twin.kpis import build_results
from hospital_twin.model import run_replications


def measure(reps: int, weeks: float, workers: int) -> tuple[float, float]:
    """Seconds to simulate ``reps`` replications, and to build their results JSON."""
    config = default_config().with_run(sim_hours=weeks * 168, replications=reps, seed=1)
    start = time.perf_counter()
    outputs = run_replications(config, reps, workers=workers)
    simulated = time.perf_counter()
    build_results(outputs, config.model_dump(mode="json"), config.run.seed)
    return simulated - start, time.perf_counter() - simulated


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--weeks", type=float, default=6)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    baseline = None
    for workers in args.workers:
        sim_s, kpi_s = measure(args.reps, args.weeks, workers)
        if workers == 1:
            baseline = sim_s
        speedup = (baseline / sim_s) if baseline else float("nan")
        print(
            f"{args.reps} reps x {args.weeks:g} weeks, {workers} worker(s): "
            f"simulate {sim_s:.1f} s ({sim_s / args.reps:.2f} s/rep), KPIs {kpi_s:.1f} s, "
            f"speed-up {speedup:.2f}x, efficiency {speedup / workers:.0%}"
        )


if __name__ == "__main__":
    main()
