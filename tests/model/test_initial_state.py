"""Loading the lab's state at t = 0 (spec 11.C25 amended, issue 14 step 2)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from hospital_twin.config.calendar import Calendar
from hospital_twin.config.models import LabConfig
from hospital_twin.forecast.daily import daily_from_stamps
from hospital_twin.model.lab import Lab
from hospital_twin.model.output import STAGES, stage_ends_for_wip
from hospital_twin.state import SnapshotRow

START = dt.datetime(2026, 12, 7)
DRAWN = ["pathway", "priority", "source", "cutup_type", "block_type", "decalc"]


def _rows(n_per_stage: int = 3) -> list[SnapshotRow]:
    rows = []
    for stage in STAGES:
        for i in range(n_per_stage):
            rows.append(SnapshotRow(
                specimen_id=f"{stage}-{i}", arrived_at=START - dt.timedelta(hours=30 + i),
                pathway="cancer" if i % 2 else "noncancer",
                priority="Cancer" if i % 2 else "Routine", stage=stage,
            ))
    return rows


@pytest.fixture(scope="module")
def dated(reference_config: LabConfig) -> LabConfig:
    return reference_config.model_copy(update={"calendar": Calendar(start=START)})


def _run(config: LabConfig, rows: list[SnapshotRow] | None, hours: float = 10 * 24) -> Lab:
    lab = Lab(config, 0, hours, rows)
    lab.run()
    return lab


def test_loaded_specimens_enter_at_their_stage_and_count_tat_from_arrival(
    dated: LabConfig,
) -> None:
    rows = _rows()
    out = _run(dated, rows).output()
    loaded = out.specimens.iloc[:len(rows)]
    expected_arrival = np.array([(r.arrived_at - START).total_seconds() / 3600 for r in rows])
    assert np.array_equal(loaded["reception_start"].to_numpy(), expected_arrival)
    for row, (_, s) in zip(rows, loaded.iterrows(), strict=True):
        position = STAGES.index(row.stage)
        if row.stage != "reception":
            assert s[f"{row.stage}_start"] == 0.0
        for earlier in STAGES[1:position]:
            assert np.isnan(s[f"{earlier}_start"]), (row.stage, earlier)
        assert s["report_end"] > 0  # all are reported within ten days
        assert s["num_blocks"] >= 1 and s["num_slides"] >= s["num_blocks"]
    assert out.wip["Total WIP"].values[0] == len(rows)  # in the lab at t = 0
    tat = loaded["report_end"] - loaded["reception_start"]
    assert (tat > 30).all()  # counted from the real arrival, over a day before t = 0


def test_common_random_numbers_hold_for_new_arrivals(dated: LabConfig) -> None:
    empty = _run(dated, None, 72.0).output().specimens
    loaded = _run(dated, _rows(), 72.0).output().specimens.iloc[len(_rows()):]
    assert len(loaded) == len(empty) > 100
    assert np.array_equal(loaded["reception_start"].to_numpy(),
                          empty["reception_start"].to_numpy())
    for column in DRAWN:
        assert loaded[column].tolist() == empty[column].tolist(), column


def test_loaded_attributes_are_the_same_in_every_scenario(dated: LabConfig) -> None:
    """Drawn from the state stream: a staffing change does not change them."""
    rows = _rows()
    resources = dict(dated.resources)
    resources["BMS"] = resources["BMS"].scaled(2.0)
    more_bms = dated.model_copy(update={"resources": resources})
    a = _run(dated, rows, 24.0).output().specimens.iloc[:len(rows)]
    b = _run(more_bms, rows, 24.0).output().specimens.iloc[:len(rows)]
    for column in DRAWN:
        assert a[column].tolist() == b[column].tolist(), column
    other_seed = _run(dated.with_run(seed=99), rows, 24.0).output().specimens
    assert other_seed.iloc[:len(rows)]["cutup_type"].tolist() != a["cutup_type"].tolist()


def test_given_blocks_and_slides_are_kept(dated: LabConfig) -> None:
    row = SnapshotRow(specimen_id="X", arrived_at=START - dt.timedelta(days=2),
                      pathway="cancer", priority="Cancer", stage="staining", blocks=3,
                      slides=7)
    lab = Lab(dated, 0, 1.0, [row])
    lab.run()
    (specimen,) = lab.specimens[:1]
    assert specimen.num_blocks == 3 and specimen.num_slides == 7
    assert sorted(n for _, n in specimen.blocks) == [2, 2, 3]


def test_without_a_calendar_the_snapshot_is_dated_from_the_default_start(
    reference_config: LabConfig,
) -> None:
    row = SnapshotRow(specimen_id="X", arrived_at=dt.datetime(2023, 12, 31, 12),
                      pathway="cancer", priority="Urgent", stage="qc")
    lab = Lab(reference_config, 0, 48.0, [row])
    lab.run()
    assert lab.specimens[0].stamps[0] == -12.0


def test_a_run_without_monitors_is_the_same_simulation(dated: LabConfig) -> None:
    """A forecast's lean run (no busy/queue logs) simulates exactly what a full run does."""
    full = Lab(dated, 2, 3 * 24.0, _rows())
    lean = Lab(dated, 2, 3 * 24.0, _rows(), monitors=False)
    full.run()
    lean.run()
    assert len(full.specimens) > len(_rows())  # arrivals joined the loaded specimens
    np.testing.assert_array_equal(full.stamps(), lean.stamps())
    assert full.events_processed() == lean.events_processed()
    assert len(full.resources["BMS"].log_t) > 1 and len(lean.resources["BMS"].log_t) == 1
    with pytest.raises(RuntimeError, match="without monitors"):
        lean.output()


def test_a_loaded_specimen_is_in_no_stage_it_had_passed(dated: LabConfig) -> None:
    """A snapshot of specimens waiting at cut-up: at t = 0 they are in cut-up, not also in
    reception (their reception ended before the snapshot; its end stamp is unknown), both in
    the run's WIP monitors and in the forecast's per-day WIP by stage."""
    n = 40
    rows = [SnapshotRow(specimen_id=f"c{i}", arrived_at=START - dt.timedelta(hours=20),
                        pathway="noncancer", priority="Routine", stage="cutup")
            for i in range(n)]
    lab = _run(dated, rows, 48.0)
    out = lab.output()
    assert np.isnan(out.specimens["reception_end"].iloc[:n]).all()  # unknown, as loaded
    assert out.wip["Cut-up"].values[0] == n
    assert out.wip["Reception"].values[0] == 0
    # Reception WIP is that of the run's own arrivals only: the loaded ones never count.
    own = _run(dated, None, 48.0).output().wip["Reception"]
    assert out.wip["Reception"].values.max() == own.values.max() < n
    daily = daily_from_stamps(lab.stamps(), 2)
    own_daily = daily_from_stamps(_run(dated, None, 48.0).stamps(), 2)
    assert np.array_equal(daily.wip_by_stage["reception"], own_daily.wip_by_stage["reception"])


def test_stage_ends_for_wip_fill_only_passed_stages() -> None:
    nan = np.nan
    k = len(STAGES)
    # Loaded at cut-up (reception end unknown), cut up by 5, in processing from 6.
    loaded_at_cutup = [-20.0, nan, 0.0, 5.0, 6.0] + [nan] * (2 * k - 5)
    normal = [1.0, 2.0, 3.0, 4.0, 5.0] + [nan] * (2 * k - 5)
    ends = stage_ends_for_wip(np.array([loaded_at_cutup, normal]))
    assert ends[0, 0] == 0.0  # reception ends when cut-up starts
    assert ends[0, 1] == 5.0 and np.isnan(ends[0, 2])  # still in processing
    assert np.isnan(ends[0, 3:]).all()  # stages not reached stay open/unstarted
    assert ends[1, 0] == 2.0 and ends[1, 1] == 4.0 and np.isnan(ends[1, 2])
