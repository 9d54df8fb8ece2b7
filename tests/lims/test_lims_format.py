"""The event-log format: the model's export read back (round trip) and the row model."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hospital_twin.lims import (
    COLUMNS,
    EventLogRow,
    event_log_csv,
    event_log_json_schema,
    read_event_log,
    write_event_log,
)
from hospital_twin.lims.format import MODEL_STAMP, STEP_COLUMNS

SCRIPT = Path(sys.executable).parent / "hospital-twin"


def test_round_trip_gives_back_the_model_specimens(tmp_path, two_week_output):
    out = two_week_output
    path = write_event_log(out, tmp_path / "log.csv", start="2025-03-03")
    log = read_event_log(path)
    sp = out.specimens
    assert len(log) == len(sp) > 2000
    frame = log.frame
    assert list(frame["specimen_id"]) == [f"R0-{i:06d}" for i in sp["specimen_id"]]
    assert list(frame["pathway"]) == list(sp["pathway"])
    assert list(frame["priority"]) == list(sp["priority"])
    assert list(frame["source"]) == list(sp["source"])
    origin = pd.Timestamp("2025-03-03")
    for column, stamp in MODEL_STAMP.items():
        hours = log.hours(column, origin)
        model = sp[stamp].to_numpy(dtype=float)
        assert np.array_equal(np.isnan(hours), np.isnan(model)), column
        done = ~np.isnan(model)
        assert np.abs(hours[done] - model[done]).max() <= 0.5 / 3600 + 1e-9, column
    # two weeks: some specimens are still in the lab at the export, with blank steps
    assert frame["reported"].isna().sum() > 100
    cut = sp["cutup_end"].notna().to_numpy()
    assert np.array_equal(frame["blocks"].to_numpy()[cut], sp["num_blocks"].to_numpy()[cut])
    assert frame["blocks"][~cut].isna().all()
    sliced = sp["microtomy_end"].notna().to_numpy()
    assert np.array_equal(frame["slides"].to_numpy()[sliced], sp["num_slides"].to_numpy()[sliced])
    assert log.start >= origin and log.export_time <= origin + pd.Timedelta(hours=2 * 168)


def test_every_exported_row_satisfies_the_row_model(two_week_output):
    rows = list(csv.DictReader(io.StringIO(event_log_csv(two_week_output).decode())))
    assert list(rows[0]) == list(COLUMNS)
    for row in rows[::50]:
        parsed = EventLogRow.model_validate(row)
        assert parsed.received is not None
    schema = event_log_json_schema()
    published = Path(__file__).resolve().parents[2] / "docs" / "_static" / "event-log.schema.json"
    assert json.loads(published.read_text()) == schema  # the docs' copy is current
    assert set(schema["properties"]) == set(COLUMNS)
    assert set(schema["required"]) == {"specimen_id", "pathway", "priority", "received"}


def test_row_model_rejects_steps_out_of_order():
    row = {"specimen_id": "A1", "pathway": "Non-cancer", "priority": "routine",
           "received": "2024-01-01T09:00:00", "cutup_end": "2024-01-01T08:00:00"}
    with pytest.raises(ValueError, match="cutup_end .* is before received"):
        EventLogRow.model_validate(row)
    gap = row | {"cutup_end": "", "processing_end": "2024-01-02T08:00:00"}
    with pytest.raises(ValueError, match="processing_end is given but the earlier step"):
        EventLogRow.model_validate(gap)
    fine = EventLogRow.model_validate(row | {"cutup_end": "2024-01-01T10:00"})
    assert (fine.pathway, fine.priority) == ("noncancer", "Routine")


def test_simulate_writes_the_event_log_of_replication_0(tmp_path):
    log_path = tmp_path / "sim-log.csv"
    result = subprocess.run(
        [str(SCRIPT), "simulate", "--hours", "48", "--reps", "2", "--seed", "3", "--workers",
         "1", "--out", str(tmp_path / "r.json"), "--event-log", str(log_path),
         "--start", "2024-06-03"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert f"event log of replication 0 written to {log_path}" in result.stdout
    log = read_event_log(log_path)
    assert log.frame["specimen_id"].str.startswith("R0-").all()
    assert log.start.date().isoformat() == "2024-06-03"
    assert (log.frame["received"] < pd.Timestamp("2024-06-05")).all()
    assert set(STEP_COLUMNS) <= set(log.frame.columns)


def test_simulate_refuses_a_start_that_is_not_a_monday(tmp_path):
    result = subprocess.run(
        [str(SCRIPT), "simulate", "--hours", "24", "--out", str(tmp_path / "r.json"),
         "--event-log", str(tmp_path / "x.csv"), "--start", "2024-06-05"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert "must be a Monday" in result.stderr and "Wednesday 2024-06-05" in result.stderr
    assert not (tmp_path / "x.csv").exists()
