"""Sensor history for analysts: load it from the store or the sensor service, then resample
it, profile rooms by hour of day, compare CO₂ in and out of working hours and find gaps.

Both loaders return a :class:`SensorHistory`: a table of devices and a long table of
bucketed readings (one row per device, payload key and time bucket, with the bucket's
mean, min, max and number of readings). :func:`history_from_store` reads the product
database directly; :func:`history_from_service` asks the running sensor service over HTTP
(``GET /devices`` and ``GET /devices/{id}/history``); for the same data both give the same
table. Times are UTC; a bucket is labelled with its start.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from hospital_twin.sensors.client import SensorClient
from hospital_twin.sensors.db import open_store
from hospital_twin.sensors.registry import Registry, load_registry
from hospital_twin.sensors.store import downsampled_history, latest_readings
from hospital_twin.sensors.types import device_type, readings_of

DAY = 86400.0
#: Room label of devices that are not in the registry.
UNREGISTERED = "(unregistered)"
DEVICE_COLUMNS = ["acp_id", "type", "room", "floor", "description", "registered"]
READING_COLUMNS = ["time", "acp_id", "room", "key", "quantity", "unit", "mean", "min", "max",
                   "n"]
GAP_COLUMNS = ["acp_id", "room", "type", "gap_start", "gap_end", "hours", "note"]

Days = Literal["all", "weekdays", "weekends"]


@dataclass(frozen=True)
class SensorHistory:
    """Devices and their bucketed readings over ``[start, end)`` (UNIX seconds)."""

    devices: pd.DataFrame
    readings: pd.DataFrame
    start: float
    end: float
    resolution: int
    source: str

    @property
    def start_time(self) -> pd.Timestamp:
        """The window's start as a (naive UTC) timestamp."""
        return pd.Timestamp(self.start, unit="s")

    @property
    def end_time(self) -> pd.Timestamp:
        """The window's end (exclusive) as a (naive UTC) timestamp."""
        return pd.Timestamp(self.end, unit="s")

    @property
    def quantities(self) -> list[str]:
        """The measured quantities present (temperature, co2 …), sorted."""
        return sorted(q for q in self.readings["quantity"].unique() if q)

    def unit(self, quantity: str) -> str:
        """The unit readings of ``quantity`` are in ("" when there are none)."""
        units = self.readings.loc[self.readings["quantity"] == quantity, "unit"]
        return str(units.iloc[0]) if len(units) else ""

    def summary(self) -> str:
        """One line: where the history came from, its window, devices and readings."""
        t0, t1 = self.start_time, self.end_time
        with_data = self.readings["acp_id"].nunique()
        n = int(self.readings.groupby(["acp_id", "time"])["n"].max().sum()) if with_data else 0
        return (f"{self.source}: {t0:%Y-%m-%d %H:%M} to {t1:%Y-%m-%d %H:%M} UTC, "
                f"{len(self.devices)} devices ({with_data} with data), {n} readings "
                f"in {self.resolution} s buckets")


def device_frame(devices: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Devices as a table (``GET /devices`` layout in; unregistered ones get a room label)."""
    rows = [{
        "acp_id": d["acp_id"],
        "type": d.get("type") or device_type(d["acp_id"]) or "",
        "room": d.get("room") or UNREGISTERED,
        "floor": d.get("floor"),
        "description": d.get("description", ""),
        "registered": bool(d.get("registered", True)),
    } for d in devices]
    return pd.DataFrame(rows, columns=DEVICE_COLUMNS)


def _key_meta(device: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """payload key -> (quantity, unit) of a device; the type's table for unregistered ones."""
    meta = {r["key"]: (r.get("quantity", ""), r.get("unit", ""))
            for r in device.get("readings") or []}
    if not meta:
        kind = device.get("type") or device_type(device["acp_id"]) or ""
        meta = {r.key: (r.quantity, r.unit) for r in readings_of(kind)}
    return meta


def readings_frame(devices: Sequence[Mapping[str, Any]],
                   buckets: Mapping[str, Sequence[Mapping[str, Any]]]) -> pd.DataFrame:
    """The long readings table from per-device buckets (``{ts, values: {key: {mean, …}}}``).

    ``devices`` are in the ``GET /devices`` layout (room and the readings' quantity/unit);
    ``buckets`` maps a device id to its history buckets as the store and the API give them.
    """
    by_id = {d["acp_id"]: d for d in devices}
    rows = []
    for acp_id, items in buckets.items():
        device = by_id.get(acp_id, {"acp_id": acp_id})
        meta = _key_meta(device)
        room = device.get("room") or UNREGISTERED
        for bucket in items:
            for key, v in bucket["values"].items():
                quantity, unit = meta.get(key, ("", ""))
                rows.append((bucket["ts"], acp_id, room, key, quantity, unit, v["mean"], v["min"],
                             v["max"], v["n"]))
    frame = pd.DataFrame(rows, columns=["ts", *READING_COLUMNS[1:]])
    frame.insert(0, "time", pd.to_datetime(frame.pop("ts"), unit="s"))
    frame["n"] = frame["n"].astype(int)
    return frame.sort_values(["acp_id", "key", "time"], ignore_index=True)


def _window(newest: float | None, start: float | None, end: float | None, days: float,
            resolution: int) -> tuple[float, float]:
    """``[start, end)``; by default ending at the bucket boundary after the newest reading."""
    if resolution <= 0:
        raise ValueError("resolution must be positive")
    if end is None:
        if newest is None:
            raise ValueError("no sensor readings stored: give start and end, or add data")
        end = float((math.floor(newest / resolution) + 1) * resolution)
    start = end - days * DAY if start is None else start
    if end <= start:
        raise ValueError("end must be after start")
    return start, end


def history_from_store(db: str | Path | Engine, start: float | None = None,
                       end: float | None = None, *, days: float = 7.0, resolution: int = 900,
                       registry: Registry | None = None) -> SensorHistory:
    """History of every registry device (and unregistered ones seen) from a database.

    ``db`` is the product database (the ``HOSPITAL_TWIN_DB`` file) or an open engine. The
    window ends at ``end`` (default: the bucket boundary after the newest stored reading)
    and starts ``days`` earlier unless ``start`` is given. A ``resolution`` that is a
    multiple of 300 s reads the 5-minute rollups, which outlive raw readings.
    """
    if isinstance(db, Engine):
        engine, owned, name = db, False, str(db.url.database)
    else:
        path = Path(db).expanduser()
        if not path.is_file():
            raise FileNotFoundError(f"no sensor database at {path}")
        engine, owned, name = open_store(path), True, str(path)
    try:
        registry = registry or load_registry()
        seen = latest_readings(engine)
        newest = max((r["acp_ts"] for r in seen), default=None)
        start, end = _window(newest, start, end, days, resolution)
        devices = [d.to_json() | {"registered": True} for d in registry.devices.values()]
        devices += [{"acp_id": r["acp_id"], "registered": False} for r in seen
                    if r["acp_id"] not in registry.devices]
        buckets = {d["acp_id"]: downsampled_history(engine, d["acp_id"], start, end, resolution)
                   for d in devices}
    finally:
        if owned:
            engine.dispose()
    return SensorHistory(device_frame(devices), readings_frame(devices, buckets), start, end,
                         resolution, f"store {name}")


def history_from_service(url: str, start: float | None = None, end: float | None = None, *,
                         days: float = 7.0, resolution: int = 900,
                         timeout: float = 30.0) -> SensorHistory:
    """The same history as :func:`history_from_store`, asked of the sensor service at ``url``.

    The default window ends at the bucket boundary after the newest reading of any device.
    Raises :class:`~hospital_twin.sensors.client.ServiceUnavailable` when it does not answer.
    """
    client = SensorClient(url, timeout=timeout)
    devices = client.devices()
    newest = max((d["last_ts"] for d in devices if d.get("last_ts") is not None), default=None)
    start, end = _window(newest, start, end, days, resolution)
    buckets = {d["acp_id"]: client.history(d["acp_id"], start, end, str(resolution))
               .get("buckets", []) for d in devices}
    return SensorHistory(device_frame(devices), readings_frame(devices, buckets), start, end,
                         resolution, f"service {client.base_url}")


def _of(history: SensorHistory, quantity: str) -> pd.DataFrame:
    rows = history.readings[history.readings["quantity"] == quantity]
    if rows.empty:
        raise ValueError(f"no {quantity!r} readings; present: {', '.join(history.quantities)}")
    return rows.assign(weighted=rows["mean"] * rows["n"])


def _weighted(rows: pd.DataFrame, keys: list[Any]) -> pd.Series:
    sums = rows.groupby(keys)[["weighted", "n"]].sum()
    return sums["weighted"] / sums["n"]


def _in_device_order(table: pd.DataFrame, history: SensorHistory, by: str) -> pd.DataFrame:
    """Columns in the device table's order (registry order, unregistered last)."""
    order = [g for g in history.devices[by].unique() if g in table.columns]
    return table[order + [c for c in table.columns if c not in order]]


def resample(history: SensorHistory, quantity: str, rule: str = "1h",
             by: str = "room") -> pd.DataFrame:
    """Mean of ``quantity`` per ``by`` group (room or acp_id) in time bins of ``rule``.

    Returns a wide table: one row per bin (every bin of the window, empty ones NaN), one
    column per group. Means are weighted by the number of readings in each bucket.
    """
    rows = _of(history, quantity)
    means = _weighted(rows, [pd.Grouper(key="time", freq=rule), by]).unstack(by)
    t0, t1 = (pd.Timestamp(t, unit="s") for t in (history.start, history.end))
    bins = pd.date_range(t0.floor(rule), t1, freq=rule, inclusive="left")
    means = _in_device_order(means, history, by)
    return means.reindex(bins).rename_axis("time").rename_axis(columns=by)


def _day_filter(times: pd.Series, days: Days) -> pd.Series:
    weekday = times.dt.day_of_week < 5
    if days == "all":
        return pd.Series(True, index=times.index)
    if days == "weekdays":
        return weekday
    if days == "weekends":
        return ~weekday
    raise ValueError("days must be 'all', 'weekdays' or 'weekends'")


def daily_profile(history: SensorHistory, quantity: str, by: str = "room",
                  days: Days = "weekdays") -> pd.DataFrame:
    """Mean of ``quantity`` by hour of day (0–23, UTC) per ``by`` group, on ``days``."""
    rows = _of(history, quantity)
    rows = rows[_day_filter(rows["time"], days)]
    means = _weighted(rows.assign(hour=rows["time"].dt.hour), ["hour", by]).unstack(by)
    means = _in_device_order(means, history, by)
    return means.reindex(range(24)).rename_axis("hour (UTC)").rename_axis(columns=by)


def in_working_hours(times: pd.Series | pd.DatetimeIndex,
                     hours: Sequence[float] = (8, 18)) -> np.ndarray:
    """True for instants on a weekday with ``hours[0] <= hour < hours[1]`` (UTC)."""
    index = pd.DatetimeIndex(times)
    hour = index.hour + index.minute / 60
    return np.asarray((index.day_of_week < 5) & (hour >= hours[0]) & (hour < hours[1]))


def working_periods(start: float, end: float,
                    hours: Sequence[float] = (8, 18)) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The weekday working-hour intervals inside ``[start, end)``, clipped to it."""
    t0, t1 = (pd.Timestamp(t, unit="s") for t in (start, end))
    out = []
    for day in pd.date_range(t0.normalize(), t1, freq="D"):
        if day.weekday() >= 5:
            continue
        lo = max(day + pd.Timedelta(hours=hours[0]), t0)
        hi = min(day + pd.Timedelta(hours=hours[1]), t1)
        if lo < hi:
            out.append((lo, hi))
    return out


def co2_working_hours(history: SensorHistory, hours: Sequence[float] = (8, 18),
                      limit: float = 1000.0, quantity: str = "co2") -> pd.DataFrame:
    """Per room: CO₂ in working hours against the rest of the time, and time above ``limit``.

    Columns: mean in and outside working hours, their difference, the highest single
    reading in working hours, the working hours whose bucket mean exceeded ``limit`` and
    that as a share of the working hours with data. Sorted by the working-hours mean.
    """
    rows = _of(history, quantity)
    rows = rows.assign(working=in_working_hours(rows["time"], hours))
    room_buckets = _weighted(rows, ["room", "time"]).rename("mean").reset_index()
    room_buckets["working"] = in_working_hours(room_buckets["time"], hours)
    work = room_buckets[room_buckets["working"]]
    bucket_h = history.resolution / 3600
    table = pd.DataFrame({
        "working_mean": _weighted(rows[rows["working"]], ["room"]),
        "off_hours_mean": _weighted(rows[~rows["working"]], ["room"]),
        "working_peak": rows[rows["working"]].groupby("room")["max"].max(),
        "hours_above_limit": work.groupby("room")["mean"].apply(
            lambda s: float((s > limit).sum()) * bucket_h),
        "working_hours_with_data": work.groupby("room").size() * bucket_h,
    })
    table["difference"] = table["working_mean"] - table["off_hours_mean"]
    table["share_above_limit"] = table["hours_above_limit"] / table["working_hours_with_data"]
    table = table.fillna({"hours_above_limit": 0.0, "working_hours_with_data": 0.0})
    columns = ["working_mean", "off_hours_mean", "difference", "working_peak",
               "hours_above_limit", "share_above_limit"]
    return table[columns].sort_values("working_mean", ascending=False).rename_axis("room")


def _bucket_times(history: SensorHistory) -> dict[str, np.ndarray]:
    """Per device, the sorted UNIX starts of its buckets with at least one reading."""
    r = history.readings[history.readings["n"] > 0]
    secs = (r["time"] - pd.Timestamp(0)) // pd.Timedelta(seconds=1)
    return {acp_id: np.unique(group.to_numpy(dtype=float))
            for acp_id, group in secs.groupby(r["acp_id"])}


def find_gaps(history: SensorHistory, min_gap: float = 3600.0) -> pd.DataFrame:
    """Silences of at least ``min_gap`` seconds per device, accurate to the resolution.

    A gap runs from the end of the last bucket with data to the start of the next one. A
    device silent at the start of the window, still silent at its end (``note`` "ongoing")
    or silent throughout ("no data in window") is listed too. Longest gaps first.
    """
    times = _bucket_times(history)
    step = float(history.resolution)
    rows = []
    for device in history.devices.itertuples(index=False):
        ts = times.get(device.acp_id)
        if ts is None or not len(ts):
            spans = [(history.start, history.end, "no data in window")]
        else:
            ends = ts + step
            spans = [(history.start, ts[0], "silent from window start")]
            spans += [(a, b, "") for a, b in zip(ends[:-1], ts[1:], strict=True)]
            spans += [(ends[-1], history.end, "ongoing")]
        for lo, hi, note in spans:
            if hi - lo >= min_gap:
                rows.append((device.acp_id, device.room, device.type,
                             pd.Timestamp(lo, unit="s"), pd.Timestamp(hi, unit="s"),
                             (hi - lo) / 3600, note))
    gaps = pd.DataFrame(rows, columns=GAP_COLUMNS)
    return gaps.sort_values(["hours", "acp_id"], ascending=[False, True], ignore_index=True)


def coverage(history: SensorHistory) -> pd.DataFrame:
    """Per device: buckets with data against buckets in the window, readings, first and last.

    ``coverage`` is the share of the window's buckets that hold at least one reading; a
    healthy device reporting more often than the resolution scores close to 1.
    """
    step = history.resolution
    expected = math.ceil(history.end / step) - math.floor(history.start / step)
    times = _bucket_times(history)
    readings = history.readings.groupby(["acp_id", "time"])["n"].max().groupby("acp_id").sum()
    rows = []
    for device in history.devices.itertuples(index=False):
        ts = times.get(device.acp_id, np.array([]))
        rows.append({
            "acp_id": device.acp_id, "room": device.room, "type": device.type,
            "buckets_with_data": len(ts), "expected_buckets": expected,
            "coverage": len(ts) / expected if expected else 0.0,
            "readings": int(readings.get(device.acp_id, 0)),
            "first": pd.Timestamp(ts[0], unit="s") if len(ts) else pd.NaT,
            "last": pd.Timestamp(ts[-1], unit="s") if len(ts) else pd.NaT,
        })
    return pd.DataFrame(rows).sort_values(["coverage", "acp_id"], ignore_index=True)
