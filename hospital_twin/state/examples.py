"""Example snapshots for notebooks, tests and benchmarks (a lab's real one comes from its LIMS)."""

from __future__ import annotations

import datetime as dt

from hospital_twin.state.snapshot import SnapshotRow


def backlog_snapshot(start: dt.datetime, n: int = 1400, stage: str = "cutup",
                     spread_hours: int = 120) -> list[SnapshotRow]:
    """``n`` specimens waiting at ``stage``, arrived evenly over the last ``spread_hours``
    hours before ``start``; cancer and non-cancer alternate (priority Cancer / Routine)."""
    return [
        SnapshotRow(specimen_id=f"S{i:05d}",
                    arrived_at=start - dt.timedelta(hours=1 + i % spread_hours),
                    pathway="cancer" if i % 2 else "noncancer",
                    priority="Cancer" if i % 2 else "Routine", stage=stage)
        for i in range(n)
    ]
