"""Wall time of a forecast from a 1,400-specimen snapshot (issue 14's speed target).

Usage: ``.venv/bin/python benchmarks/forecast_speed.py [--days 28] [--reps 30]
[--workers 2] [--specimens 1400]``. Runs the reference workbook from a snapshot of
``--specimens`` specimens waiting at cut-up, on the local process pool, and prints the wall
time of the whole forecast (forecast replications, the reference replications of the
steady level, and the per-day figures) against the 10 s target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import time

from hospital_twin.config import default_config
from hospital_twin.forecast import forecast
from hospital_twin.forecast.run import REFERENCE_REPS, WARMUP_DAYS
from hospital_twin.state import backlog_snapshot

START = dt.datetime(2026, 12, 7)
TARGET_S = 10.0


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its finished children (the pool)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--specimens", type=int, default=1400)
    args = parser.parse_args()
    rows = backlog_snapshot(START, args.specimens)
    started = time.perf_counter()
    cpu_before = _cpu_seconds()
    result = forecast(default_config(), rows, START, args.days, args.reps, args.workers)
    wall = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    load = os.getloadavg()[0]
    print(
        f"forecast {args.days} days x {args.reps} reps from {args.specimens} specimens "
        f"(+ {min(args.reps, REFERENCE_REPS)} reference reps x {WARMUP_DAYS + args.days} "
        f"days), {args.workers} worker(s): {wall:.1f} s wall "
        f"(target <= {TARGET_S:g} s: {'met' if wall <= TARGET_S else 'NOT met'}; "
        f"load average {load:.1f} on {os.cpu_count()} cores)"
    )
    print(f"CPU time of this process and its workers: {cpu:.1f} s, so about "
          f"{cpu / args.workers:.1f} s wall on {args.workers} otherwise idle cores")
    print(f"backlog cleared: {result['backlog_cleared']}")


if __name__ == "__main__":
    main()
