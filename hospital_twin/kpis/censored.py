"""Censoring-free turnaround times: Kaplan–Meier estimates (results key ``tat_km``).

The completed-only TATs of :mod:`hospital_twin.kpis.tat` leave out every specimen still in
the lab at the run end, so a lab that is falling behind looks fast. Here every specimen that
arrived at or after the warm-up counts: a finished one with its TAT, an unfinished one as
*censored* at its time in the lab so far (run end − arrival). The Kaplan–Meier survival
curve S(t) = P(TAT > t) then gives percentiles and "within d days" shares.

The estimator is :func:`scipy.stats.ecdf` on :class:`scipy.stats.CensoredData` (scipy is
already a dependency). ``lifelines`` was measured and not used: importing it takes about 4 s
and one fit about 40 ms, which would add more than half to a 6-week replication's CPU time;
scipy fits the same curve in about 3 ms.

Definitions (per replication, then averaged like every KPI, 11.C19 and 11.C24):

* ``within[d]`` = P(TAT < 24·d h) = 1 − S(24·d h −), None when 24·d h lies beyond the
  longest time observed and the curve has not reached 0 (it is not identified there);
* percentile q = the smallest observed time t with S(t) ≤ 1 − q/100, None if the curve never
  falls that low (too many specimens still in the lab).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from hospital_twin.kpis.tat import (
    HOURS_PER_DAY,
    LAB_PROGRESS_DAYS,
    PATHWAYS,
    PRIORITIES,
    PROGRESS_DAYS,
    group_values,
)

#: Percentiles reported by ``tat_km`` (median and 90th).
KM_PERCENTILES: tuple[int, ...] = (50, 90)


def _col(specimens: pd.DataFrame, name: str) -> np.ndarray:
    return specimens[name].to_numpy(dtype=float, na_value=np.nan)


def follow_up(arrival: np.ndarray, end: np.ndarray, run_end: float
              ) -> tuple[np.ndarray, np.ndarray]:
    """Time observed (h) and whether the end was seen, per specimen: ``end − arrival`` if it
    ended by the run end, else ``run end − arrival`` (censored)."""
    done = end <= run_end  # NaN (not ended) compares False
    time = np.where(done, end - arrival, run_end - arrival)
    return time, done


def km_estimates(time: np.ndarray, done: np.ndarray, days: Sequence[int],
                 qs: Sequence[int] = KM_PERCENTILES) -> dict:
    """``{"percentiles": {q: h}, "within": {d: share}, "n", "censored"}`` of one group."""
    n = len(time)
    out: dict = {"n": n, "censored": int(n - np.count_nonzero(done))}
    if n == 0 or not done.any():
        out["percentiles"] = {str(q): None for q in qs}
        out["within"] = {str(d): (None if n == 0 else _none_done(time, d)) for d in days}
        return out
    sf = stats.ecdf(stats.CensoredData(uncensored=time[done], right=time[~done])).sf
    times, surv = sf.quantiles, sf.probabilities
    longest = float(time.max())
    open_end = bool(surv[-1] > 0)  # the curve ends above 0: undefined after ``longest``
    within = {}
    for d in days:
        at = HOURS_PER_DAY * d
        if at > longest and open_end:
            within[str(d)] = None
        else:  # P(T < at) = 1 − S(at−): evaluate just below ``at``
            within[str(d)] = float(1.0 - sf.evaluate(np.nextafter(at, -np.inf)))
    percentiles = {}
    for q in qs:
        below = np.nonzero(surv <= 1.0 - q / 100.0 + 1e-12)[0]
        percentiles[str(q)] = float(times[below[0]]) if len(below) else None
    out["percentiles"] = percentiles
    out["within"] = within
    return out


def _none_done(time: np.ndarray, days: int) -> float | None:
    """No specimen finished: nobody was within ``days`` if all were watched that long."""
    return 0.0 if time.min() >= HOURS_PER_DAY * days else None


def tat_km_kpis(specimens: pd.DataFrame, warmup: float, run_end: float, *,
                progress_days: Sequence[int] = PROGRESS_DAYS,
                lab_days: Sequence[int] = LAB_PROGRESS_DAYS) -> dict:
    """Kaplan–Meier overall and lab TAT of one replication, in total and per pathway and
    priority; the population is every specimen arrived at or after the warm-up."""
    arrival = _col(specimens, "reception_start")
    cohort = arrival >= warmup
    overall = follow_up(arrival, _col(specimens, "report_end"), run_end)
    lab = follow_up(arrival, _col(specimens, "qc_end"), run_end)

    def both(mask: np.ndarray) -> dict:
        return {
            "overall": km_estimates(overall[0][mask], overall[1][mask], progress_days),
            "lab": km_estimates(lab[0][mask], lab[1][mask], lab_days),
        }

    result = both(cohort)
    for key, column, known in (("by_pathway", "pathway", PATHWAYS),
                               ("by_priority", "priority", PRIORITIES)):
        col = specimens[column].to_numpy()
        result[key] = {g: both(cohort & (col == g))
                       for g in group_values(specimens, column, known)}
    return result
