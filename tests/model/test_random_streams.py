"""Seeds, arrivals and the decisions drawn at arrival (spec 2, 9, 11.C1-C4, 11.C26)."""

from __future__ import annotations

import numpy as np
import pytest
from model_configs import REFERENCE_GLOBALS, lab_config

from hospital_twin.config.models import GlobalParameters
from hospital_twin.model.entities import (
    BMS_CUTUP,
    BONE_STATION,
    CANCER,
    DECALC_OVEN,
    EASY,
    EXTERNAL,
    HARD,
    LARGE,
    LARGE_CUTUP,
    MEGA,
    POOL_CUTUP,
    PRIORITY,
    ROUTINE,
    SMALL,
    URGENT,
)
from hospital_twin.model.streams import (
    N_STREAMS,
    SpecimenFactory,
    UniformStream,
    arrival_times,
    replication_seed,
    replication_streams,
)

N = 40_000


def draws(pathway: int, n: int = N, seed: int = 11, **changes: object) -> list:
    params = GlobalParameters.model_validate({**REFERENCE_GLOBALS, **changes})
    factory = SpecimenFactory(params)
    u = UniformStream(np.random.default_rng(seed))
    return [factory.draw(i, pathway, u) for i in range(n)]


def share(items: list, predicate) -> float:
    return sum(1 for x in items if predicate(x)) / len(items)


def close(observed: float, p: float, n: int) -> bool:
    return abs(observed - p) < 4.5 * np.sqrt(p * (1 - p) / n) + 1e-12


def test_replication_seed_is_the_spawned_child() -> None:
    spawned = np.random.SeedSequence(42).spawn(3)[2]
    mine = replication_seed(42, 2)
    assert mine.generate_state(4).tolist() == spawned.generate_state(4).tolist()
    streams = replication_streams(42, 2)
    assert len(streams) == N_STREAMS
    firsts = {float(g.random()) for g in streams}
    assert len(firsts) == N_STREAMS  # independent streams


def test_priorities_follow_each_pathway() -> None:
    """The earlier model flagged every specimen as cancer; each schedule keeps its own."""
    g = REFERENCE_GLOBALS
    cancer, noncancer = draws(0), draws(1)
    assert {s.priority for s in cancer} == {URGENT, PRIORITY, CANCER}
    assert {s.priority for s in noncancer} == {URGENT, PRIORITY, ROUTINE}
    assert close(share(cancer, lambda s: s.priority == URGENT), g["ProbUrgentCancer"], N)
    assert close(share(cancer, lambda s: s.priority == PRIORITY), g["ProbPriorityCancer"], N)
    assert close(
        share(noncancer, lambda s: s.priority == URGENT), g["ProbUrgentNonCancer"], N
    )
    assert close(
        share(noncancer, lambda s: s.priority == PRIORITY), g["ProbPriorityNonCancer"], N
    )


def test_source_and_investigations_use_cumulative_thresholds() -> None:
    """P(hard) = ProbInvestHard (the v2 defect made hard investigations impossible)."""
    g = REFERENCE_GLOBALS
    specimens = draws(1)
    internal = [s for s in specimens if s.internal]
    external = [s for s in specimens if not s.internal]
    assert close(len(internal) / N, g["ProbInternal"], N)
    assert close(share(specimens, lambda s: s.prebook), g["ProbPrebook"], N)
    assert close(share(internal, lambda s: s.investigation == EASY), 0.05, len(internal))
    assert close(share(internal, lambda s: s.investigation == HARD), 0.01, len(internal))
    assert close(share(external, lambda s: s.investigation == EXTERNAL), 0.03, len(external))
    assert not any(s.investigation == EXTERNAL for s in internal)
    assert not any(s.investigation in (EASY, HARD) for s in external)


def test_cutup_blocks_and_decalc() -> None:
    specimens = draws(0)
    routine = [s for s in specimens if s.priority != URGENT]
    urgent = [s for s in specimens if s.priority == URGENT]
    assert close(share(routine, lambda s: s.cutup == BMS_CUTUP), 0.5, len(routine))
    assert close(share(routine, lambda s: s.cutup == POOL_CUTUP), 0.25, len(routine))
    assert close(share(urgent, lambda s: s.cutup == BMS_CUTUP), 0.8, len(urgent))
    assert not any(s.cutup == LARGE_CUTUP for s in urgent)  # ProbLargeCutupUrgent = 0
    for s in specimens:
        if s.cutup == BMS_CUTUP:
            assert (s.block_type, len(s.blocks)) == (SMALL, 1)
        elif s.cutup == POOL_CUTUP:
            assert (s.block_type, len(s.blocks)) == (LARGE, 1)
        else:
            assert 1 <= len(s.blocks) <= (5 if s.block_type == MEGA else 50)
    large = [s for s in routine if s.cutup == LARGE_CUTUP]
    assert close(share(large, lambda s: s.block_type == MEGA), 0.14, len(large))
    assert close(share(specimens, lambda s: s.decalc == BONE_STATION), 0.02, N)
    assert close(share(specimens, lambda s: s.decalc == DECALC_OVEN), 0.05, N)


def test_urgent_large_cutups_never_give_megas() -> None:
    """v1 inverted this for urgent specimens (urgent -> always mega)."""
    specimens = draws(
        0, 5000, ProbUrgentCancer=1.0, ProbPriorityCancer=0.0, ProbRoutineCancer=0.0,
        ProbBMSCutupUrgent=0.0, ProbPoolCutupUrgent=0.0, ProbLargeCutupUrgent=1.0,
        ProbMegaBlocks=1.0,
    )
    assert {s.block_type for s in specimens} == {LARGE}


def test_each_slide_type_has_its_own_count() -> None:
    """The earlier model read all four slide counts from NumSlidesLarges."""
    specimens = draws(1, 20_000)
    by_type: dict[int, list[int]] = {0: [], 1: [], 2: [], 3: []}
    for s in specimens:
        for slide_type, n in s.blocks:
            by_type[slide_type].append(n)
    expected = {0: 3.166, 1: 10.833, 2: 3.166, 3: 2.333}  # levels, serials, larges, megas
    for slide_type, mean in expected.items():
        counts = np.array(by_type[slide_type])
        assert abs(counts.mean() - mean) < 4 * counts.std() / np.sqrt(len(counts)) + 0.01
    smalls = [t for s in specimens if s.block_type == SMALL for t, _ in s.blocks]
    assert close(smalls.count(0) / len(smalls), 0.75, len(smalls))


def test_blocks_and_slides_per_specimen_match_the_spec() -> None:
    """Spec section 12: about 3.80 blocks and 13.0 slides per specimen."""
    specimens = draws(0, 20_000) + draws(1, 20_000, seed=12)
    blocks = np.mean([len(s.blocks) for s in specimens])
    slides = np.mean([sum(n for _, n in s.blocks) for s in specimens])
    assert blocks == pytest.approx(3.80, abs=0.12)
    assert slides == pytest.approx(13.0, abs=0.4)


def test_weekly_arrivals_within_poisson_bounds() -> None:
    config = lab_config()
    rng = np.random.default_rng(5)
    weeks = 40
    for rates in (config.arrivals.cancer, config.arrivals.noncancer):
        times = arrival_times(rates, rng, weeks * 168)
        counts = np.bincount((times // 168).astype(int), minlength=weeks)
        mean = sum(rates)
        assert np.all(np.abs(counts - mean) < 5 * np.sqrt(mean))
        assert abs(counts.mean() - mean) < 4 * np.sqrt(mean / weeks)
        by_hour = np.bincount((times % 168).astype(int), minlength=168)
        zero = np.array(rates) == 0
        assert by_hour[zero].sum() == 0  # no arrivals in hours with rate 0
        busy = np.array(rates) > 5
        expected = np.array(rates)[busy] * weeks
        assert np.all(np.abs(by_hour[busy] - expected) < 5 * np.sqrt(expected))


def test_arrivals_of_a_longer_run_extend_a_shorter_one() -> None:
    rates = lab_config().arrivals.cancer
    short = arrival_times(rates, np.random.default_rng(1), 200.0)
    long = arrival_times(rates, np.random.default_rng(1), 400.0)
    assert np.array_equal(short, long[: len(short)]) and np.all(short < 200)
    assert np.all(np.diff(long) >= 0)
