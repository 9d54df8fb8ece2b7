"""Backfilled history: the simulator's readings for a past period, stored like live ones."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hospital_twin.sensors.backfill import backfill_history
from hospital_twin.sensors.db import open_store
from hospital_twin.sensors.registry import load_registry
from hospital_twin.sensors.simulator import SimulatorConfig
from hospital_twin.sensors.store import count_readings, downsampled_history, latest_readings

MONDAY = datetime(2026, 3, 2, tzinfo=UTC).timestamp()
HOUR = 3600.0


def _rows(db: Path) -> list[tuple[str, float, dict]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT acp_id, acp_ts, payload FROM sensor_readings ORDER BY id").fetchall()
    return [(acp_id, ts, json.loads(p)) for acp_id, ts, p in rows]


def _fill(db: Path, seed: int, **kw) -> int:
    engine = open_store(db)
    try:
        config = SimulatorConfig(interval=600, seed=seed, **kw)
        return backfill_history(engine, load_registry(), MONDAY, MONDAY + 12 * HOUR, config)
    finally:
        engine.dispose()


def test_every_device_every_interval_without_dropouts(tmp_path: Path) -> None:
    registry = load_registry()
    stored = _fill(tmp_path / "a.db", 1, dropout=0.0)
    rows = _rows(tmp_path / "a.db")
    assert stored == len(rows) == 72 * len(registry.devices)  # 12 h every 10 min
    assert {r[0] for r in rows} == set(registry.devices)
    stamps = sorted({round(ts) for _, ts, _ in rows})
    assert stamps == [round(MONDAY + 600 * k) for k in range(72)]
    for acp_id, _, payload in rows:  # each device's exact keys, as the service stores them
        assert set(payload) == {r.key for r in registry.get(acp_id).readings}


def test_same_seed_same_history_other_seed_differs(tmp_path: Path) -> None:
    assert _fill(tmp_path / "a.db", 7) == _fill(tmp_path / "b.db", 7)
    assert _rows(tmp_path / "a.db") == _rows(tmp_path / "b.db")
    _fill(tmp_path / "c.db", 8)
    assert _rows(tmp_path / "a.db") != _rows(tmp_path / "c.db")
    assert len(_rows(tmp_path / "a.db")) < 72 * len(load_registry().devices)  # dropouts


def test_outage_silences_one_device_and_rollups_and_latest_are_filled(tmp_path: Path) -> None:
    engine = open_store(tmp_path / "o.db")
    device = "elsys-co2-058b11"
    outage = (MONDAY + 9 * HOUR, MONDAY + 15 * HOUR)
    try:
        stored = backfill_history(engine, load_registry(), MONDAY, MONDAY + 24 * HOUR,
                                  SimulatorConfig(interval=300, seed=0, dropout=0.0),
                                  outages={device: [outage]})
        assert stored == count_readings(engine)
        hourly = downsampled_history(engine, device, MONDAY, MONDAY + 24 * HOUR, 3600)
        hours = [int((b["ts"] - MONDAY) // HOUR) for b in hourly]
        assert hours == [h for h in range(24) if not 9 <= h < 15]
        assert all(b["values"]["co2"]["n"] == 12 for b in hourly)
        other = downsampled_history(engine, "elsys-co2-058ae0", MONDAY, MONDAY + 24 * HOUR, 3600)
        assert len(other) == 24
        # working hours raise CO₂ in the stored data too
        co2 = {int((b["ts"] - MONDAY) // HOUR): b["values"]["co2"]["mean"] for b in other}
        assert co2[11] > co2[3] + 200
        newest = {r["acp_id"]: r["acp_ts"] for r in latest_readings(engine)}
        assert newest[device] == pytest.approx(MONDAY + 24 * HOUR - 300)
    finally:
        engine.dispose()


def test_rejects_an_empty_period(tmp_path: Path) -> None:
    engine = open_store(tmp_path / "e.db")
    try:
        with pytest.raises(ValueError, match="end must be after start"):
            backfill_history(engine, load_registry(), MONDAY, MONDAY)
        assert count_readings(engine) == 0
    finally:
        engine.dispose()
