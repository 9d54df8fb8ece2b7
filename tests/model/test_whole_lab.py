"""Whole-lab behaviour: exact hand-computed times, routing fixes, conservation, CRN."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from model_configs import count, minutes, simple_config

from hospital_twin.config.labels import RESOURCES, RUNNER_JOURNEYS, STAFF
from hospital_twin.config.models import LabConfig, RunnerTimes
from hospital_twin.model import run_replication, run_replications
from hospital_twin.model.lab import Lab
from hospital_twin.model.output import SPECIMEN_COLUMNS, STAGES, WIP_NAMES

WEEK = 168.0
DELIVERY_MIN = 2.0  # 2023 layout: 120 s out
ATTRIBUTES = ["pathway", "priority", "source", "cutup_type", "block_type", "decalc"]


def m(*tasks: str) -> float:
    return sum(minutes(t) for t in tasks)


def stage_minutes(df: pd.DataFrame, stage: str) -> np.ndarray:
    return ((df[f"{stage}_end"] - df[f"{stage}_start"]) * 60).to_numpy()


EMBED_AND_TRIM = ("Embedding", "Embedding (cooldown)", "Block trimming")
LOAD_UNLOAD = ("Load processing machine", "Unload processing machine")
STAINING_REGULAR = (
    "Load staining machine (regular)", "Staining (regular)", "Unload staining machine (regular)",
    "Load coverslip machine (regular)", "Coverslipping (regular)",
    "Unload coverslip machine (regular)",
)
SCANNING_REGULAR = (
    "Load scanning machine (regular)", "Scanning (regular)", "Unload scanning machine (regular)",
)


def test_hand_computable_lab_gives_the_exact_tat() -> None:
    """Constant durations, ample resources, batches of one, one route: TAT is a sum."""
    out = run_replication(simple_config(), 0, sim_hours=48)
    df = out.specimens
    assert len(df) > 0 and df["report_end"].notna().all()
    expected = {
        "reception": m("Receive and sort", "Booking-in (internal)"),
        "cutup": m("Cut-up (BMS)"),
        "processing": m(*LOAD_UNLOAD, "Processing machine (small surgicals)", *EMBED_AND_TRIM),
        "microtomy": m("Microtomy (levels)"),
        "staining": m(*STAINING_REGULAR),
        "labelling": 2 * m("Labelling"),  # two slides, one after another
        "scanning": m(*SCANNING_REGULAR),
        "qc": m("Block and quality check"),
        "report": m("Assign histopathologist", "Write histopathological report"),
    }
    for stage, value in expected.items():
        assert stage_minutes(df, stage) == pytest.approx(value, abs=1e-6), stage
    for before, after in zip(STAGES[:-2], STAGES[1:-1], strict=True):
        gap = (df[f"{after}_start"] - df[f"{before}_end"]) * 60
        assert gap.to_numpy() == pytest.approx(DELIVERY_MIN, abs=1e-6), (before, after)
    assert (df["report_start"] == df["qc_end"]).all()
    tat = (df["report_end"] - df["reception_start"]) * 60
    assert tat.to_numpy() == pytest.approx(sum(expected.values()) + 7 * DELIVERY_MIN, abs=1e-6)
    assert (df["num_blocks"] == 1).all() and (df["num_slides"] == 2).all()
    assert out.blocks_arrived == out.blocks_completed == len(df)
    assert out.slides_arrived == out.slides_completed == 2 * len(df)


URGENT_BMS = dict(
    ProbUrgentNonCancer=1.0, ProbPriorityNonCancer=0.0, ProbRoutineNonCancer=0.0,
    ProbBMSCutupUrgent=1.0, ProbPoolCutupUrgent=0.0, ProbLargeCutupUrgent=0.0,
)
POOL = dict(ProbBMSCutup=0.0, ProbPoolCutup=1.0, NumSlidesLarges=count(2, 2, 2, "Constant"))
MEGA = dict(
    ProbBMSCutup=0.0, ProbPoolCutup=0.0, ProbLargeCutup=1.0, ProbMegaBlocks=1.0,
    NumBlocksMega=count(1, 1, 1, "Constant"), NumSlidesMegas=count(2, 2, 2, "Constant"),
)


@pytest.mark.parametrize(
    ("changes", "block_type", "programme"),
    [
        ({}, "small surgical", "Processing machine (small surgicals)"),
        (URGENT_BMS, "small surgical", "Processing machine (urgent)"),
        (POOL, "large surgical", "Processing machine (large surgicals)"),
        (MEGA, "mega", "Processing machine (megas)"),
    ],
)
def test_blocks_go_to_their_own_processing_programme(
    changes: dict, block_type: str, programme: str
) -> None:
    """Urgent blocks use the urgent programme and small surgicals the small one (the
    earlier model sent both to the normal / mega programmes)."""
    df = run_replication(simple_config(**changes), 0, sim_hours=48).specimens
    assert (df["block_type"] == block_type).all()
    assert stage_minutes(df, "processing") == pytest.approx(
        m(*LOAD_UNLOAD, programme, *EMBED_AND_TRIM), abs=1e-6
    )


def test_mega_slides_use_the_mega_lines() -> None:
    df = run_replication(simple_config(**MEGA), 0, sim_hours=48).specimens
    assert stage_minutes(df, "microtomy") == pytest.approx(m("Microtomy (megas)"))
    # Batches of one: each slide is stained on its own machine run, then coverslipped by hand.
    staining = m(
        "Load staining machine (megas)", "Staining (megas)", "Unload staining machine (megas)",
        "Coverslipping (megas)",
    )
    assert stage_minutes(df, "staining") == pytest.approx(staining, abs=1e-6)
    scanning = m(
        "Load scanning machine (megas)", "Scanning (megas)", "Unload scanning machine (megas)"
    )
    assert stage_minutes(df, "scanning") == pytest.approx(scanning, abs=1e-6)


def test_the_urgent_processing_batch_has_its_own_size(reference_config: LabConfig) -> None:
    lab = Lab(reference_config, sim_hours=WEEK)
    lab.run()
    urgent = lab.programmes["Processing machine (urgent)"]
    assert urgent.size == 20 and urgent.items_released > 0
    assert lab.programmes["Processing machine (small surgicals)"].items_released > 0
    assert lab.programmes["Processing machine (small surgicals)"].size == 300


@pytest.fixture(scope="module")
def two_weeks(reference_config: LabConfig):
    return run_replication(reference_config, 0, sim_hours=2 * WEEK)


def test_output_follows_the_contract(two_weeks, reference_config: LabConfig) -> None:
    out = two_weeks
    df = out.specimens
    assert tuple(df.columns) == SPECIMEN_COLUMNS
    assert df["specimen_id"].tolist() == list(range(len(df)))
    assert df["reception_start"].is_monotonic_increasing
    assert set(df["pathway"]) == {"cancer", "noncancer"}
    assert set(df.loc[df.pathway == "cancer", "priority"]) == {"Urgent", "Priority", "Cancer"}
    assert set(df.loc[df.pathway == "noncancer", "priority"]) == {"Urgent", "Priority", "Routine"}
    assert tuple(out.wip) == WIP_NAMES
    assert tuple(out.capacity) == tuple(out.busy) == tuple(out.queue) == RESOURCES
    for series in [*out.wip.values(), *out.capacity.values(), *out.busy.values(),
                   *out.queue.values()]:
        assert series.times[0] == 0.0 and np.all(np.diff(series.times) > 0)
        assert series.times[-1] <= out.sim_hours and len(series.values) == len(series.times)
        assert np.all(series.values >= 0)
    assert out.sim_hours == 2 * WEEK and out.warmup_hours == 0.0
    assert out.seed_entropy == reference_config.run.seed and out.replication == 0
    assert out.events > 50_000 and out.wall_seconds > 0
    assert "Processing machine (small surgicals)" in out.partial_batches
    assert all(v >= 0 for v in out.partial_batches.values())


def test_specimens_blocks_and_slides_are_conserved(two_weeks) -> None:
    out = two_weeks
    df = out.specimens
    done = df["report_end"].notna()
    in_progress = ~done
    assert len(df) == done.sum() + in_progress.sum() and done.sum() > 0 and in_progress.sum() > 0
    cut = df["cutup_end"].notna()
    assert (df.loc[~cut, "num_blocks"] == 0).all() and (df.loc[cut, "num_blocks"] >= 1).all()
    assert out.blocks_arrived == df["num_blocks"].sum()
    assert out.blocks_completed == df.loc[done, "num_blocks"].sum()
    assert out.blocks_arrived == out.blocks_completed + df.loc[in_progress, "num_blocks"].sum()
    assert out.slides_arrived == df["num_slides"].sum()
    assert out.slides_completed == df.loc[done, "num_slides"].sum()
    assert out.slides_arrived == out.slides_completed + df.loc[in_progress, "num_slides"].sum()
    # Stamps are ordered, and the WIP monitors end at the specimens still inside.
    stamps = df[[f"{s}_{e}" for s in STAGES for e in ("start", "end")]].to_numpy()
    for row in stamps:
        seen = row[~np.isnan(row)]
        assert np.all(np.diff(seen) >= -1e-12)
        assert np.all(np.isnan(row[len(seen):]))  # stamps are filled in order
    assert out.wip["Total WIP"].values[-1] == in_progress.sum()
    for stage, label in zip(STAGES, WIP_NAMES[1:], strict=True):
        inside = df[f"{stage}_start"].notna() & df[f"{stage}_end"].isna()
        assert out.wip[label].values[-1] == inside.sum(), stage


def test_cancer_share_of_arrivals(two_weeks, reference_config: LabConfig) -> None:
    df = two_weeks.specimens
    expected = reference_config.expected_weekly_arrivals()
    total = 2 * (expected["cancer"] + expected["noncancer"])
    assert abs(len(df) - total) < 5 * math.sqrt(total)
    p = expected["cancer"] / (expected["cancer"] + expected["noncancer"])
    share = (df["pathway"] == "cancer").mean()
    assert abs(share - p) < 4.5 * math.sqrt(p * (1 - p) / len(df))


def test_same_seed_same_log_other_seed_other_log(reference_config: LabConfig) -> None:
    a = run_replication(reference_config, 0, sim_hours=WEEK)
    b = run_replication(reference_config, 0, sim_hours=WEEK)
    pd.testing.assert_frame_equal(a.specimens, b.specimens)
    for name in RESOURCES:
        assert np.array_equal(a.busy[name].values, b.busy[name].values)
        assert np.array_equal(a.queue[name].times, b.queue[name].times)
    assert a.partial_batches == b.partial_batches and a.events == b.events
    other_rep = run_replication(reference_config, 1, sim_hours=WEEK)
    other_seed = run_replication(reference_config.with_run(seed=99), 0, sim_hours=WEEK)
    for other in (other_rep, other_seed):
        assert not a.specimens["reception_start"].equals(other.specimens["reception_start"])


def with_staff(config: LabConfig, factor: float) -> LabConfig:
    resources = {
        label: (row.scaled(factor) if label in STAFF else row)
        for label, row in config.resources.items()
    }
    return config.model_copy(update={"resources": resources})


def test_common_random_numbers_across_staffing(reference_config: LabConfig) -> None:
    base = Lab(reference_config, sim_hours=WEEK)
    more = Lab(with_staff(reference_config, 2), sim_hours=WEEK)
    base.run()
    more.run()
    a, b = base.output().specimens, more.output().specimens
    assert len(a) == len(b)
    pd.testing.assert_frame_equal(a[["reception_start", *ATTRIBUTES]],
                                  b[["reception_start", *ATTRIBUTES]])
    assert [s.blocks for s in base.specimens] == [s.blocks for s in more.specimens]
    assert not a["report_end"].equals(b["report_end"])  # the staffing did change outcomes


def test_doubling_every_staff_row_lowers_mean_tat(reference_config: LabConfig) -> None:
    hours = 3 * WEEK
    base = run_replication(reference_config, 0, sim_hours=hours).specimens
    more = run_replication(with_staff(reference_config, 2), 0, sim_hours=hours).specimens
    cohort = (base["reception_start"] < WEEK) & base["report_end"].notna()
    cohort &= more["report_end"].notna()
    assert cohort.sum() > 1000
    tat_base = (base["report_end"] - base["reception_start"])[cohort].mean()
    tat_more = (more["report_end"] - more["reception_start"])[cohort].mean()
    assert tat_more < tat_base


def test_zero_capacity_stops_flow_at_its_stage(reference_config: LabConfig) -> None:
    rows = dict(reference_config.resources)
    rows["Microtomy staff"] = rows["Microtomy staff"].scaled(0)
    config = reference_config.model_copy(update={"resources": rows})
    out = run_replication(config, 0, sim_hours=2 * WEEK)
    df = out.specimens
    assert df["microtomy_start"].notna().sum() > 100
    assert df["microtomy_end"].isna().all() and df["report_end"].isna().all()
    assert out.slides_arrived == 0 and (df["num_slides"] == 0).all()
    assert out.busy["Microtomy staff"].values.max() == 0
    assert out.queue["Microtomy staff"].values[-1] == df["microtomy_start"].notna().sum()


def test_full_only_releases_only_full_batches(reference_config: LabConfig) -> None:
    release = reference_config.batch_release.model_copy(update={"batch_release": "full_only"})
    lab = Lab(reference_config.model_copy(update={"batch_release": release}), sim_hours=WEEK)
    lab.run()
    batchers = lab.batchers()
    for batcher in batchers.values():
        assert batcher.items_released == batcher.batches * batcher.size, batcher.name
    assert batchers["Processing machine (small surgicals)"].waiting > 0
    timed = Lab(reference_config, sim_hours=WEEK)
    timed.run()
    small = timed.batchers()["Processing machine (small surgicals)"]
    assert small.batches > 0 and small.items_released < small.batches * small.size


def test_replications_in_a_process_pool_match_sequential(reference_config: LabConfig) -> None:
    calls: list[tuple[int, int]] = []
    pooled = run_replications(
        reference_config, 2, workers=2, progress=lambda d, t: calls.append((d, t)),
        sim_hours=72,
    )
    sequential = run_replications(reference_config, 2, workers=1, sim_hours=72)
    assert calls == [(1, 2), (2, 2)]
    assert [o.replication for o in pooled] == [0, 1]
    for p, s in zip(pooled, sequential, strict=True):
        pd.testing.assert_frame_equal(p.specimens, s.specimens)


def test_warmup_is_passed_on_and_checked(reference_config: LabConfig) -> None:
    out = run_replication(reference_config, 0, sim_hours=48, warmup_hours=24)
    assert out.warmup_hours == 24.0 and out.specimens["reception_start"].min() < 24
    with pytest.raises(ValueError, match="warm-up"):
        run_replication(reference_config, 0, sim_hours=48, warmup_hours=48)


@pytest.mark.parametrize(
    ("changes", "reception"),
    [
        (dict(ProbPrebook=1.0, ProbInvestEasy=1.0),
         ("Receive and sort", "Pre-booking-in investigation", "Booking-in (internal)",
          "Booking-in investigation (internal, easy)")),
        (dict(ProbInvestEasy=0.0, ProbInvestHard=1.0),
         ("Receive and sort", "Booking-in (internal)",
          "Booking-in investigation (internal, hard)")),
        (dict(ProbInternal=0.0, ProbInvestExternal=1.0),
         ("Receive and sort", "Booking-in (external)", "Booking-in investigation (external)")),
    ],
)
def test_reception_does_every_booking_in_step(changes: dict, reception: tuple) -> None:
    df = run_replication(simple_config(**changes), 0, sim_hours=24).specimens
    assert len(df) > 0
    assert stage_minutes(df, "reception") == pytest.approx(m(*reception), abs=1e-6)


@pytest.mark.parametrize(
    ("changes", "decalc", "tasks"),
    [
        (dict(ProbDecalcBone=1.0), "bone station",
         ("Load bone station", "Decalc", "Unload bone station")),
        (dict(ProbDecalcOven=1.0), "decalc oven",
         ("Load into decalc oven", "Decalc", "Unload from decalc oven")),
    ],
)
def test_decalcification_routes(changes: dict, decalc: str, tasks: tuple) -> None:
    df = run_replication(simple_config(**changes), 0, sim_hours=48).specimens
    assert (df["decalc"] == decalc).all()
    small = m(*LOAD_UNLOAD, "Processing machine (small surgicals)", *EMBED_AND_TRIM)
    assert stage_minutes(df, "processing") == pytest.approx(m(*tasks) + small, abs=1e-6)


def test_mega_slides_are_coverslipped_one_after_another() -> None:
    config = simple_config(**MEGA)
    config.batch_sizes["Staining (mega slides)"] = 2  # both slides of a specimen together
    df = run_replication(config, 0, sim_hours=48).specimens
    staining = m(
        "Load staining machine (megas)", "Staining (megas)", "Unload staining machine (megas)",
    ) + 2 * m("Coverslipping (megas)")
    assert stage_minutes(df, "staining") == pytest.approx(staining, abs=1e-6)


def test_runner_distances_give_the_delivery_time() -> None:
    distances = {j: 10.0 * (i + 1) for i, j in enumerate(RUNNER_JOURNEYS)}
    runner = RunnerTimes(distances_m=distances, loading_time_s=15, unloading_time_s=15)
    df = run_replication(
        simple_config().model_copy(update={"runner": runner}), 0, sim_hours=48
    ).specimens
    for i, (before, after) in enumerate(zip(STAGES[:-2], STAGES[1:-1], strict=True)):
        gap = ((df[f"{after}_start"] - df[f"{before}_end"]) * 3600).to_numpy()
        assert gap == pytest.approx(15 + 10.0 * (i + 1) / 1.2 + 15, abs=1e-6)


def test_a_run_without_arrivals_gives_an_empty_but_valid_output() -> None:
    config = simple_config()
    quiet = config.arrivals.model_copy(update={"noncancer": [0.0] * 168})
    out = run_replication(config.model_copy(update={"arrivals": quiet}), 0, sim_hours=10)
    full = run_replication(config, 0, sim_hours=10)
    assert len(out.specimens) == 0 and tuple(out.specimens.columns) == SPECIMEN_COLUMNS
    assert out.specimens.dtypes.equals(full.specimens.dtypes)
    assert out.wip["Total WIP"].times.tolist() == [0.0]
    assert out.blocks_arrived == out.slides_arrived == 0
