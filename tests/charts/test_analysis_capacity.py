"""Processing-machine starts needed and available (analysis.capacity), on a hand-built lab
whose answer is worked out by hand, and the exact compound-Poisson runs it rests on."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hospital_twin.analysis import capacity
from hospital_twin.analysis.capacity import (
    compound_poisson_pmf,
    expected_runs,
    processing_starts,
)
from hospital_twin.config import read_workbook, template_path
from hospital_twin.config.models import LabConfig

MONDAY_10, THURSDAY_20 = 10, 3 * 24 + 20


def hand_lab(regular_batch: int = 300) -> LabConfig:
    """The 2024 workbook's rosters (5 processing machines; Processing room staff Monday to
    Friday 09:00-17:30; every programme starts at 16:30) and durations (small 13.8 h, large
    15.8 h, mega 26 h), with: cancer arrivals only, 2 expected in Monday 10:00-11:00 and 1
    in Thursday 20:00-21:00; no urgent specimens; half BMS cut-ups (1 small block), half
    large cut-ups, of which half give 3 mega blocks and half 4 large surgical blocks."""
    data = read_workbook(template_path("2024")).model_dump(mode="json", by_alias=True)
    cancer = [0.0] * 168
    cancer[MONDAY_10], cancer[THURSDAY_20] = 2.0, 1.0
    data["arrivals"] = {"cancer": cancer, "noncancer": [0.0] * 168}
    g = data["globals"]
    g.update({"ProbUrgentCancer": 0.0, "ProbPriorityCancer": 0.0, "ProbRoutineCancer": None,
              "ProbBMSCutup": 0.5, "ProbPoolCutup": 0.0, "ProbLargeCutup": 0.5,
              "ProbMegaBlocks": 0.5,
              "NumBlocksLargeSurgical": {"distribution": "Constant", "low": 4, "mode": 4,
                                         "high": 4},
              "NumBlocksMega": {"distribution": "Constant", "low": 3, "mode": 3, "high": 3}})
    data["batch_sizes"]["Processing machine (regular blocks)"] = regular_batch
    return LabConfig.model_validate(data)


def test_hand_built_lab_needs_what_the_hand_says() -> None:
    result = processing_starts(hand_lab())
    # 5 machines at each of the 5 weekday 16:30 starts
    assert result.start_hours == (16.5, 40.5, 64.5, 88.5, 112.5)
    assert result.starts_available == 25
    # Monday's arrivals go at Monday 16:30 (rate 2), Thursday 20:00's at Friday 16:30
    # (rate 1). Per start, specimens with blocks of a programme are Poisson: small 2·0.5 = 1
    # and 0.5, large 2·0.25 = 0.5 and 0.25, mega the same. A batch of 300 (36 for megas)
    # never fills, so a start runs once if anything waits: E[runs] = 1 − e^(−rate).
    def ran(rate: float) -> float:
        return 1 - math.exp(-rate)

    by = {(x.programme, x.weekday): x for x in result.loads}
    assert by["small", "Mon"].runs == pytest.approx(ran(1.0))
    assert by["small", "Fri"].runs == pytest.approx(ran(0.5))
    assert by["large", "Mon"].runs == pytest.approx(ran(0.5))
    assert by["mega", "Fri"].runs == pytest.approx(ran(0.25))
    assert by["small", "Tue"].runs == 0 and by["large", "Wed"].blocks == 0
    # blocks: Monday small 1·1, large 0.5·4, mega 0.5·3; Friday half of that
    assert (by["small", "Mon"].blocks, by["large", "Mon"].blocks,
            by["mega", "Mon"].blocks) == pytest.approx((1.0, 2.0, 1.5))
    # 16:30 + 4 min load + 26 h = Tuesday 18:34, after staff leave at 17:30: unloaded on
    # Wednesday 09:00, so a Monday mega run also keeps its machine from Tuesday's start.
    # Friday's ends on Saturday and is unloaded on Monday morning, before Monday's start.
    # Small and large runs end before 09:00 the next day: one start each.
    assert by["mega", "Mon"].starts_per_run == 2 and by["mega", "Thu"].starts_per_run == 2
    assert by["mega", "Fri"].starts_per_run == 1
    assert {x.starts_per_run for x in result.loads if x.programme != "mega"} == {1}
    needed = (ran(1.0) + ran(0.5)  # small
              + ran(0.5) + ran(0.25)  # large
              + 2 * ran(0.5) + ran(0.25))  # mega
    assert result.starts_needed == pytest.approx(needed)
    full = 1.5 / 300 + 3.0 / 300 + 2 * 1.5 / 36 + 0.75 / 36
    assert result.starts_needed_full == pytest.approx(full)
    table = result.table()
    assert table.loc["total", "blocks_per_week"] == pytest.approx(1.5 + 3.0 + 2.25)
    assert table.loc["total", "starts"] == pytest.approx(needed)
    assert result.urgent_blocks == 0


def test_small_batches_run_every_full_batch() -> None:
    # batches of 2 regular blocks: a large specimen's 4 blocks make exactly 2 runs, so
    # Monday's large runs are 2 · 0.5 = 1 and small ones E[ceil(N/2)], N ~ Poisson(1)
    by = {(x.programme, x.weekday): x for x in processing_starts(hand_lab(2)).loads}
    assert by["large", "Mon"].runs == pytest.approx(1.0)
    p = [math.exp(-1) / math.factorial(n) for n in range(40)]
    assert by["small", "Mon"].runs == pytest.approx(sum(math.ceil(n / 2) * q
                                                        for n, q in enumerate(p)))


def test_compound_poisson_matches_its_mean_and_a_normal_tail(monkeypatch) -> None:
    jumps = np.array([0.2, 0.3, 0.0, 0.5])  # none, 1 or 3 blocks
    f = compound_poisson_pmf(4.0, jumps)
    n = np.arange(len(f))
    assert f.sum() == pytest.approx(1.0)
    assert n @ f == pytest.approx(4.0 * (0.3 + 1.5))
    assert f[0] == pytest.approx(math.exp(-4.0 * 0.8))
    # Panjer and the normal approximation (used for very large counts) agree
    exact = expected_runs(300.0, jumps, 50)
    monkeypatch.setattr(capacity, "PANJER_MAX_RATE", 1.0)
    assert expected_runs(300.0, jumps, 50) == pytest.approx(exact, abs=0.02)


def test_no_staff_at_the_start_time_is_a_clear_error() -> None:
    config = hand_lab()
    late = config.batch_release.model_copy(update={
        "processing_start_small": "20:00", "processing_start_large": "20:00",
        "processing_start_mega": "20:00"})
    with pytest.raises(ValueError, match="never on duty at a processing programme's start"):
        processing_starts(config.model_copy(update={"batch_release": late}))
    with pytest.raises(ValueError, match="lead_hours"):
        processing_starts(config, lead_hours=-1)
