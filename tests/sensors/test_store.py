"""Storage: batched inserts, latest per device, raw and downsampled history, retention."""

from __future__ import annotations

import statistics

import pytest

from hospital_twin.sensors.db import open_store
from hospital_twin.sensors.messages import Reading
from hospital_twin.sensors.store import (
    apply_retention,
    count_readings,
    downsampled_history,
    insert_batch,
    latest_readings,
    raw_history,
)

T0 = 1_789_999_200  # a multiple of 3600 s: buckets of every width start here
DEV = "elsys-co2-058ae0"


@pytest.fixture
def engine(tmp_path):
    eng = open_store(tmp_path / "ht.db")
    yield eng
    eng.dispose()


def _readings(values: list[float], step: float, start: float = T0) -> list[Reading]:
    return [Reading(DEV, start + i * step, {"co2": v, "temperature": 20 + v / 1000},
                    received_ts=start + i * step) for i, v in enumerate(values)]


def test_downsampling_matches_known_aggregates(engine) -> None:
    values = [float((i * 37) % 101) for i in range(120)]  # one reading every 30 s for 1 h
    batch = _readings(values, 30)
    insert_batch(engine, batch[:50], {DEV})  # two batches: rollups merge across batches
    insert_batch(engine, batch[50:], {DEV})
    for step in (300, 900, 3600, 60):
        buckets = downsampled_history(engine, DEV, T0, T0 + 3600, step)
        per = int(step // 30)
        assert len(buckets) == 120 // per
        for k, bucket in enumerate(buckets):
            chunk = values[k * per:(k + 1) * per]
            co2 = bucket["values"]["co2"]
            assert bucket["ts"] == T0 + k * step
            assert co2["n"] == len(chunk)
            assert co2["mean"] == pytest.approx(statistics.fmean(chunk))
            assert (co2["min"], co2["max"]) == (min(chunk), max(chunk))


def test_raw_history_is_sorted_and_half_open(engine) -> None:
    batch = _readings([5, 6, 7, 8], 10)
    insert_batch(engine, list(reversed(batch)), {DEV})
    rows = raw_history(engine, DEV, T0 + 10, T0 + 30)
    assert [r["acp_ts"] for r in rows] == [T0 + 10, T0 + 20]
    payload = {"co2": 6, "temperature": 20.006}
    assert rows[0] == {"acp_id": DEV, "acp_ts": T0 + 10, "payload": payload}


def test_latest_keeps_the_newest_and_flags_unregistered(engine) -> None:
    insert_batch(engine, _readings([1, 2, 3], 60), {DEV})
    insert_batch(engine, _readings([9], 60, start=T0 - 600), {DEV})  # late, older reading
    stranger = Reading("elsys-co2-ffffff", T0, {"co2": 1}, received_ts=T0)
    insert_batch(engine, [stranger], {DEV})
    rows = {r["acp_id"]: r for r in latest_readings(engine)}
    assert rows[DEV]["acp_ts"] == T0 + 120 and rows[DEV]["payload"]["co2"] == 3
    assert rows[DEV]["count"] == 4 and rows[DEV]["registered"] == 1
    assert rows["elsys-co2-ffffff"]["registered"] == 0


def test_retention_drops_raw_but_keeps_rollups(engine) -> None:
    insert_batch(engine, _readings([10, 20, 30], 60), {DEV})
    apply_retention(engine, now=T0 + 2 * 86400, raw_days=1, rollup_days=30)
    assert count_readings(engine) == 0
    (bucket,) = downsampled_history(engine, DEV, T0, T0 + 300, 300)
    assert bucket["values"]["co2"] == {"mean": 20, "min": 10, "max": 30, "n": 3}
    apply_retention(engine, now=T0 + 40 * 86400, raw_days=1, rollup_days=30)
    assert downsampled_history(engine, DEV, T0, T0 + 300, 300) == []


def test_batch_rollups_match_the_readings(engine) -> None:
    """Rollups aggregated column-wise per (device, bucket, key set) equal the readings' own
    count/sum/min/max, for devices sending different key sets; an integer too large for
    SQLite's INTEGER does not fail the batch."""
    import sqlite3

    from hospital_twin.sensors.batch import ReadingBatch

    other = "elsys-co2-ffffff"
    batch = _readings([5, 1, 9, 3], 60) + [
        Reading(other, T0, {"co2": 10**20}, received_ts=T0),
        Reading(other, T0 + 1, {"co2": 4, "light": 2.5}, received_ts=T0 + 1),
        Reading(other, T0 + 2, {"co2": 6}, received_ts=T0 + 2),
    ]
    built = ReadingBatch.from_readings(batch)
    co2 = sorted(row[3:] for row in built.rollup if row[0] == other and row[2] == "co2")
    assert co2 == [(1, 4.0, 4.0, 4.0), (2, 1e20 + 6, 6.0, 1e20)]  # one row per key set
    insert_batch(engine, built, {DEV})
    with sqlite3.connect(engine.url.database) as conn:
        got = conn.execute("SELECT sum(n), sum(sum), min(min), max(max) FROM sensor_rollup"
                           " WHERE acp_id=? AND key='co2'", (other,)).fetchone()
        dev = conn.execute("SELECT sum(n), sum(sum), min(min), max(max) FROM sensor_rollup"
                           " WHERE acp_id=? AND key='co2'", (DEV,)).fetchone()
    assert got == (3, 1e20 + 10, 4, 1e20)
    assert dev == (4, 18, 1, 9)
