"""The capacity-scheduled priority resource (spec section 3, 11.C5, 11.C6)."""

from __future__ import annotations

import numpy as np
import pytest
import simpy

from hospital_twin.model.flow import Job
from hospital_twin.model.resources import ResourcePool, ScheduledResource


def constant(n: int) -> list[int]:
    return [n] * 336


def make(*capacities: list[int]) -> tuple[simpy.Environment, ResourcePool, list]:
    env = simpy.Environment()
    pool = ResourcePool(env)
    resources = [pool.add(f"r{i}", cap) for i, cap in enumerate(capacities)]
    pool.start_rosters()
    return env, pool, resources


def task(
    env: simpy.Environment,
    pool: ResourcePool,
    log: list,
    name: str,
    resources: tuple[ScheduledResource, ...],
    priority: int,
    hours: float,
    at: float = 0.0,
):
    """Request at ``at``; note the grant time; hold ``hours``; release all."""
    if at:
        yield env.timeout(at)
    yield pool.acquire(resources, priority)
    log.append((name, env.now))
    yield env.timeout(hours)
    pool.release(*resources)
    log.append((name + " done", env.now))


def start(env, pool, log, *args, **kwargs) -> None:
    Job(task(env, pool, log, *args, **kwargs), env)


def test_priority_order_then_first_come_first_served() -> None:
    env, pool, (r,) = make(constant(1))
    log: list = []
    start(env, pool, log, "holder", (r,), 3, 1.0)
    for i, priority in enumerate([3, 1, 2, 0, 1]):
        start(env, pool, log, f"p{priority}-{i}", (r,), priority, 1.0, at=0.1 + 0.1 * i)
    env.run(until=10)
    grants = [name for name, _ in log if not name.endswith("done")]
    assert grants == ["holder", "p0-3", "p1-1", "p1-4", "p2-2", "p3-0"]


def test_atomic_grant_holds_nothing_while_waiting() -> None:
    env, pool, (staff, machine) = make(constant(1), constant(1))
    log: list = []
    start(env, pool, log, "machine busy", (machine,), 3, 2.0)
    start(env, pool, log, "load", (staff, machine), 0, 1.0, at=0.5)
    start(env, pool, log, "staff only", (staff,), 3, 1.0, at=0.6)
    env.run(until=1.0)
    # The joint request waits for the machine without holding the staff unit.
    assert staff.busy == 1 and machine.busy == 1
    assert ("staff only", 0.6) in log and not any(n == "load" for n, _ in log)
    assert [len(r.waiting) for r in (staff, machine)] == [1, 1]
    env.run(until=10)
    assert ("load", 2.0) in log  # machine free at 2.0, staff free since 1.6


def test_waiting_request_does_not_block_lower_priority_ones() -> None:
    env, pool, (staff, machine) = make(constant(2), constant(1))
    log: list = []
    start(env, pool, log, "machine busy", (machine,), 3, 5.0)
    start(env, pool, log, "staff busy", (staff,), 3, 1.0)
    start(env, pool, log, "staff busy 2", (staff,), 3, 1.0)
    start(env, pool, log, "urgent load", (staff, machine), 0, 1.0, at=0.2)
    start(env, pool, log, "routine task", (staff,), 3, 1.0, at=0.3)
    env.run(until=20)
    grants = dict((n, t) for n, t in log if not n.endswith("done"))
    # At 1.0 staff frees; the urgent load cannot start (machine busy), the routine task can.
    assert grants["routine task"] == 1.0
    assert grants["urgent load"] == 5.0


def test_capacity_drop_does_not_preempt_and_blocks_new_grants() -> None:
    roster = [0] * 336
    for day in range(7):  # daily 09:00-12:00: 2 units; 12:00-12:30: 1 unit; then none
        for slot in range(18, 24):
            roster[day * 48 + slot] = 2
        roster[day * 48 + 24] = 1
    env, pool, (r,) = make(roster)
    log: list = []
    start(env, pool, log, "a", (r,), 3, 3.5, at=11.0)
    start(env, pool, log, "b", (r,), 3, 0.75, at=11.5)
    start(env, pool, log, "c", (r,), 3, 0.1, at=12.0)
    env.run(until=12.1)
    assert r.capacity == 1 and r.busy == 2  # nothing pre-empted
    env.run(until=40)
    times = dict(log)
    assert times["a done"] == 14.5 and times["b done"] == 12.25
    # c waits until units in use fall below the capacity of 1, which never happens before
    # the roster drops to 0 at 12:30 (a runs to 14:30), so c starts the next day at 09:00.
    assert times["c"] == 24 + 9.0


def test_capacity_rise_grants_waiting_work_at_the_change() -> None:
    roster = [0] * 336
    for slot in range(18, 35):
        roster[slot] = 3
    env, pool, (r,) = make(roster)
    log: list = []
    for i in range(4):
        start(env, pool, log, f"t{i}", (r,), 3, 1.0, at=2.0)
    env.run(until=9.5)
    grants = [t for n, t in log if not n.endswith("done")]
    assert grants == [9.0, 9.0, 9.0]
    env.run(until=11)
    assert [t for n, t in log if n == "t3"] == [10.0]


def test_capacity_schedule_times_and_weekly_repeat() -> None:
    roster = [0] * 336
    for day in range(5):  # Mon-Fri 09:00-17:30, 4 units, lunch 12:30-13:30 none
        for slot in range(18, 35):
            roster[day * 48 + slot] = 0 if slot in (25, 26) else 4
    env, pool, (r,) = make(roster)
    env.run(until=2 * 168)
    cap, _, _ = r.series()
    pairs = list(zip(cap.times.tolist(), cap.values.tolist(), strict=True))
    assert pairs[:5] == [(0.0, 0.0), (9.0, 4.0), (12.5, 0.0), (13.5, 4.0), (17.5, 0.0)]
    assert (168 + 9.0, 4.0) in pairs and (168 + 4 * 24 + 17.5, 0.0) in pairs
    assert len(pairs) == 1 + 2 * 5 * 4  # four changes a day, ten days


def test_partial_release_keeps_the_machine() -> None:
    env, pool, (staff, machine) = make(constant(1), constant(1))
    seen: dict[str, float] = {}

    def cycle():
        yield pool.acquire((staff, machine), 2, 0.25)  # load: fires when loading ends
        pool.release(staff)
        seen["staff free"] = env.now
        yield env.timeout(2.0)  # the machine runs alone
        yield pool.acquire((staff,), 2, 0.25)  # unload
        pool.release(staff, machine)
        seen["done"] = env.now

    def other():
        yield env.timeout(0.5)
        yield pool.acquire((staff,), 3, 0.5)
        seen["other"] = env.now
        pool.release(staff)

    Job(cycle(), env)
    Job(other(), env)
    env.run(until=1.0)
    assert machine.busy == 1 and staff.busy == 1  # the other task holds the staff unit
    env.run(until=5)
    assert seen == {"staff free": 0.25, "other": 1.0, "done": 2.5}
    assert machine.busy == 0 and staff.busy == 0


def test_work_event_fires_when_the_task_ends() -> None:
    env, pool, (r,) = make(constant(1))
    ends: list[float] = []

    def job(duration):
        yield pool.acquire((r,), 3, duration)
        ends.append(env.now)
        pool.release(r)

    Job(job(1.5), env)
    Job(job(lambda: 0.5), env)  # a sampler, drawn at the grant
    env.run(until=5)
    assert ends == [1.5, 2.0]


def test_queue_and_busy_monitors_are_step_series() -> None:
    env, pool, (staff, machine) = make(constant(1), constant(1))
    log: list = []
    start(env, pool, log, "a", (staff,), 3, 1.0)
    start(env, pool, log, "b", (staff, machine), 3, 1.0, at=0.5)
    env.run(until=3)
    _, busy, queue = staff.series()
    # a holds 0-1, b is granted at 1.0 (same-time changes merge), b ends at 2.0.
    assert busy.times.tolist() == [0.0, 2.0]
    assert busy.values.tolist() == [1.0, 0.0]
    assert queue.times.tolist() == [0.0, 0.5, 1.0]
    assert queue.values.tolist() == [0.0, 1.0, 0.0]
    # A joint request counts in the queue of both resources.
    _, m_busy, m_queue = machine.series()
    assert m_queue.values.tolist() == [0.0, 1.0, 0.0]
    assert m_busy.times.tolist() == [0.0, 1.0, 2.0] and m_busy.values.tolist() == [0, 1, 0]
    assert np.all(np.diff(m_busy.times) > 0)


def test_zero_capacity_never_grants_and_does_not_hang() -> None:
    env, pool, (r,) = make(constant(0))
    log: list = []
    for i in range(3):
        start(env, pool, log, f"t{i}", (r,), i, 1.0)
    env.run(until=1000)
    assert log == [] and r.n_waiting == 3 and r.busy == 0


def test_roster_must_have_336_half_hours() -> None:
    env = simpy.Environment()
    with pytest.raises(ValueError, match="336"):
        ResourcePool(env).add("x", [1] * 48)


def test_joint_release_serves_merged_queues_by_priority_then_time() -> None:
    env, pool, (staff, machine) = make(constant(1), constant(1))
    log: list = []
    start(env, pool, log, "holder", (staff, machine), 3, 1.0)
    start(env, pool, log, "A staff", (staff,), 2, 1.0, at=0.1)
    start(env, pool, log, "B machine", (machine,), 2, 1.0, at=0.2)
    start(env, pool, log, "C both", (staff, machine), 2, 1.0, at=0.3)
    start(env, pool, log, "D both urgent", (staff, machine), 0, 1.0, at=0.4)
    env.run(until=10)
    grants = {n: t for n, t in log if not n.endswith("done")}
    # At 1.0 both units free: D (Urgent) first; at 2.0 A (earliest) and B together; C last.
    assert grants == {
        "holder": 0.0, "D both urgent": 1.0, "A staff": 2.0, "B machine": 2.0, "C both": 3.0,
    }


def test_the_model_engine_runs_jobs_as_plain_simpy_does() -> None:
    """engine.Environment resumes waiting jobs itself; same grants, times and event ids."""
    from hospital_twin.model.engine import Environment

    def scenario(env: simpy.Environment) -> tuple[list, int]:
        pool = ResourcePool(env)
        staff, machine = (pool.add(f"r{i}", constant(1 + i)) for i in range(2))
        pool.start_rosters()
        log: list = []
        for i, priority in enumerate([3, 1, 2, 0, 1, 3]):
            start(env, pool, log, f"s{i}", (staff,), priority, 0.5 + 0.1 * i, at=0.05 * i)
            start(env, pool, log, f"m{i}", (staff, machine), priority, 1.0, at=0.2 * i)
        if isinstance(env, Environment):
            env.run_until(20.0)
        else:
            env.run(until=20.0)
        return log, int(repr(env._eid)[6:-1]) - len(env._queue)

    plain, fast = scenario(simpy.Environment()), scenario(Environment())
    assert len(plain[0]) == 24 and fast == plain
