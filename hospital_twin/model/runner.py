"""Replications: one pure function per replication, and a process pool for many (spec 9).

``run_replication`` depends only on its arguments (configuration, replication index, run
length), so a queue worker can call it anywhere and get the same answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TYPE_CHECKING

from hospital_twin.config.models import LabConfig
from hospital_twin.model.lab import Lab, run_and_free
from hospital_twin.model.output import ReplicationOutput

if TYPE_CHECKING:
    from hospital_twin.state.snapshot import SnapshotRow

Progress = Callable[[int, int], None]


def run_replication(
    config: LabConfig,
    replication_index: int,
    sim_hours: float | None = None,
    warmup_hours: float | None = None,
    state: Sequence[SnapshotRow] | None = None,
) -> ReplicationOutput:
    """Simulate replication ``replication_index`` of ``config`` and return its outputs.

    ``sim_hours`` and ``warmup_hours`` default to ``config.run``. The warm-up is only passed
    on to the KPIs: the lab starts empty at t = 0 and arrivals run to the end (11.C23).
    """
    started = time.perf_counter()
    hours = float(config.run.sim_hours if sim_hours is None else sim_hours)
    warmup = float(config.run.warmup_hours if warmup_hours is None else warmup_hours)
    if hours <= 0:
        raise ValueError(f"sim_hours must be > 0, got {hours:g}")
    if not 0 <= warmup < hours:
        raise ValueError(f"warm-up ({warmup:g} h) must lie in [0, run length {hours:g} h)")
    return run_and_free(Lab(config, replication_index, hours, state),
                        lambda lab: lab.output(warmup, time.perf_counter() - started))


def run_replications(
    config: LabConfig,
    reps: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    sim_hours: float | None = None,
    warmup_hours: float | None = None,
    state: Sequence[SnapshotRow] | None = None,
) -> list[ReplicationOutput]:
    """Replications 0..reps-1 (default ``config.run.replications``) in order.

    With ``workers`` > 1 they run in a process pool. ``progress(done, total)`` is called in
    this process after each replication finishes.
    """
    total = config.run.replications if reps is None else int(reps)
    if total < 1:
        raise ValueError(f"reps must be >= 1, got {total}")
    results: list[ReplicationOutput | None] = [None] * total
    if workers <= 1 or total == 1:
        for i in range(total):
            results[i] = run_replication(config, i, sim_hours, warmup_hours, state)
            if progress is not None:
                progress(i + 1, total)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, total)) as pool:
            futures = {
                pool.submit(run_replication, config, i, sim_hours, warmup_hours, state): i
                for i in range(total)
            }
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if progress is not None:
                    progress(done, total)
    return [r for r in results if r is not None]
