"""Batchers, release times and deliveries (spec section 5, 11.C13-C16)."""

from __future__ import annotations

import pytest
import simpy
from model_configs import REFERENCE_RESOURCES, lab_config, machine, simple_config

from hospital_twin.config.models import ResourceSchedule
from hospital_twin.model.entities import CANCER, ROUTINE, STAMP, URGENT, Specimen
from hospital_twin.model.flow import (
    Batch,
    Batcher,
    daily_release_times,
    delivery_release_times,
)
from hospital_twin.model.lab import Lab


def specimen(sid: int, priority: int = ROUTINE) -> Specimen:
    return Specimen(sid, 1, priority, True, False, 0, 0, 0, 0, [(0, 2)])


def collecting_batcher(size: int, max_wait_h: float | None = None):
    env = simpy.Environment()
    released: list[tuple[float, Batch]] = []
    batcher = Batcher(env, "test", size, lambda b: released.append((env.now, b)), max_wait_h)
    return env, batcher, released


def test_full_batch_is_released_at_once_with_most_urgent_priority() -> None:
    env, batcher, released = collecting_batcher(3)
    batcher.put(specimen(0), 1, ROUTINE)
    batcher.put(specimen(1, CANCER), 1, CANCER)
    assert released == []
    batcher.put(specimen(2), 1, ROUTINE)
    assert len(released) == 1
    _, batch = released[0]
    assert batch.size == 3 and batch.priority == CANCER
    assert [s.sid for s, _ in batch.items] == [1, 0, 2]  # priority order, then arrival
    assert batcher.waiting == 0


def test_chunks_split_and_urgent_items_go_first() -> None:
    env, batcher, released = collecting_batcher(5)
    routine, urgent = specimen(0), specimen(1, URGENT)
    batcher.put(routine, 4, ROUTINE)
    batcher.put(urgent, 3, URGENT)  # 7 items: the urgent 3 and 2 routine go
    (_, batch), = released
    assert [(s.sid, n) for s, n in batch.items] == [(1, 3), (0, 2)]
    assert batch.priority == URGENT and batcher.waiting == 2
    batcher.put(routine, 3, ROUTINE)
    assert [(s.sid, n) for s, n in released[1][1].items] == [(0, 2), (0, 3)]


def test_max_wait_releases_when_the_oldest_item_has_waited() -> None:
    env, batcher, released = collecting_batcher(10, max_wait_h=2.0)

    def feed():
        yield env.timeout(1.0)
        batcher.put(specimen(0), 1, ROUTINE)
        yield env.timeout(1.5)
        batcher.put(specimen(1), 1, ROUTINE)
        yield env.timeout(1.0)  # the first two went at 3.0; this one starts a new wait
        batcher.put(specimen(2), 1, ROUTINE)

    env.process(feed())
    env.run(until=20)
    assert [(t, b.size) for t, b in released] == [(3.0, 2), (5.5, 1)]


def test_full_only_never_releases_a_partial_batch() -> None:
    env, batcher, released = collecting_batcher(10, max_wait_h=None)
    batcher.put(specimen(0), 4, ROUTINE)
    env.run(until=1000)
    assert released == [] and batcher.waiting == 4


def test_release_at_flushes_only_non_empty_batches() -> None:
    env, batcher, released = collecting_batcher(10)
    batcher.release_at([9.0, 17.0])
    env.run(until=8.0)
    batcher.put(specimen(0), 2, ROUTINE)
    env.run(until=168 + 10)
    assert [(t, b.size) for t, b in released] == [(9.0, 2)]


def schedule(label: str) -> list[int]:
    return ResourceSchedule.model_validate(REFERENCE_RESOURCES[label]).weekly_capacity()


def test_delivery_release_times_follow_the_runner_shift() -> None:
    bms = delivery_release_times(schedule("BMS"), 60, True)
    monday = [t for t in bms if t < 24]
    # Whole hours while BMS are on (not 13:00, lunch), and 12:00 / 17:00 before each break.
    assert monday == [9.0, 10.0, 11.0, 12.0, 14.0, 15.0, 16.0, 17.0]
    assert len(bms) == 5 * len(monday) and max(bms) < 5 * 24
    booking = [t for t in delivery_release_times(schedule("Booking-in staff"), 60, True)
               if t < 24]
    assert booking[0] == 8.0 and booking[-2:] == [19.0, 19.5]
    assert 19.5 not in delivery_release_times(schedule("Booking-in staff"), 60, False)


def test_processing_start_only_on_staffed_days() -> None:
    times = daily_release_times(schedule("Processing room staff"), 16.5)
    assert times == [d * 24 + 16.5 for d in range(5)]


def test_urgent_specimens_travel_singly_and_in_parallel() -> None:
    config = simple_config()
    lab = Lab(config, sim_hours=10)
    lab.resources["Booking-in staff"].capacity = 2
    sent = [specimen(i, URGENT) for i in range(3)]
    for s in sent:
        lab.to_cutup.send(s)
    lab.env.run(until=1.0)
    arrived = [s.stamps[STAMP["cutup_start"]] * 60 for s in sent]
    # Two runners walk at once (2 min out); the third waits for a round trip (4 min).
    assert arrived[:2] == [2.0, 2.0]
    assert abs(arrived[2] - 6.0) < 1e-9


def test_non_urgent_specimens_wait_for_the_delivery_batch() -> None:
    config = lab_config()
    lab = Lab(config, sim_hours=200)
    sent = [specimen(i) for i in range(3)]

    def send_at_8_10():
        yield lab.env.timeout(8 + 1 / 6)
        for s in sent:
            lab.to_cutup.send(s)

    lab.env.process(send_at_8_10())
    lab.pool.start_rosters()
    lab.env.run(until=12)
    # Released at 09:00 (whole hour, booking-in staff on duty), 2 min walk.
    assert [s.stamps[STAMP["cutup_start"]] for s in sent] == pytest.approx([9 + 2 / 60] * 3)


def test_machine_rosters_are_round_the_clock() -> None:
    assert ResourceSchedule.model_validate(machine(3)).weekly_capacity() == [3] * 336


def test_hold_full_makes_a_full_batch_wait_for_the_release_time() -> None:
    env, batcher, released = collecting_batcher(3)
    batcher.hold_full = True
    batcher.release_at([16.5])
    batcher.put(specimen(0), 4, ROUTINE)
    batcher.put(specimen(1, CANCER), 3, CANCER)  # 7 items: two full batches and one
    assert released == []
    env.run(until=20)
    assert [(t, b.size, b.priority) for t, b in released] == [
        (16.5, 3, CANCER), (16.5, 3, ROUTINE), (16.5, 1, ROUTINE)]
    assert batcher.waiting == 0


def _programme_release(rule: str, **starts: str) -> Lab:
    config = lab_config()
    release = config.batch_release.model_copy(update={"processing_release": rule, **starts})
    return Lab(config.model_copy(update={"batch_release": release}), sim_hours=200)


@pytest.mark.parametrize(("rule", "holds"), [("start_time", True),
                                             ("full_or_start_time", False)])
def test_regular_programmes_start_at_their_own_time(rule: str, holds: bool) -> None:
    lab = _programme_release(rule, processing_start_mega="09:00")
    released: dict[str, list[float]] = {}
    for name, batcher in lab.programmes.items():
        batcher.on_release = lambda b, n=name: released.setdefault(n, []).append(lab.env.now)
    small, mega = lab.programmes["Processing machine (small surgicals)"], \
        lab.programmes["Processing machine (megas)"]
    assert small.hold_full is holds and mega.hold_full is holds
    assert not lab.programmes["Processing machine (urgent)"].hold_full

    def feed():
        yield lab.env.timeout(1.0)  # Monday 01:00: a full small batch and one mega block
        small.put(specimen(0), small.size, ROUTINE)
        mega.put(specimen(1), 1, ROUTINE)

    lab.env.process(feed())
    lab.env.run(until=30)
    small_at = 1.0 if not holds else 16.5  # a full batch waits for 16:30 under the new rule
    assert released["Processing machine (small surgicals)"] == [small_at]
    assert released["Processing machine (megas)"] == [9.0]  # its own start time
