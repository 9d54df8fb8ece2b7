"""The lab's one resource type: rostered capacity, priority service, atomic multi-unit grants.

Spec section 3 and 11.C5/11.C6. SimPy's own resources cannot change capacity over time nor
grant staff and a machine together, so this module builds one small resource type on SimPy
events:

* capacity follows the weekly roster (half-hour slots, day flags); lowering it never
  interrupts work in progress, it only stops new grants until units are free again;
* a request names one unit of each of one or more resources and is granted only when all are
  free at once; while it waits it holds nothing;
* waiting requests are ordered by (priority, time of request); whenever units are released or
  capacity rises, the waiting requests involving the changed resources are scanned in that
  order and each is granted if it can be, otherwise skipped (it keeps its place and does not
  block lower-priority requests that can be granted);
* units are released individually, so a task can release its staff and keep its machine.

Each resource records its capacity, busy units and queue length (waiting requests that
include it) as step series on every change.
"""

from __future__ import annotations

import heapq
import itertools
from array import array
from collections import deque
from collections.abc import Callable, Generator, Mapping, Sequence
from heapq import heappush
from operator import attrgetter

import numpy as np
import simpy
from simpy.events import NORMAL

from hospital_twin.model.output import StepSeries

HALF_HOURS_PER_WEEK = 336
#: Priority levels: 0 (most urgent) .. PRIORITY_LEVELS - 1; the model uses 4.
PRIORITY_LEVELS = 4
_seq = attrgetter("seq")  # request order within a priority level
Duration = float | str | Callable[[], float]


def _step_series(times: array, values: array) -> StepSeries:
    """A step series from a change log: same-time changes merged (the last one holds)."""
    t = np.frombuffer(times, dtype=float) if len(times) else np.zeros(0)
    v = np.frombuffer(values, dtype=float) if len(values) else np.zeros(0)
    last = np.append(t[1:] != t[:-1], True)
    t, v = t[last], v[last]
    keep = np.append(True, v[1:] != v[:-1])  # drop points that change nothing
    return StepSeries(t[keep].copy(), v[keep].copy())


class Request:
    """A waiting request for one unit of each of ``resources``.

    ``duration`` (hours, or a sampler called at the grant) makes the waiting ``job`` resume
    when that task ends rather than when the units are granted. ``seq`` orders requests of
    one priority (first come, first served).
    """

    __slots__ = ("resources", "priority", "seq", "duration", "job")

    def __init__(
        self,
        resources: tuple[ScheduledResource, ...],
        priority: int,
        seq: int,
        duration: Duration | None = None,
    ) -> None:
        self.resources = resources
        self.priority = priority
        self.seq = seq
        self.duration = duration
        self.job = None  # the Job waiting for it (set when the job yields the request)


class ScheduledResource:
    """A counted resource whose capacity follows a roster; see the module docstring.

    Waiting requests sit in one FIFO queue per priority level. ``log_t``/``log_busy``/
    ``log_queue`` record busy units and queue length after every change, ``cap_t``/``cap_v``
    the capacity; :meth:`series` turns them into step series.
    """

    __slots__ = (
        "name", "capacity", "busy", "queues", "n_waiting", "log_t", "log_busy", "log_queue",
        "cap_t", "cap_v", "monitored",
    )

    def __init__(self, name: str, capacity: int, monitored: bool = True) -> None:
        self.name = name
        self.capacity = capacity
        self.busy = 0
        self.queues: tuple[deque[Request], ...] = tuple(
            deque() for _ in range(PRIORITY_LEVELS)
        )
        self.n_waiting = 0
        self.log_t = array("d", [0.0])
        self.log_busy = array("d", [0.0])
        self.log_queue = array("d", [0.0])
        self.cap_t = array("d", [0.0])
        self.cap_v = array("d", [float(capacity)])
        self.monitored = monitored  # False: busy/queue not logged (a run without monitors)

    @property
    def waiting(self) -> list[Request]:
        """The waiting requests that include this resource, in service order."""
        return [q for queue in self.queues for q in queue]

    def series(self) -> tuple[StepSeries, StepSeries, StepSeries]:
        """Capacity, busy units and queue length as step series."""
        if not self.monitored:
            raise RuntimeError(f"{self.name}: busy units and queue were not monitored")
        return (
            _step_series(self.cap_t, self.cap_v),
            _step_series(self.log_t, self.log_busy),
            _step_series(self.log_t, self.log_queue),
        )

    def _log(self, now: float) -> None:
        if not self.monitored:
            return
        self.log_t.append(now)
        self.log_busy.append(self.busy)
        self.log_queue.append(self.n_waiting)

    def __repr__(self) -> str:
        return (
            f"ScheduledResource({self.name!r}, capacity={self.capacity}, busy={self.busy}, "
            f"waiting={self.n_waiting})"
        )


class ResourcePool:
    """All resources of one replication and the service rule that grants their units.

    ``durations`` maps task labels to samplers, so a request can name its task;
    ``monitors=False`` skips the busy/queue logs (a forecast reads only the specimens).
    """

    def __init__(
        self,
        env: simpy.Environment,
        durations: Mapping[str, Callable[[], float]] | None = None,
        monitors: bool = True,
    ) -> None:
        self.env = env
        self.durations = dict(durations or {})
        self.monitors = monitors
        self.resources: dict[str, ScheduledResource] = {}
        self._seq = itertools.count()
        self._rosters: list[tuple[ScheduledResource, list[int]]] = []

    # -- construction ---------------------------------------------------------------------
    def add(self, name: str, weekly_capacity: Sequence[int]) -> ScheduledResource:
        """Add a resource with a weekly roster of 336 half-hour capacities (Monday 00:00 on)."""
        if len(weekly_capacity) != HALF_HOURS_PER_WEEK:
            raise ValueError(
                f"{name}: expected {HALF_HOURS_PER_WEEK} half-hour capacities, "
                f"got {len(weekly_capacity)}"
            )
        roster = [int(c) for c in weekly_capacity]
        if min(roster) < 0:
            raise ValueError(f"{name}: capacities must be >= 0")
        resource = ScheduledResource(name, roster[0], self.monitors)
        self.resources[name] = resource
        self._rosters.append((resource, roster))
        return resource

    def start_rosters(self) -> None:
        """Start the one process that applies every roster's capacity changes."""
        changes: list[tuple[float, int, ScheduledResource, int]] = []
        for order, (resource, roster) in enumerate(self._rosters):
            for slot in range(HALF_HOURS_PER_WEEK):
                if roster[slot] != roster[slot - 1]:  # slot 0 compares with last week's end
                    changes.append((slot * 0.5, order, resource, roster[slot]))
        changes.sort(key=lambda c: (c[0], c[1]))
        if changes:
            self.env.process(self._apply_rosters([(t, r, c) for t, _, r, c in changes]))

    def add_dated(self, name: str, capacity: int) -> ScheduledResource:
        """Add a resource whose capacity changes come from a dated calendar
        (:meth:`start_dated_rosters`) instead of a repeating weekly roster."""
        if capacity < 0:
            raise ValueError(f"{name}: capacities must be >= 0")
        resource = ScheduledResource(name, int(capacity), self.monitors)
        self.resources[name] = resource
        return resource

    def start_dated_rosters(
        self, changes: list[tuple[float, ScheduledResource, int]]
    ) -> None:
        """Apply dated capacity changes ``(time, resource, units)``, sorted by time; the
        same process as the weekly one, over a finite list."""
        if changes:
            self.env.process(self._apply_dated(changes))

    def _apply_dated(
        self, changes: list[tuple[float, ScheduledResource, int]]
    ) -> Generator[simpy.Event, object, None]:
        env = self.env
        for at, resource, capacity in changes:
            if at > env.now:
                yield env.timeout(at - env.now)
            if at > 0.0:
                self.set_capacity(resource, capacity)
        yield env.event()  # never fires: ending would add an event the weekly one never has

    def _apply_rosters(
        self, changes: list[tuple[float, ScheduledResource, int]]
    ) -> Generator[simpy.Event, object, None]:
        env = self.env
        week = 0.0
        while True:
            for offset, resource, capacity in changes:
                at = week + offset
                if at > env.now:
                    yield env.timeout(at - env.now)
                if at > 0.0:  # capacities at t = 0 were set at construction
                    self.set_capacity(resource, capacity)
            week += 168.0

    # -- service rule -----------------------------------------------------------------------
    def acquire(
        self,
        resources: tuple[ScheduledResource, ...],
        priority: int,
        duration: Duration | None = None,
    ) -> float | Request | None:
        """Ask for one unit of each resource, granted together in (priority, time) order.

        For a :class:`~hospital_twin.model.engine.Job` to yield. Granted at once: None
        without ``duration``, else the task's hours (the job waits that long). Otherwise a
        waiting :class:`Request`: the job resumes at the grant, or with ``duration`` (hours,
        a task label of ``durations`` or a sampler, drawn at the grant) when that task,
        started at the grant, ends. The caller releases the units.
        """
        if duration.__class__ is str:
            duration = self.durations[duration]
        if len(resources) == 1:
            r = resources[0]
            if r.busy < r.capacity:
                r.busy += 1
                if self.monitors:
                    r.log_t.append(self.env._now)
                    r.log_busy.append(r.busy)
                    r.log_queue.append(r.n_waiting)
                if duration is None or duration.__class__ is float:
                    return duration
                return duration()
        else:
            for r in resources:
                if r.busy >= r.capacity:
                    break
            else:
                now = self.env._now
                for r in resources:
                    r.busy += 1
                    r._log(now)
                if duration is None or duration.__class__ is float:
                    return duration
                return duration()
        request = Request(resources, priority, next(self._seq), duration)
        monitors = self.monitors
        for r in resources:
            r.queues[priority].append(request)
            r.n_waiting += 1
            if monitors:
                r.log_t.append(self.env._now)
                r.log_busy.append(r.busy)
                r.log_queue.append(r.n_waiting)
        return request

    def _fire(self, request: Request) -> None:
        """The request's units are granted: wake its job now, or when its task ends
        (scheduled as SimPy schedules a succeeded event or a timeout)."""
        duration = request.duration
        if duration is None:
            delay = 0.0
        else:
            delay = duration if duration.__class__ is float else duration()
        env = self.env
        heappush(env._queue, (env._now + delay, NORMAL, next(env._eid), request.job))

    def release(self, *resources: ScheduledResource) -> None:
        """Give back one unit of each resource and grant what can now be granted."""
        if len(resources) == 1:
            r = resources[0]
            r.busy -= 1
            if r.n_waiting and r.busy < r.capacity:
                self._scan(r)
            if self.monitors:
                r.log_t.append(self.env._now)
                r.log_busy.append(r.busy)
                r.log_queue.append(r.n_waiting)
        else:
            now = self.env._now
            monitors = self.monitors
            for r in resources:
                r.busy -= 1
                if monitors:
                    r._log(now)
            self._scan_all(resources)

    def set_capacity(self, resource: ScheduledResource, capacity: int) -> None:
        """Change capacity now; a reduction pre-empts nothing, a rise grants waiting work."""
        rise = capacity > resource.capacity
        resource.capacity = capacity
        now = self.env._now
        resource.cap_t.append(now)
        resource.cap_v.append(capacity)
        if rise and resource.n_waiting:
            self._scan(resource)
            resource._log(now)

    def _scan(self, resource: ScheduledResource) -> None:
        """Grant, in (priority, request time) order, what the free units of one resource allow.

        The caller logs ``resource``; other resources of a granted request are logged here.
        """
        for queue in resource.queues:
            if not queue:
                continue
            i = 0
            while i < len(queue):
                if resource.busy >= resource.capacity:
                    return
                request = queue[i]
                if len(request.resources) == 1:  # most grants: no other resource to check
                    del queue[i]
                    resource.n_waiting -= 1
                    resource.busy += 1
                    self._fire(request)
                    continue
                for r in request.resources:
                    if r.busy >= r.capacity:
                        i += 1
                        break
                else:
                    self._grant(request)  # removes it from ``queue``

    def _scan_all(self, changed: tuple[ScheduledResource, ...]) -> None:
        """As :meth:`_scan`, over the merged queues of several changed resources.

        Per priority level the requests of the resources still free are visited in request
        order. After each grant the visit starts again over the queues of the resources
        that are still free (past the requests already seen): every request in a full
        resource's queue includes that resource and cannot be granted, so it is not visited
        (a long queue of a resource that filled up is not walked to its end).
        """
        for level in range(PRIORITY_LEVELS):
            seen = -1  # seq of the last request visited at this level
            while True:
                queues = [r.queues[level] for r in changed
                          if r.busy < r.capacity and r.queues[level]]
                if not queues:
                    if not any(r.busy < r.capacity for r in changed):
                        return
                    break
                granted = False
                for request in heapq.merge(*queues, key=_seq) if len(queues) > 1 else queues[0]:
                    seq = request.seq
                    if seq <= seen:
                        continue
                    seen = seq
                    for r in request.resources:
                        if r.busy >= r.capacity:
                            break
                    else:
                        self._grant(request)  # changes the queues: visit them afresh
                        granted = True
                        break
                if not granted:
                    break

    def _grant(self, request: Request) -> None:
        now = self.env._now
        for r in request.resources:
            r.busy += 1
            r.queues[request.priority].remove(request)
            r.n_waiting -= 1
            r._log(now)
        self._fire(request)
