"""Synthetic sensor history: the simulator's readings over a past period, written to a store.

Analysts, notebooks and tests need days of history without waiting days for it.
:func:`backfill_history` runs the seeded :class:`~hospital_twin.sensors.simulator.Simulator`
at past times and stores every reading through the service's own message parsing and
storage (raw readings, 5-minute rollups, latest), exactly as if it had arrived over MQTT.
The same arguments always give the same readings.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Engine

from hospital_twin.sensors.messages import Reading, parse_message
from hospital_twin.sensors.registry import Registry
from hospital_twin.sensors.simulator import Simulator, SimulatorConfig
from hospital_twin.sensors.store import insert_batch

#: Readings written per transaction.
BATCH_READINGS = 5000


def _silent(windows: Sequence[tuple[float, float]], t: float) -> bool:
    return any(lo <= t < hi for lo, hi in windows)


def backfill_history(
    engine: Engine,
    registry: Registry,
    start: float,
    end: float,
    config: SimulatorConfig | None = None,
    outages: Mapping[str, Sequence[tuple[float, float]]] | None = None,
) -> int:
    """Store simulated readings of every registry device for ``start <= t < end``.

    One round (every device once, minus the simulator's random dropouts) is taken every
    ``config.interval`` seconds from ``start`` (UNIX seconds); the default config reports
    every 300 s with seed 0. ``outages`` maps a device id to ``[(from, to), …]`` UNIX
    windows in which that device sends nothing (a flat battery, a lost gateway), so the
    history has gaps to find. Returns the number of readings stored.
    """
    config = config or SimulatorConfig(interval=300.0, seed=0)
    if config.interval <= 0:
        raise ValueError("interval must be positive")
    if end <= start:
        raise ValueError("end must be after start")
    outages = outages or {}
    sim = Simulator(registry, config)
    registered = set(registry.devices)
    batch: list[Reading] = []
    stored = 0
    k = 0
    while (t := start + k * config.interval) < end:
        k += 1
        for topic, doc in sim.round(t):
            reading = parse_message(doc, topic, t)  # the service's own validation
            if _silent(outages.get(reading.acp_id, ()), reading.acp_ts):
                continue
            batch.append(reading)
        if len(batch) >= BATCH_READINGS:
            insert_batch(engine, batch, registered)
            stored += len(batch)
            batch = []
    insert_batch(engine, batch, registered)
    return stored + len(batch)
