"""The model's own specimens written as a LIMS event log (the format's round trip).

Simulated hours count from the run start, Monday 00:00 (``hospital_twin.model.output``); the
log gives them as date-times from a chosen Monday (default :data:`DEFAULT_START`), rounded to
the second. A step not done by the run end is blank, as in a real export; ``blocks`` is blank
until cut-up has cut them and ``slides`` until microtomy has cut every slide.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from hospital_twin.lims.format import COLUMNS, DEFAULT_START, MODEL_STAMP
from hospital_twin.model.output import ReplicationOutput

ISO_FORMAT = "%Y-%m-%dT%H:%M:%S"


def check_start(start: dt.datetime | dt.date | str | None) -> pd.Timestamp:
    """The run start as a timestamp: a Monday at 00:00, as the model's week begins.

    A date or ``YYYY-MM-DD`` text means that day at 00:00; anything but a Monday midnight
    raises ValueError saying so.
    """
    stamp = pd.Timestamp(DEFAULT_START if start is None else start)
    if stamp.tzinfo is not None:
        raise ValueError("give the run start as local time without a time-zone offset")
    if stamp.weekday() != 0 or stamp != stamp.normalize():
        raise ValueError(f"the run start must be a Monday at 00:00 (the model's week starts "
                         f"then), got {stamp:%A %Y-%m-%d %H:%M}")
    return stamp


def typed_frame(output: ReplicationOutput, start: dt.datetime | str | None = None
                ) -> pd.DataFrame:
    """One replication's specimens as the reader gives a log: ``datetime64`` steps (NaT
    where not done), float counts (NaN where not yet known), text attributes."""
    origin = check_start(start)
    sp = output.specimens.reset_index(drop=True)
    frame = pd.DataFrame({
        "specimen_id": [f"R{output.replication}-{int(s):06d}" for s in sp["specimen_id"]],
        "pathway": sp["pathway"].astype(str),
        "priority": sp["priority"].astype(str),
    })
    for column, stamp in MODEL_STAMP.items():
        hours = sp[stamp].to_numpy(dtype=float)
        frame[column] = origin + pd.to_timedelta(hours, unit="h")
    frame["blocks"] = sp["num_blocks"].astype(float).where(sp["cutup_end"].notna())
    frame["slides"] = sp["num_slides"].astype(float).where(sp["microtomy_end"].notna())
    frame["source"] = sp["source"].astype(str)
    return frame[list(COLUMNS)]


def event_log_frame(output: ReplicationOutput, start: dt.datetime | str | None = None
                    ) -> pd.DataFrame:
    """One replication's specimens as event-log rows (all text, in :data:`COLUMNS` order)."""
    frame = typed_frame(output, start)
    for column in MODEL_STAMP:
        frame[column] = pd.DatetimeIndex(frame[column]).round("s").strftime(ISO_FORMAT)
        frame[column] = frame[column].fillna("")
    for column in ("blocks", "slides"):
        frame[column] = frame[column].map(lambda v: "" if v != v else str(int(v)))
    return frame


def write_event_log(output: ReplicationOutput, destination: str | Path,
                    start: dt.datetime | str | None = None) -> Path:
    """Write one replication's event log as CSV; returns the path."""
    path = Path(destination)
    path.parent.mkdir(parents=True, exist_ok=True)
    event_log_frame(output, start).to_csv(path, index=False)
    return path


def event_log_csv(output: ReplicationOutput, start: dt.datetime | str | None = None) -> bytes:
    """One replication's event log as CSV bytes (for downloads)."""
    return event_log_frame(output, start).to_csv(index=False).encode("utf-8")
