"""The lab's state at the start of a run: the per-specimen snapshot and its validator."""

from hospital_twin.state.examples import backlog_snapshot
from hospital_twin.state.snapshot import SnapshotRow, read_snapshot, write_snapshot_csv

__all__ = ["backlog_snapshot", "SnapshotRow", "read_snapshot", "write_snapshot_csv"]
