"""Random streams of one replication, arrivals, and every decision drawn at arrival.

Spec section 2, 9 and 11.C26. ``SeedSequence(seed).spawn`` gives one child per replication;
each replication's child is split into fixed streams:

* 0, 1: arrival times of the cancer and non-cancer pathways;
* 2, 3: attributes of cancer and non-cancer specimens;
* 4 + i: durations of TaskDurations row i (in ``labels.TASKS`` order).

Every attribute is one uniform from its pathway's attribute stream, drawn at arrival in the
order priority, source, pre-booking, investigation, cut-up type, mega/large choice, block
count, decalc route, then per block the levels/serials choice and the slide count. The same
number of uniforms is used whatever the branch, so the n-th arrival of a pathway gets the same
attributes in every scenario with the same seed and schedules (common random numbers).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from hospital_twin.config.labels import HOURS_PER_WEEK, TASKS
from hospital_twin.config.models import GlobalParameters
from hospital_twin.model.distributions import CountDistribution
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
    LARGES,
    LEVELS,
    MEGA,
    MEGAS,
    NO_DECALC,
    NO_INVESTIGATION,
    POOL_CUTUP,
    PRIORITY,
    ROUTINE,
    SERIALS,
    SMALL,
    URGENT,
    Specimen,
)

ARRIVALS_CANCER, ARRIVALS_NONCANCER, ATTRIBUTES_CANCER, ATTRIBUTES_NONCANCER = 0, 1, 2, 3
FIRST_TASK_STREAM = 4
N_STREAMS = FIRST_TASK_STREAM + len(TASKS)


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence of one replication: child ``replication`` of ``SeedSequence(seed)``.

    Equal to ``SeedSequence(seed).spawn(replication + 1)[replication]``.
    """
    return np.random.SeedSequence(seed, spawn_key=(replication,))


def replication_streams(seed: int, replication: int) -> list[np.random.Generator]:
    """The fixed list of independent generators of one replication (see module docstring)."""
    children = replication_seed(seed, replication).spawn(N_STREAMS)
    return [np.random.default_rng(child) for child in children]


def arrival_times(
    hourly_rates: Sequence[float], rng: np.random.Generator, sim_hours: float
) -> np.ndarray:
    """Arrival times in [0, sim_hours) of a Poisson process with a weekly hourly step rate.

    Week by week: each hour's count is Poisson(rate) and its arrivals are uniform within the
    hour, which is the same process as exponential gaps at that hour's rate. Drawing whole
    weeks in turn keeps the first weeks identical whatever the run length.
    """
    rates = np.asarray(hourly_rates, dtype=float)
    if rates.shape != (HOURS_PER_WEEK,):
        raise ValueError(f"expected {HOURS_PER_WEEK} hourly rates, got {rates.shape}")
    hours = np.arange(HOURS_PER_WEEK, dtype=float)
    weeks = []
    start = 0.0
    while start < sim_hours:
        counts = rng.poisson(rates)
        times = np.repeat(hours + start, counts) + rng.random(int(counts.sum()))
        times.sort()
        weeks.append(times)
        start += HOURS_PER_WEEK
    times = np.concatenate(weeks) if weeks else np.empty(0)
    return times[times < sim_hours]


class UniformStream:
    """Uniforms from one generator, drawn in blocks and handed out one at a time in order.

    Call it, or its :attr:`next` (a C-level callable, no Python frame per value).
    """

    __slots__ = ("next",)

    def __init__(self, rng: np.random.Generator) -> None:
        blocks = iter(lambda: rng.random(1024).tolist(), None)  # never None: endless
        self.next: Callable[[], float] = itertools.chain.from_iterable(blocks).__next__

    def __call__(self) -> float:
        return self.next()


class SpecimenFactory:
    """Draws a new specimen's attributes at arrival from its pathway's stream (11.C1-C4)."""

    def __init__(self, params: GlobalParameters) -> None:
        g = params
        # Per pathway: (P(urgent), P(urgent) + P(priority), remainder's priority).
        self._priority = (
            (g.prob_urgent_cancer, g.prob_urgent_cancer + g.prob_priority_cancer, CANCER),
            (g.prob_urgent_noncancer, g.prob_urgent_noncancer + g.prob_priority_noncancer,
             ROUTINE),
        )
        self._g = g
        self._blocks_mega = CountDistribution.from_spec(g.num_blocks_mega)
        self._blocks_large = CountDistribution.from_spec(g.num_blocks_large_surgical)
        self._slides = {
            LEVELS: CountDistribution.from_spec(g.num_slides_levels),
            SERIALS: CountDistribution.from_spec(g.num_slides_serials),
            LARGES: CountDistribution.from_spec(g.num_slides_larges),
            MEGAS: CountDistribution.from_spec(g.num_slides_megas),
        }

    def draw(
        self, sid: int, pathway: int, u: UniformStream, priority: int | None = None
    ) -> Specimen:
        """A specimen with every decision about it drawn now, in the order of 11.C26.

        A known ``priority`` (a loaded specimen's) replaces the drawn one; its uniform is
        still drawn, so every later decision uses the same uniform as otherwise.
        """
        g = self._g
        u = u.next  # its C-level callable
        p_urgent, p_urgent_or_priority, otherwise = self._priority[pathway]
        x = u()
        if priority is None:
            priority = (
                URGENT if x < p_urgent else PRIORITY if x < p_urgent_or_priority else otherwise
            )
        internal = u() < g.prob_internal
        prebook = u() < g.prob_prebook
        x = u()
        if internal:
            investigation = (
                EASY if x < g.prob_invest_easy
                else HARD if x < g.prob_invest_easy + g.prob_invest_hard
                else NO_INVESTIGATION
            )
        else:
            investigation = EXTERNAL if x < g.prob_invest_external else NO_INVESTIGATION
        x = u()
        if priority == URGENT:
            p_bms, p_pool = g.prob_bms_cutup_urgent, g.prob_pool_cutup_urgent
        else:
            p_bms, p_pool = g.prob_bms_cutup, g.prob_pool_cutup
        cutup = BMS_CUTUP if x < p_bms else POOL_CUTUP if x < p_bms + p_pool else LARGE_CUTUP
        x_mega, x_count = u(), u()
        if cutup == BMS_CUTUP:
            block_type, n_blocks = SMALL, 1
        elif cutup == POOL_CUTUP:
            block_type, n_blocks = LARGE, 1
        elif priority != URGENT and x_mega < g.prob_mega_blocks:
            block_type, n_blocks = MEGA, self._blocks_mega.from_uniform(x_count)
        else:
            block_type, n_blocks = LARGE, self._blocks_large.from_uniform(x_count)
        x = u()
        decalc = (
            BONE_STATION if x < g.prob_decalc_bone
            else DECALC_OVEN if x < g.prob_decalc_bone + g.prob_decalc_oven
            else NO_DECALC
        )
        blocks = []
        for _ in range(n_blocks):
            x_levels, x_slides = u(), u()
            if block_type == SMALL:
                slide_type = LEVELS if x_levels < g.prob_microtomy_levels else SERIALS
            else:
                slide_type = LARGES if block_type == LARGE else MEGAS
            blocks.append((slide_type, self._slides[slide_type].from_uniform(x_slides)))
        return Specimen(
            sid, pathway, priority, internal, prebook, investigation, cutup, block_type, decalc,
            blocks,
        )
