"""The event loop of the lab model: light-weight jobs on SimPy's event queue.

Most of a replication's events are the ends of tasks and waits of specimens, blocks and
batches. A SimPy process pays for each of them with an event object, a callback list and
a generic dispatch. A :class:`Job` instead puts *itself* on SimPy's queue under the key SimPy
would have used (time, priority, event id), and :class:`Environment` resumes it directly.
The order of events, their ids and so the results are exactly those of the plain SimPy
equivalent (a timeout per wait); only the bookkeeping per event is smaller.
"""

from __future__ import annotations

from collections.abc import Generator
from heapq import heappop, heappush

import simpy
from simpy.core import EmptySchedule
from simpy.events import NORMAL, URGENT

from hospital_twin.model.resources import Request

#: What a job's generator yields: ``None`` (go on at once), a float (wait that many hours),
#: a waiting resource request (:class:`hospital_twin.model.resources.Request`) or a SimPy
#: event.
Yielded = object


class Job:
    """Runs a generator as a light-weight process on ``env``.

    Unlike ``env.process`` it schedules no start and no end event and starts at once (up to
    its first wait). The generator yields ``None`` to go on at once (a request granted at
    once), a float to wait that many hours, a waiting request (it is woken when the request
    is granted, or when its task ends) or any SimPy event. The model never waits for a job to
    finish, so nothing is lost. An exception inside a job propagates out of the run.

    A job waiting for time is on SimPy's queue itself, under the key a timeout would have
    had; :class:`Environment` resumes it directly, and a plain ``simpy.Environment`` treats
    it as an event whose one callback resumes it.
    """

    __slots__ = ("_send", "_env")

    _ok = True  # seen by ``simpy.Environment.step`` when it processes a waiting job

    def __init__(self, generator: Generator[Yielded, object, None],
                 env: simpy.Environment) -> None:
        self._send = generator.send
        self._env = env
        self._resume()

    @property
    def callbacks(self) -> tuple:
        """For ``simpy.Environment.step``: processing a waiting job resumes it."""
        return (self._resume,)

    @callbacks.setter
    def callbacks(self, _value: object) -> None:
        pass

    def _resume(self, _event: object = None) -> None:
        send = self._send
        try:
            event = send(None)
            while event is None:
                event = send(None)
        except StopIteration:
            return
        cls = event.__class__
        if cls is float:  # wait: as ``env.timeout(event)`` would be scheduled
            env = self._env
            heappush(env._queue, (env._now + event, NORMAL, next(env._eid), self))
        elif cls is Request:  # waiting for units: the pool schedules the job at the grant
            event.job = self
        else:
            event.callbacks.append(self._resume)


class Environment(simpy.Environment):
    """``simpy.Environment`` whose :meth:`run_until` resumes waiting jobs directly."""

    def run_until(self, at: float) -> None:
        """As ``run(until=at)``: the same events in the same order, the same event ids."""
        if at <= self._now:
            raise ValueError(f"until ({at}) must be greater than the current simulation time")
        stop = simpy.Event(self)
        stop._ok = True
        stop._value = None
        self.schedule(stop, URGENT, at - self._now)
        queue = self._queue
        eid = self._eid
        job_class = Job
        while True:
            try:
                now, _, _, event = heappop(queue)
            except IndexError:
                raise EmptySchedule from None
            self._now = now
            if event.__class__ is job_class:
                # Job._resume, inline (the bulk of the events): run the job to its next wait.
                send = event._send
                try:
                    waited = send(None)
                    while waited is None:
                        waited = send(None)
                except StopIteration:
                    continue
                if waited.__class__ is float:
                    heappush(queue, (now + waited, NORMAL, next(eid), event))
                elif waited.__class__ is Request:
                    waited.job = event
                else:
                    waited.callbacks.append(event._resume)
                continue
            if event is stop:
                return
            callbacks, event.callbacks = event.callbacks, None
            for callback in callbacks:
                callback(event)
            if not event._ok and not hasattr(event, "_defused"):
                exc = type(event._value)(*event._value.args)
                exc.__cause__ = event._value
                raise exc
