"""The processing-start estimate (``hospital_twin.analysis.capacity``) beside the model.

Usage: ``.venv/bin/python benchmarks/processing_starts.py [--layout 2024] [--machines 7]
[--weeks 10] [--reps 3]``. Prints the estimate's runs a week per programme, then the runs the
model released (``Batcher.batches``) in weeks 2 .. weeks + 1 of each replication: the run
of ``weeks + 1`` weeks minus the run of 1 week (same seed, so the first week is identical),
leaving out the week the empty lab fills. Use enough processing machines for the lab to keep
up (7 for the 2024 workbook), else runs wait and the counts measure the machines, not the
demand.
"""

from __future__ import annotations

import argparse

import numpy as np

from hospital_twin.analysis.capacity import processing_starts
from hospital_twin.config import read_workbook, template_path
from hospital_twin.config.models import ResourceSchedule
from hospital_twin.model.lab import Lab
from hospital_twin.model.stages.processing import PROGRAMME_BY_BLOCK, URGENT_PROGRAMME

NAMES = dict(zip(("small", "large", "mega"), PROGRAMME_BY_BLOCK.values(), strict=True))


def _batches(config, rep: int, weeks: float) -> dict[str, tuple[int, int]]:
    lab = Lab(config, rep, weeks * 168.0, None)
    lab.run()
    return {p: (b.batches, b.items_released) for p, b in lab.programmes.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--layout", default="2024")
    parser.add_argument("--machines", type=int, default=7)
    parser.add_argument("--weeks", type=int, default=10)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    config = read_workbook(template_path(args.layout))
    old = config.resources["Processing machine"]
    machines = ResourceSchedule(working_days=old.working_days,
                                half_hour_units=[args.machines] * 48)
    config = config.model_copy(update={"resources": {**config.resources,
                                                     "Processing machine": machines}})
    estimate = processing_starts(config)
    table = estimate.table()
    print(f"{args.layout} workbook, {args.machines} processing machines; estimate: "
          f"{estimate.starts_needed_full:.1f} machine-starts a week if every run were full, "
          f"{estimate.starts_needed:.1f} expected, {estimate.starts_available:g} available")
    per_week: dict[str, list[tuple[float, float]]] = {p: [] for p in NAMES.values()}
    per_week[URGENT_PROGRAMME] = []
    for rep in range(args.reps):
        first, whole = _batches(config, rep, 1), _batches(config, rep, args.weeks + 1)
        for programme in per_week:
            runs = (whole[programme][0] - first[programme][0]) / args.weeks
            blocks = (whole[programme][1] - first[programme][1]) / args.weeks
            per_week[programme].append((runs, blocks))
    print(f"{'programme':<10}{'blocks/wk est':>15}{'model':>9}{'runs/wk est':>13}"
          f"{'model':>9}  (model: mean of {args.reps} replications, weeks 2-{args.weeks + 1})")
    for short, programme in NAMES.items():
        runs, blocks = np.mean(per_week[programme], axis=0)
        row = table.loc[short]
        print(f"{short:<10}{row.blocks_per_week:>15.0f}{blocks:>9.0f}{row.runs:>13.2f}"
              f"{runs:>9.2f}")
    runs, blocks = np.mean(per_week[URGENT_PROGRAMME], axis=0)
    print(f"{'urgent':<10}{estimate.urgent_blocks:>15.0f}{blocks:>9.0f}"
          f"{estimate.urgent_runs_full:>13.2f}{runs:>9.2f}  (estimate: every run full)")


if __name__ == "__main__":
    main()
