"""Alerts: registry threshold rules per reading, and stale devices; raised, cleared, stored.

One :class:`AlertEngine` is owned by the ingest writer thread (no locking needed); the API
reads alerts back from the database with :func:`list_alerts`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from typing import Any

from sqlalchemy import Engine, or_, select

from hospital_twin.sensors.batch import Check, ReadingBatch
from hospital_twin.sensors.db import reading
from hospital_twin.sensors.messages import Reading
from hospital_twin.sensors.registry import Device, Registry, Threshold
from hospital_twin.sensors.tables import alerts, latest

AlertKey = tuple[str, str, str]  # (acp_id, kind, key)


def _describe(t: Threshold, value: float, unit: str) -> str:
    if t.min is not None and value < t.min:
        return f"{t.key} {value:g} {unit} below {t.min:g} {unit}"
    return f"{t.key} {value:g} {unit} above {t.max:g} {unit}"


class AlertEngine:
    """Keeps the set of active alerts and records every raise and clear."""

    def __init__(
        self,
        engine: Engine,
        registry: Registry,
        stale_seconds: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.registry = registry
        self.stale_seconds = stale_seconds
        self.clock = clock
        self.started = clock()
        with reading(engine) as conn:
            rows = conn.execute(
                select(alerts.c.id, alerts.c.acp_id, alerts.c.kind, alerts.c.key).where(
                    alerts.c.cleared_ts.is_(None)
                )
            )
            self.active: dict[AlertKey, int] = {(a, k, key): i for i, a, k, key in rows}
            self.last_seen: dict[str, float] = {
                acp_id: ts
                for acp_id, ts in conn.execute(select(latest.c.acp_id, latest.c.received_ts))
            }

    def _raise(self, conn: Any, akey: AlertKey, message: str, ts: float, **values: Any) -> None:
        acp_id, kind, key = akey
        result = conn.execute(
            alerts.insert().values(
                acp_id=acp_id, kind=kind, key=key, message=message, raised_ts=ts, **values
            )
        )
        self.active[akey] = result.inserted_primary_key[0]

    def _clear(self, conn: Any, akey: AlertKey, ts: float) -> None:
        alert_id = self.active.pop(akey)
        conn.execute(alerts.update().where(alerts.c.id == alert_id).values(cleared_ts=ts))

    def _watched(self, acp_id: str) -> bool:
        device = self.registry.get(acp_id)
        return device is not None and bool(device.thresholds)

    def on_readings(self, batch: Sequence[Reading] | ReadingBatch, conn: Any = None) -> int:
        """Evaluate thresholds and clear stale alerts for a batch; returns changes made.
        ``conn``: a connection in the caller's transaction (default: a new one). A
        :class:`ReadingBatch` brings the checks that can change an alert (built with the
        same registry's thresholds); without them the payloads of devices with thresholds
        are decoded and every reading is checked."""
        checks: list[Check] = []
        checked: list[Reading] = []
        if isinstance(batch, ReadingBatch):  # each device's first and last reading
            rows = batch.rows
            seen = [(acp_id, rows[i][2]) for acp_id, (_n, _new, first, last) in
                    batch.devices.items() for i in (first, last)]
            if batch.checks is not None:
                checks = batch.checks
            else:
                checked = batch.readings(self._watched)
        else:
            seen = [(r.acp_id, r.received_ts) for r in batch]
            checked = [r for r in batch if self._watched(r.acp_id)]
        changes = 0
        with self.engine.begin() if conn is None else nullcontext(conn) as conn:
            for acp_id, received_ts in seen:
                if received_ts > self.last_seen.get(acp_id, 0.0):
                    self.last_seen[acp_id] = received_ts
                stale = (acp_id, "stale", "")
                if stale in self.active:
                    self._clear(conn, stale, received_ts)
                    changes += 1
            for r in checked:
                changes += self._thresholds(conn, r)
            for _i, acp_id, key, acp_ts, value, bad in checks:
                akey = (acp_id, "threshold", key)
                if bad is (akey not in self.active):  # a change: raise or clear
                    device = self.registry.get(acp_id)
                    rule = next(t for t in device.thresholds if t.key == key) if device else None
                    if rule is not None:
                        changes += self._apply(conn, device, rule, acp_id, acp_ts, value, bad)
        return changes

    def _thresholds(self, conn: Any, r: Reading) -> int:
        """Raise or clear the threshold alerts of one reading; returns changes made."""
        device = self.registry.get(r.acp_id)
        changes = 0
        for t in device.thresholds if device else ():
            value = r.payload.get(t.key)
            if value is not None:
                changes += self._apply(conn, device, t, r.acp_id, r.acp_ts, value,
                                       t.violated(value))
        return changes

    def _apply(self, conn: Any, device: Device, t: Threshold, acp_id: str, acp_ts: float,
               value: float, bad: bool) -> int:
        """Raise the alert of a bad value, clear it on a good one; returns changes made."""
        akey = (acp_id, "threshold", t.key)
        if bad and akey not in self.active:
            kind = device.reading(t.key)
            self._raise(conn, akey, _describe(t, value, kind.unit if kind else ""), acp_ts,
                        value=value, min=t.min, max=t.max)
            return 1
        if not bad and akey in self.active:
            self._clear(conn, akey, acp_ts)
            return 1
        return 0

    def check_stale(self, now: float | None = None) -> int:
        """Raise a stale alert for every registered device silent for too long."""
        now = self.clock() if now is None else now
        changes = 0
        with self.engine.begin() as conn:
            for acp_id in self.registry.devices:
                akey = (acp_id, "stale", "")
                silent = now - self.last_seen.get(acp_id, self.started)
                if silent > self.stale_seconds and akey not in self.active:
                    self._raise(
                        conn,
                        akey,
                        f"no reading for {silent:.0f} s",
                        now,
                        value=silent,
                        max=self.stale_seconds,
                    )
                    changes += 1
        return changes


def list_alerts(engine: Engine, since: float) -> list[dict[str, Any]]:
    """Active alerts and those raised or cleared since ``since``, newest first."""
    query = (
        select(alerts)
        .where(
            or_(
                alerts.c.cleared_ts.is_(None),
                alerts.c.raised_ts >= since,
                alerts.c.cleared_ts >= since,
            )
        )
        .order_by(alerts.c.raised_ts.desc(), alerts.c.id.desc())
    )
    with reading(engine) as conn:
        rows = conn.execute(query).mappings().all()
    return [{**row, "active": row["cleared_ts"] is None} for row in rows]
