"""The calendar resolved over one run: dated capacities, release times and arrival rates.

A :class:`CalendarPlan` lays the run out on whole weeks starting at the midnight of the start
date (the *origin*); simulated hour 0 is the calendar's start, ``offset_h`` after the origin.
Each resource gets its units per half hour of those weeks, each pathway its expected arrivals
per hour. Times are computed as ``week * 168.0 + hour_of_week - offset_h``, exactly as the
weekly (calendar-free) code computes them, so a neutral calendar gives the same floats, the
same events in the same order, and so bit-for-bit the same results.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import numpy as np

from hospital_twin.config.calendar import Calendar
from hospital_twin.config.labels import HOURS_PER_WEEK, RESOURCES
from hospital_twin.config.models import LabConfig
from hospital_twin.model.flow import daily_release_times, delivery_release_times
from hospital_twin.model.resources import HALF_HOURS_PER_WEEK

SLOTS_PER_DAY = 48


class CalendarPlan:
    """Capacities, batch release times and arrival rates of one dated run."""

    def __init__(self, config: LabConfig, calendar: Calendar, sim_hours: float) -> None:
        self.calendar = calendar
        self.origin = dt.datetime.combine(calendar.start.date(), dt.time(0, 0))
        self.offset_h = (calendar.start - self.origin).total_seconds() / 3600
        # whole weeks covering the run, plus one to look past its end
        self.weeks = math.ceil((self.offset_h + sim_hours) / HOURS_PER_WEEK) + 1
        self.days = [self.origin.date() + dt.timedelta(days=i) for i in range(7 * self.weeks)]
        self.capacity: dict[str, np.ndarray] = {}
        for label in RESOURCES:
            roster = config.resources[label]
            self.capacity[label] = np.array(
                [u for day in self.days
                 for u in calendar.day_units(label, roster.working_days,
                                             roster.half_hour_units, day)],
                dtype=np.int64,
            )
        self.rates = {
            "cancer": self._hourly_rates(config.arrivals.cancer),
            "noncancer": self._hourly_rates(config.arrivals.noncancer),
        }

    # -- times ------------------------------------------------------------------------------
    def time_of(self, week: int, hour_of_week: float) -> float:
        """Simulated hours of an origin-relative (week, hour of that week)."""
        return week * 168.0 + hour_of_week - self.offset_h

    def datetime_of(self, hours: float) -> dt.datetime:
        """The calendar date-time of a simulated time."""
        return self.calendar.start + dt.timedelta(hours=hours)

    @property
    def start_slot(self) -> int:
        return int(round(self.offset_h * 2))

    # -- resources --------------------------------------------------------------------------
    def initial_capacity(self, label: str) -> int:
        return int(self.capacity[label][self.start_slot])

    def capacity_changes(self, order: Sequence[str]) -> list[tuple[float, int, int]]:
        """(time, resource index in ``order``, new units) after t = 0, by (time, index)."""
        changes = []
        first = self.start_slot
        for index, label in enumerate(order):
            cap = self.capacity[label]
            for k in np.flatnonzero(cap[first + 1:] != cap[first:-1]) + first + 1:
                week, slot = divmod(int(k), HALF_HOURS_PER_WEEK)
                changes.append((self.time_of(week, slot * 0.5), index, int(cap[k])))
        changes.sort(key=lambda c: (c[0], c[1]))
        return changes

    def _week(self, label: str, week: int) -> np.ndarray:
        return self.capacity[label][week * HALF_HOURS_PER_WEEK:(week + 1) * HALF_HOURS_PER_WEEK]

    def delivery_times(self, runner: str, interval_min: int,
                       flush_before_shift_end: bool) -> list[float]:
        """When a runner's partly filled delivery batch goes (11.C15), over the run."""
        times = []
        for week in range(self.weeks - 1):
            block = self._week(runner, week)
            weekly = set(delivery_release_times(block.tolist(), interval_min, False))
            if flush_before_shift_end:
                following = self._week(runner, week + 1)[0]
                for slot in range(HALF_HOURS_PER_WEEK):
                    after = block[slot + 1] if slot + 1 < HALF_HOURS_PER_WEEK else following
                    if block[slot] > 0 and after == 0:
                        weekly.add(slot * 30 / 60)
            times += [self.time_of(week, t) for t in sorted(weekly)]
        return [t for t in times if t >= 0.0]

    def daily_times(self, resource: str, hour: float) -> list[float]:
        """``hour`` on every date on which ``resource`` has units at that time (11.C16)."""
        times = []
        for week in range(self.weeks - 1):
            block = self._week(resource, week).tolist()
            times += [self.time_of(week, t) for t in daily_release_times(block, hour)]
        return [t for t in times if t >= 0.0]

    # -- arrivals -----------------------------------------------------------------------------
    def _hourly_rates(self, weekly: Sequence[float]) -> np.ndarray:
        """Expected arrivals per hour of every origin week: the pattern day's rates times
        the day's demand factor; 0 on dates closed to arrivals."""
        rates = np.asarray(weekly, dtype=float)
        hours = []
        for day in self.days:
            if self.calendar.arrivals_closed(day):
                hours.append(np.zeros(24))
                continue
            pattern = self.calendar.pattern_day(day)
            day_rates = rates[pattern * 24:(pattern + 1) * 24]
            factor = self.calendar.demand_factor(day)
            hours.append(day_rates * factor if factor != 1.0 else day_rates.copy())
        return np.concatenate(hours)

    def arrival_times(self, pathway: str, rng: np.random.Generator,
                      sim_hours: float) -> np.ndarray:
        """Arrival times in [0, sim_hours): week by week from the origin, each hour's count
        Poisson(rate) and its arrivals uniform within the hour (as
        :func:`hospital_twin.model.streams.arrival_times` does for the plain week)."""
        rates = self.rates[pathway]
        hours = np.arange(HOURS_PER_WEEK, dtype=float)
        weeks = []
        week = 0
        while week * 168.0 - self.offset_h < sim_hours:
            counts = rng.poisson(rates[week * HOURS_PER_WEEK:(week + 1) * HOURS_PER_WEEK])
            times = np.repeat(hours + week * 168.0, counts) + rng.random(int(counts.sum()))
            times.sort()
            weeks.append(times - self.offset_h if self.offset_h else times)
            week += 1
        times = np.concatenate(weeks) if weeks else np.empty(0)
        return times[(times >= 0.0) & (times < sim_hours)]
