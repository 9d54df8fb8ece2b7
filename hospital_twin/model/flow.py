"""Shared building blocks of the stages: machine cycles, batchers, deliveries, collation.

Spec sections 3 and 5, 11.C5, 11.C9, 11.C13-C16. Items move in *chunks* ``(specimen, n)``:
n blocks or slides of one specimen, which always share type, route and priority; a chunk is
split when a batch fills part-way through it.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Callable, Generator, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING

import simpy

from hospital_twin.model.engine import Job
from hospital_twin.model.entities import URGENT, Specimen
from hospital_twin.model.resources import HALF_HOURS_PER_WEEK, ScheduledResource

if TYPE_CHECKING:
    from hospital_twin.model.lab import Lab

Chunk = tuple[Specimen, int]
_priority = itemgetter(0)  # of a batcher entry
_EPS = 1e-9


# -- tasks on machines ------------------------------------------------------------------------
def machine_cycle(
    lab: Lab,
    staff: ScheduledResource,
    machine: ScheduledResource,
    priority: int,
    load: str,
    run: str,
    unload: str,
) -> Generator[simpy.Event | None, object, None]:
    """Staff + machine to load, the machine alone while it runs, staff again to unload.

    Loading is one atomic request for both units; the machine stays held (also while a
    finished batch waits for staff to unload it) until unloading ends. The wait from the
    end of the run to the start of unloading is logged as *held* (results ``machine_time``).
    """
    yield lab.work((staff, machine), priority, load)
    lab.release(staff)
    yield lab.hold(lab.draw(run))
    yield lab.work((staff,), priority, held_until_unloaded(lab, machine, unload))
    lab.release(staff, machine)


def held_until_unloaded(lab: Lab, machine: ScheduledResource, unload: str
                        ) -> Callable[[], float]:
    """Log ``machine`` as holding a finished batch from now until staff is granted to
    ``unload`` it; the returned duration is drawn at that grant (as for any task)."""
    lab.log_held(machine, 1)

    def unload_hours() -> float:
        lab.log_held(machine, -1)
        return lab.draw(unload)

    return unload_hours


def collate(
    lab: Lab, specimen: Specimen, n: int, when_complete: Callable[[Lab, Specimen], None]
) -> None:
    """Bring ``n`` of a specimen's blocks or slides back; when none is missing, go on."""
    specimen.pending -= n
    if specimen.pending == 0:
        when_complete(lab, specimen)


# -- batches ---------------------------------------------------------------------------------
class Batch:
    """Items released together; it carries its most urgent member's priority."""

    __slots__ = ("items", "priority", "size")

    def __init__(self, items: list[Chunk], priority: int, size: int) -> None:
        self.items = items
        self.priority = priority
        self.size = size


class Batcher:
    """Collects items into batches of ``size`` and releases each when full or when timed.

    Items wait in priority order (first come first served within a priority), so when a
    batch fills the most urgent items go first. Timed release, when enabled:

    * ``max_wait_h``: the batch goes when its oldest item has waited that long (11.C16);
    * :meth:`release_at`: the batch goes at given times of the week (11.C15, 11.C16);
      with ``hold_full`` set, full batches wait for those times too (11.C16 amended).

    An empty batch is never released. ``released`` counts items released, per priority.
    """

    def __init__(
        self,
        env: simpy.Environment,
        name: str,
        size: int,
        on_release: Callable[[Batch], None],
        max_wait_h: float | None = None,
    ) -> None:
        if size < 1:
            raise ValueError(f"{name}: batch size must be >= 1, got {size}")
        self.env = env
        self.name = name
        self.size = size
        self.on_release = on_release
        self.max_wait_h = max_wait_h
        self._open: list[list] = []  # [priority, seq, time entered, specimen, n], sorted
        self._count = 0
        self._seq = itertools.count()
        self._timer_at: float | None = None
        #: Full batches wait for the next timed release too (processing start times).
        self.hold_full = False
        self.batches = 0
        self.items_released = 0

    @property
    def waiting(self) -> int:
        """Items in the open (unreleased) batch."""
        return self._count

    def put(self, specimen: Specimen, n: int, priority: int) -> None:
        """Add ``n`` items of ``specimen``; release full batches at once."""
        entry = [priority, next(self._seq), self.env._now, specimen, n]
        open_ = self._open
        if not open_ or open_[-1][0] <= priority:
            open_.append(entry)
        else:  # after the last entry of the same or a more urgent priority
            open_.insert(bisect_right(open_, priority, key=_priority), entry)
        self._count += n
        while self._count >= self.size and not self.hold_full:
            self._release()
        if self.max_wait_h is not None and self._count and self._timer_at is None:
            self._start_timer(self.env.now + self.max_wait_h)

    def flush(self) -> None:
        """Release everything waiting now, in batches of at most ``size``."""
        while self._count:
            self._release()

    def release_at(self, weekly_times: Sequence[float]) -> None:
        """Flush the open batch at these times (hours from Monday 00:00) every week."""
        if weekly_times:
            self.env.process(self._clock(sorted(weekly_times)))

    def release_at_times(self, times: Sequence[float]) -> None:
        """Flush the open batch at these simulated times (a dated calendar's release times)."""
        if times:
            self.env.process(self._dated_clock(sorted(times)))

    def _dated_clock(self, times: list[float]) -> Generator[simpy.Event | None, object, None]:
        env = self.env
        for at in times:
            if at > env.now:
                yield env.timeout(at - env.now)
            self.flush()
        yield env.event()  # never fires, as the weekly clock never ends

    def _clock(self, weekly_times: list[float]) -> Generator[simpy.Event | None, object, None]:
        env = self.env
        week = 0.0
        while True:
            for offset in weekly_times:
                at = week + offset
                if at > env.now:
                    yield env.timeout(at - env.now)
                self.flush()
            week += 168.0

    def _release(self) -> None:
        take = self.size
        items: list[Chunk] = []
        open_ = self._open
        priority = open_[0][0]
        while take and open_:
            entry = open_[0]
            n = entry[4]
            if n <= take:
                open_.pop(0)
                items.append((entry[3], n))
                take -= n
            else:
                entry[4] = n - take
                items.append((entry[3], take))
                take = 0
        size = self.size - take
        self._count -= size
        self.batches += 1
        self.items_released += size
        self.on_release(Batch(items, priority, size))

    def _start_timer(self, at: float) -> None:
        self._timer_at = at
        self.env.timeout(at - self.env.now).callbacks.append(self._on_timer)

    def _on_timer(self, _event: simpy.Event) -> None:
        self._timer_at = None
        if not self._count:
            return
        oldest = min(entry[2] for entry in self._open)
        due = oldest + self.max_wait_h
        if self.env.now >= due - _EPS:
            self._release()
            if self._count:
                self._start_timer(min(e[2] for e in self._open) + self.max_wait_h)
        else:
            self._start_timer(due)


# -- release times -----------------------------------------------------------------------------
def delivery_release_times(
    weekly_capacity: Sequence[int], interval_min: int, flush_before_shift_end: bool
) -> list[float]:
    """Weekly times (h) at which a runner's partly filled delivery batch goes (11.C15).

    Every ``interval_min`` minutes, clock-aligned from each midnight, while the runner has
    capacity > 0; and, if ``flush_before_shift_end``, at the start of the last staffed
    half hour of every shift (a run of half hours with capacity > 0).
    """
    cap = list(weekly_capacity)
    if len(cap) != HALF_HOURS_PER_WEEK:
        raise ValueError(f"expected {HALF_HOURS_PER_WEEK} half-hour capacities")
    minutes: set[int] = set()
    for day in range(7):
        for m in range(0, 24 * 60, interval_min):
            at = day * 1440 + m
            if cap[at // 30] > 0:
                minutes.add(at)
    if flush_before_shift_end:
        for slot in range(HALF_HOURS_PER_WEEK):
            if cap[slot] > 0 and cap[(slot + 1) % HALF_HOURS_PER_WEEK] == 0:
                minutes.add(slot * 30)
    return [m / 60 for m in sorted(minutes)]


def daily_release_times(weekly_capacity: Sequence[int], hour: float) -> list[float]:
    """``hour`` on every day on which the resource has capacity > 0 at that time (11.C16)."""
    slot = int(hour * 2)
    return [day * 24 + hour for day in range(7) if weekly_capacity[day * 48 + slot] > 0]


# -- deliveries ---------------------------------------------------------------------------------
class Route:
    """Moves specimens between two stages with the sending stage's runner (spec 5, 11.C14).

    Urgent specimens go singly and at once; the others in delivery batches. Each trip holds
    one runner unit for the round trip: loading + walk + unloading, the specimens enter the
    next stage, then the walk back. Trips on one route run in parallel as runners allow.
    """

    def __init__(
        self,
        lab: Lab,
        name: str,
        runner: ScheduledResource,
        outbound_h: float,
        return_h: float,
        batch_size: int,
        arrive: Callable[[Specimen], None],
    ) -> None:
        self.lab = lab
        self.name = name
        self.runner = runner
        self.outbound_h = float(outbound_h)
        self.return_h = float(return_h)
        self.arrive = arrive
        self.batcher = Batcher(lab.env, name, batch_size, self._dispatch)

    def send(self, specimen: Specimen) -> None:
        """Hand a specimen to this route at the end of the sending stage."""
        if specimen.priority == URGENT:
            self._dispatch(Batch([(specimen, 1)], URGENT, 1))
        else:
            self.batcher.put(specimen, 1, specimen.priority)

    def _dispatch(self, batch: Batch) -> None:
        Job(self._trip(batch), self.lab.env)

    def _trip(self, batch: Batch) -> Generator[simpy.Event | None, object, None]:
        lab = self.lab
        yield lab.work((self.runner,), batch.priority, self.outbound_h)
        for specimen, _ in batch.items:
            self.arrive(specimen)
        yield lab.hold(self.return_h)
        lab.release(self.runner)
