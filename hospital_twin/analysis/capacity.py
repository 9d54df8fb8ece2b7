"""How many processing-machine starts a week a lab needs, and how many its rosters give.

The arithmetic behind a processing stage that piles up work (docs/results.rst, "Which
resource is the bottleneck"), computed from a configuration rather than asserted:

1. **Blocks per programme.** A specimen's blocks all go to one programme (11.C11): urgent
   ones to the urgent programme; otherwise BMS cut-ups give one small surgical block, pool
   cut-ups one large surgical block, large cut-ups mega blocks (``ProbMegaBlocks``,
   ``NumBlocksMega``) or large surgical blocks (``NumBlocksLargeSurgical``). The exact pmf
   of each count distribution is used.
2. **Which start takes them.** The regular programmes start at their own start time on every
   day on which *Processing room staff* work then (11.C16 amended). Specimens arriving in an
   hour of the week (the workbook's expected arrivals, spread evenly over the hour) reach
   processing ``lead_hours`` later and go at the next start; the start releases everything
   waiting, in batches of at most the batch size.
3. **Runs per start.** Arrivals are Poisson, so the blocks waiting at one start are a
   compound Poisson count N; its exact distribution (Panjer's recursion, or a normal
   approximation when N is very large) gives the expected number of runs E[ceil(N / size)].
   ``runs_full`` = E[N] / size is the floor: every run full.
4. **Machine-starts per run.** A run takes the machine from its start through loading, the
   programme and unloading; unloading needs *Processing room staff*, so a programme that ends
   after they leave waits for the next morning. A run costs every start time (of any regular
   programme, on any day) that falls before its machine is free again: 1 for a run that is
   unloaded before the next start, 2 for a 26-hour mega run started Monday to Thursday.
5. **Available.** The processing machines on hand at each start time, summed over the week.

The urgent programme runs by day when its batch fills or has waited (11.C16); its runs are
reported but not counted against the start times, so ``starts_needed`` is a lower bound when
urgent runs overlap a start time. The weekly pattern is used; a dated calendar is ignored.
Runs are taken to start at the start time; under ``processing_release =
"full_or_start_time"`` a full batch goes earlier the same day and still holds its machine
over that day's start, so the count is about the same (a full mega batch started in the
morning ends by day and may take one start, not two).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import norm

from hospital_twin.config.models import CountDistribution as CountSpec
from hospital_twin.config.models import LabConfig
from hospital_twin.model.distributions import CountDistribution
from hospital_twin.model.flow import daily_release_times

WEEK = 168.0
STAFF = "Processing room staff"
MACHINE = "Processing machine"
#: Regular programmes: (short name, task label, batch-size label).
REGULAR = (
    ("small", "Processing machine (small surgicals)", "Processing machine (regular blocks)"),
    ("large", "Processing machine (large surgicals)", "Processing machine (regular blocks)"),
    ("mega", "Processing machine (megas)", "Processing machine (mega blocks)"),
)
URGENT_TASK, URGENT_BATCH = "Processing machine (urgent)", "Processing machine (urgent blocks)"
#: Above this expected number of specimens with blocks per window, the normal approximation
#: replaces Panjer's recursion (whose first term exp(-rate) would underflow).
PANJER_MAX_RATE = 500.0


@dataclass(frozen=True)
class StartLoad:
    """One regular programme at one start time of the week."""

    programme: str
    start_hour: float  # hours from Monday 00:00
    blocks: float  # expected blocks waiting at this start
    runs_full: float  # blocks / batch size
    runs: float  # expected runs: E[ceil(N / batch size)]
    starts_per_run: int  # start times a run takes its machine from

    @property
    def weekday(self) -> str:
        return ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[int(self.start_hour // 24) % 7]


@dataclass(frozen=True)
class ProcessingStarts:
    """Processing-machine starts a week: needed per programme and start, and available."""

    loads: tuple[StartLoad, ...]
    batch_sizes: dict[str, int]
    start_hours: tuple[float, ...]  # the week's start times of any regular programme
    starts_available: float  # machines on hand at those times, summed over the week
    urgent_blocks: float  # urgent blocks a week (urgent programme)
    urgent_runs_full: float  # urgent blocks / urgent batch size

    @property
    def starts_needed_full(self) -> float:
        """Machine-starts a week if every run were full."""
        return sum(x.runs_full * x.starts_per_run for x in self.loads)

    @property
    def starts_needed(self) -> float:
        """Expected machine-starts a week when each start releases what waits."""
        return sum(x.runs * x.starts_per_run for x in self.loads)

    def table(self) -> pd.DataFrame:
        """One row per regular programme and a total: blocks, runs and machine-starts a week."""
        rows = []
        for name, _, size_label in REGULAR:
            mine = [x for x in self.loads if x.programme == name]
            runs = sum(x.runs for x in mine)
            starts = sum(x.runs * x.starts_per_run for x in mine)
            rows.append({
                "programme": name, "blocks_per_week": sum(x.blocks for x in mine),
                "batch_size": self.batch_sizes[size_label],
                "runs_full": sum(x.runs_full for x in mine), "runs": runs,
                "starts_per_run": starts / runs if runs else float("nan"),
                "starts_full": sum(x.runs_full * x.starts_per_run for x in mine),
                "starts": starts})
        total = pd.DataFrame(rows).drop(columns=["batch_size", "starts_per_run"]).sum()
        rows.append({"programme": "total", **total.drop("programme").to_dict()})
        return pd.DataFrame(rows).set_index("programme")

    def by_start(self) -> pd.DataFrame:
        """One row per programme and start time of the week."""
        return pd.DataFrame([{
            "programme": x.programme, "weekday": x.weekday, "start_hour": x.start_hour,
            "blocks": x.blocks, "runs_full": x.runs_full, "runs": x.runs,
            "starts_per_run": x.starts_per_run} for x in self.loads])


def _block_pmf(parts: list[tuple[float, CountSpec | None]]) -> np.ndarray:
    """pmf of the blocks one specimen sends to a programme (index = blocks; 0 = none);
    ``parts`` are (probability, count distribution or None for exactly one block)."""
    pmf = np.zeros(2)
    for prob, spec in parts:
        if prob <= 0:
            continue
        if spec is None:
            dist_pmf, low = np.array([1.0]), 1
        else:
            dist = CountDistribution.from_spec(spec)
            dist_pmf, low = dist.pmf, dist.low
        top = low + len(dist_pmf)
        if top > len(pmf):
            pmf = np.pad(pmf, (0, top - len(pmf)))
        pmf[low:top] += prob * dist_pmf
    pmf[0] = max(0.0, 1.0 - pmf[1:].sum())
    return pmf


def _programme_pmfs(config: LabConfig) -> dict[str, dict[str, np.ndarray]]:
    """Per programme (small, large, mega, urgent) and pathway: blocks-per-specimen pmf."""
    g = config.globals
    out: dict[str, dict[str, np.ndarray]] = {"small": {}, "large": {}, "mega": {}, "urgent": {}}
    for pathway, p_urgent in (("cancer", g.prob_urgent_cancer),
                              ("noncancer", g.prob_urgent_noncancer)):
        regular = 1.0 - p_urgent
        out["small"][pathway] = _block_pmf([(regular * g.prob_bms_cutup, None)])
        out["large"][pathway] = _block_pmf([
            (regular * g.prob_pool_cutup, None),
            (regular * g.prob_large_cutup * (1 - g.prob_mega_blocks),
             g.num_blocks_large_surgical)])
        out["mega"][pathway] = _block_pmf([
            (regular * g.prob_large_cutup * g.prob_mega_blocks, g.num_blocks_mega)])
        out["urgent"][pathway] = _block_pmf([
            (p_urgent * (g.prob_bms_cutup_urgent + g.prob_pool_cutup_urgent), None),
            (p_urgent * g.prob_large_cutup_urgent, g.num_blocks_large_surgical)])
    return out


def _window_rates(rates: np.ndarray, starts: list[float], lead_hours: float) -> np.ndarray:
    """Expected arrivals taken by each start: hour h's arrivals, spread evenly over
    [h + lead, h + 1 + lead), go at the first start at or after they reach processing."""
    ends = np.array(starts)
    begins = np.concatenate([[ends[-1] - WEEK], ends[:-1]])
    taken = np.zeros(len(starts))
    for h, rate in enumerate(rates):
        if rate == 0:
            continue
        a, b = h + lead_hours, h + 1 + lead_hours
        for shift in (-WEEK, 0.0, WEEK, 2 * WEEK):
            overlap = np.clip(np.minimum(b, ends + shift) - np.maximum(a, begins + shift), 0, 1)
            taken += rate * overlap
    return taken


def compound_poisson_pmf(rate: float, jump_pmf: np.ndarray) -> np.ndarray:
    """pmf of a sum of Poisson(``rate``) independent jumps with pmf ``jump_pmf`` (index =
    size, index 0 = a jump of nothing), by Panjer's recursion, up to 12 sd above the mean."""
    sizes = np.arange(len(jump_pmf))
    mean = rate * float(sizes @ jump_pmf)
    sd = math.sqrt(rate * float(sizes**2 @ jump_pmf))
    top = int(mean + 12 * sd + len(jump_pmf)) + 1
    f = np.zeros(top + 1)
    f[0] = math.exp(-rate * (1.0 - jump_pmf[0]))
    weights = rate * sizes * jump_pmf  # rate * j * q_j
    for n in range(1, top + 1):
        j = min(n, len(jump_pmf) - 1)
        f[n] = float(weights[1:j + 1] @ f[n - 1::-1][:j]) / n
    return f


def expected_runs(rate: float, jump_pmf: np.ndarray, batch_size: int) -> float:
    """E[ceil(N / batch_size)] for N compound Poisson(``rate``, ``jump_pmf``)."""
    sizes = np.arange(len(jump_pmf))
    busy_rate = rate * (1.0 - jump_pmf[0])
    if busy_rate == 0:
        return 0.0
    if busy_rate <= PANJER_MAX_RATE:
        f = compound_poisson_pmf(rate, jump_pmf)
        n = np.arange(len(f))
        return float(np.ceil(n / batch_size) @ f)
    mean = rate * float(sizes @ jump_pmf)
    sd = math.sqrt(rate * float(sizes**2 @ jump_pmf))
    k = np.arange(0, int((mean + 12 * sd) / batch_size) + 2)
    return float(norm.sf((k * batch_size + 0.5 - mean) / sd).sum())  # sum_k P(N > k size)


def _first_staffed(capacity: list[int], t: float) -> float:
    """The first time >= t at which ``capacity`` (weekly half hours) is above 0."""
    slot = int(math.floor(t * 2 + 1e-9))
    for step in range(2 * len(capacity)):
        s = slot + step
        if capacity[s % len(capacity)] > 0:
            return max(t, s / 2)
    raise ValueError(f"{STAFF} never work, so no processing machine is ever unloaded")


def _starts_taken(start: float, free: float, grid: list[float]) -> int:
    """Start times of the week, repeated, in [start, free): what one run keeps its machine from."""
    weeks = int(math.ceil((free - start) / WEEK)) + 1
    return sum(1 for w in range(weeks + 1) for g in grid if start <= g + w * WEEK < free)


def processing_starts(config: LabConfig, *, lead_hours: float = 0.0) -> ProcessingStarts:
    """Expected processing-machine starts a week the configuration's blocks need, and the
    starts its rosters give (module docstring). ``lead_hours``: time from a specimen's
    arrival until its blocks reach processing (reception and cut-up), 0 by default."""
    if lead_hours < 0:
        raise ValueError(f"lead_hours must be >= 0, got {lead_hours:g}")
    staff = config.resources[STAFF].weekly_capacity()
    machines = config.resources[MACHINE].weekly_capacity()
    release = config.batch_release
    tasks = config.task_durations
    load = tasks["Load processing machine"].mean_hours()
    unload = tasks["Unload processing machine"].mean_hours()
    pmfs = _programme_pmfs(config)
    rates = {"cancer": np.asarray(config.arrivals.cancer, dtype=float),
             "noncancer": np.asarray(config.arrivals.noncancer, dtype=float)}

    starts_of = {name: daily_release_times(staff, release.programme_start_hour(name))
                 for name, _, _ in REGULAR}
    grid = sorted({t for times in starts_of.values() for t in times})
    if not grid:
        raise ValueError(f"{STAFF} are never on duty at a processing programme's start time, "
                         "so no regular processing run ever starts")
    loads = []
    for name, task, size_label in REGULAR:
        size = config.batch_sizes[size_label]
        starts = starts_of[name]
        window = {p: _window_rates(r, starts, lead_hours) for p, r in rates.items()}
        for i, start in enumerate(starts):
            rate = window["cancer"][i] + window["noncancer"][i]
            jump = _mix(pmfs[name], window["cancer"][i], window["noncancer"][i])
            blocks = rate * float(np.arange(len(jump)) @ jump)
            end = start + load + tasks[task].mean_hours()
            free = _first_staffed(staff, end) + unload
            loads.append(StartLoad(
                programme=name, start_hour=start, blocks=blocks, runs_full=blocks / size,
                runs=expected_runs(rate, jump, size),
                starts_per_run=_starts_taken(start, free, grid)))
    urgent = sum(float(r.sum()) * float(np.arange(len(pmfs["urgent"][p])) @ pmfs["urgent"][p])
                 for p, r in rates.items())
    return ProcessingStarts(
        loads=tuple(loads),
        batch_sizes={label: config.batch_sizes[label] for _, _, label in REGULAR},
        start_hours=tuple(grid),
        starts_available=float(sum(machines[int(t * 2) % len(machines)] for t in grid)),
        urgent_blocks=urgent, urgent_runs_full=urgent / config.batch_sizes[URGENT_BATCH])


def _mix(pmfs: dict[str, np.ndarray], rate_cancer: float, rate_noncancer: float) -> np.ndarray:
    """The blocks-per-specimen pmf of a window's arrivals, both pathways together."""
    total = rate_cancer + rate_noncancer
    size = max(len(pmfs["cancer"]), len(pmfs["noncancer"]))
    if total == 0:
        out = np.zeros(size)
        out[0] = 1.0
        return out
    padded = {p: np.pad(v, (0, size - len(v))) for p, v in pmfs.items()}
    return (rate_cancer * padded["cancer"] + rate_noncancer * padded["noncancer"]) / total
