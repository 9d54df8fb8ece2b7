"""Reading storage and queries: batched inserts, latest per device, raw and downsampled history."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, select

from hospital_twin.sensors import fastjson
from hospital_twin.sensors.batch import ReadingBatch
from hospital_twin.sensors.db import reading
from hospital_twin.sensors.messages import Reading
from hospital_twin.sensors.tables import ROLLUP_SECONDS, latest, readings, rollup

_INSERT_RAW = (
    "INSERT INTO sensor_readings (acp_id, acp_ts, received_ts, registered, payload, meta)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)

#: Fold a batch's aggregates per (device, 5-minute bucket, key) into the rollups.
_UPSERT_ROLLUP = (
    "INSERT INTO sensor_rollup (acp_id, bucket, key, n, sum, min, max)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (acp_id, bucket, key) DO UPDATE SET"
    " n = n + excluded.n, sum = sum + excluded.sum,"
    " min = min(min, excluded.min), max = max(max, excluded.max)"
)

#: Each device's newest reading (a late, older reading only adds to the count). Plain SQL:
#: SQLAlchemy's cache key for the multi-row upsert cost about 0.3 ms per batch.
_UPSERT_LATEST = (
    "INSERT INTO sensor_latest"
    " (acp_id, acp_ts, received_ts, registered, payload, first_seen, count)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (acp_id) DO UPDATE SET"
    " acp_ts = iif(excluded.acp_ts >= sensor_latest.acp_ts, excluded.acp_ts,"
    " sensor_latest.acp_ts),"
    " payload = iif(excluded.acp_ts >= sensor_latest.acp_ts, excluded.payload,"
    " sensor_latest.payload),"
    " received_ts = excluded.received_ts, count = sensor_latest.count + excluded.count"
)


def _latest_rows(batch: ReadingBatch, registered: set[str]) -> list[tuple]:
    rows = batch.rows
    out = []
    for acp_id, (count, newest, _first, _last) in batch.devices.items():
        _, acp_ts, received_ts, payload, _meta = rows[newest]
        out.append((acp_id, acp_ts, received_ts, acp_id in registered, payload, received_ts,
                    count))
    return out


def insert_batch(engine: Engine | Connection, batch: Sequence[Reading] | ReadingBatch,
                 registered: set[str]) -> None:
    """Store a batch of readings in one transaction (raw rows, rollups, latest): its own,
    or the caller's when given a connection in a transaction (the writer adds the batch's
    alerts to the same one)."""
    if not isinstance(batch, ReadingBatch):
        batch = ReadingBatch.from_readings(batch)
    if not batch:
        return
    raw = [(a, ts, rts, a in registered, p, m) for a, ts, rts, p, m in batch.rows]
    transaction = engine.begin() if isinstance(engine, Engine) else nullcontext(engine)
    with transaction as conn:
        conn.exec_driver_sql(_INSERT_RAW, raw)  # plain executemany: the hot path
        if batch.rollup:
            conn.exec_driver_sql(_UPSERT_ROLLUP, batch.rollup)
        conn.exec_driver_sql(_UPSERT_LATEST, _latest_rows(batch, registered))


def latest_readings(engine: Engine, since: float = 0.0) -> list[dict[str, Any]]:
    """Newest reading of every device seen since ``since``, with registration and counts."""
    query = select(latest).where(latest.c.acp_ts >= since).order_by(latest.c.acp_id)
    with reading(engine) as conn:
        rows = conn.execute(query).mappings().all()
    return [{**row, "payload": fastjson.loads(row["payload"])} for row in rows]


def raw_history(
    engine: Engine, acp_id: str, start: float, end: float, limit: int | None = None
) -> list[dict[str, Any]]:
    """Raw readings of a device with ``start <= acp_ts < end``, oldest first."""
    query = (
        select(readings.c.acp_ts, readings.c.payload)
        .where(
            and_(readings.c.acp_id == acp_id, readings.c.acp_ts >= start, readings.c.acp_ts < end)
        )
        .order_by(readings.c.acp_ts, readings.c.id)
    )
    if limit:
        query = query.limit(limit)
    with reading(engine) as conn:
        return [
            {"acp_id": acp_id, "acp_ts": ts, "payload": fastjson.loads(p)}
            for ts, p in conn.execute(query)
        ]


def _aggregates(cells: Iterable[tuple[int, str, int, float, float, float]]) -> list[dict]:
    by_bucket: dict[int, dict[str, Any]] = {}
    for bucket, key, n, total, lo, hi in cells:
        values = by_bucket.setdefault(bucket, {})
        values[key] = {"mean": total / n, "min": lo, "max": hi, "n": n}
    return [{"ts": float(b), "values": v} for b, v in sorted(by_bucket.items())]


def downsampled_history(
    engine: Engine, acp_id: str, start: float, end: float, resolution: int
) -> list[dict[str, Any]]:
    """Mean/min/max/n per key in buckets of ``resolution`` seconds (``ts`` = bucket start).

    Buckets are aligned to multiples of the resolution (UNIX time).  Multiples of five minutes
    come from the stored 5-minute rollups (which outlive raw readings), buckets whose first
    rollup starts in ``[start, end)`` are included; finer resolutions are computed from raw
    readings in ``[start, end)``.
    """
    if resolution <= 0:
        raise ValueError("resolution must be positive")
    if resolution % ROLLUP_SECONDS:
        cells: dict[tuple[int, str], list[float]] = {}
        for row in raw_history(engine, acp_id, start, end):
            bucket = int(row["acp_ts"] // resolution) * resolution
            for key, value in row["payload"].items():
                c = cells.setdefault((bucket, key), [0, 0.0, math.inf, -math.inf])
                c[0] += 1
                c[1] += value
                c[2] = min(c[2], value)
                c[3] = max(c[3], value)
        return _aggregates((b, k, c[0], c[1], c[2], c[3]) for (b, k), c in cells.items())
    lo = int(start // ROLLUP_SECONDS) * ROLLUP_SECONDS
    group = ((rollup.c.bucket // resolution) * resolution).label("grp")
    query = (
        select(
            group,
            rollup.c.key,
            func.sum(rollup.c.n),
            func.sum(rollup.c.sum),
            func.min(rollup.c.min),
            func.max(rollup.c.max),
        )
        .where(and_(rollup.c.acp_id == acp_id, rollup.c.bucket >= lo, rollup.c.bucket < end))
        .group_by(group, rollup.c.key)
    )
    with reading(engine) as conn:
        return _aggregates(tuple(row) for row in conn.execute(query))


def apply_retention(engine: Engine, now: float, raw_days: float, rollup_days: float) -> None:
    """Delete raw readings and rollups older than their retention."""
    with engine.begin() as conn:
        conn.execute(readings.delete().where(readings.c.acp_ts < now - raw_days * 86400))
        conn.execute(rollup.delete().where(rollup.c.bucket < now - rollup_days * 86400))


def count_readings(engine: Engine) -> int:
    """How many raw readings are stored."""
    with reading(engine) as conn:
        return conn.execute(select(func.count()).select_from(readings)).scalar_one()
