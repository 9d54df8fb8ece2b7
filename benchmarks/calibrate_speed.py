"""Benchmark: calibrating from a 52-week LIMS event log (about 77,000 specimens).

Simulates replication 0 of the bundled lab for 52 weeks (not timed), writes its event log,
then times what ``hospital-twin calibrate`` does with it, step by step: reading and checking
the CSV, estimating, writing the calibrated workbook and reading it back, and rendering the
report. The requirement is at most 20 s in total; the exit status is 1 above it.

Usage: ``.venv/bin/python benchmarks/calibrate_speed.py [--weeks 52]``
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from hospital_twin.config import default_config, read_workbook, write_workbook
from hospital_twin.lims import read_event_log, write_event_log
from hospital_twin.lims.calibrate import calibrate
from hospital_twin.lims.calibration_report import calibration_markdown
from hospital_twin.model import run_replication

LIMIT_SECONDS = 20.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=float, default=52)
    args = parser.parse_args()
    base = default_config()
    with tempfile.TemporaryDirectory() as tmp:
        log_path = Path(tmp) / "log.csv"
        started = time.perf_counter()
        write_event_log(run_replication(base, 0, sim_hours=args.weeks * 168), log_path)
        print(f"prepared a {args.weeks:g}-week log in {time.perf_counter() - started:.1f} s "
              f"(not timed): {log_path.stat().st_size / 1e6:.1f} MB")
        steps: list[tuple[str, float]] = []
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            steps.append((name, now - clock))
            clock = now

        log = read_event_log(log_path)
        lap(f"read and check {len(log):,} rows")
        result = calibrate(log, base)
        lap("estimate")
        out = Path(tmp) / "cal.xlsx"
        write_workbook(result.config, out)
        read_workbook(out)
        lap("write workbook and read it back")
        calibration_markdown(result, "bundled default", out.name)
        result.arrivals_table().to_csv(Path(tmp) / "arrivals.csv", index=False)
        lap("report and arrivals CSV")
    for name, seconds in steps:
        print(f"  {name:<36}{seconds:6.2f} s")
    total = sum(s for _, s in steps)
    verdict = "OK" if total <= LIMIT_SECONDS else "TOO SLOW"
    print(f"calibrate total: {total:.2f} s for {len(log):,} specimens "
          f"(limit {LIMIT_SECONDS:g} s): {verdict}")
    return 0 if total <= LIMIT_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
