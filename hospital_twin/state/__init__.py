"""The lab's state at the start of a run: the per-specimen snapshot and its validator."""

from hospital_twin.state.snapshot import SnapshotRow, read_snapshot, write_snapshot_csv

__all__ = ["SnapshotRow", "read_snapshot", "write_snapshot_csv"]
