"""A batch of validated readings in the form the store writes: one row per reading with its
JSON already serialised, and the batch's 5-minute rollup aggregates.

The MQTT child process builds these (so the service's writer thread neither serialises
payloads nor aggregates them, and the pipe carries strings instead of dicts); ``POST
/readings`` and backfills build them from :class:`Reading` objects. Given the registry's
thresholds, the builder also lists the threshold checks that can change an alert (the first
reading of each run of readings on the same side of a threshold), so the writer's alert
engine neither decodes payloads nor looks at every reading. The live views get
:class:`Reading` objects back with :meth:`ReadingBatch.readings`, for the devices they
follow only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from hospital_twin.sensors import fastjson
from hospital_twin.sensors.messages import Reading
from hospital_twin.sensors.registry import Registry, Threshold
from hospital_twin.sensors.tables import ROLLUP_SECONDS

#: (acp_id, acp_ts, received_ts, payload JSON, meta JSON or None)
Row = tuple[str, float, float, str, str | None]
#: (acp_id, bucket, key, n, sum, min, max)
RollupRow = tuple[str, int, str, int, float, float, float]
#: (reading index in the batch, acp_id, key, acp_ts, value, outside the threshold?)
Check = tuple[int, str, str, float, float, bool]
#: acp_id → [readings, index of its newest (largest acp_ts), of its first, of its last]
Devices = dict[str, list[int]]
#: acp_id → the device's threshold rules (registered devices that have any)
Thresholds = dict[str, tuple[Threshold, ...]]


def thresholds_of(registry: Registry) -> Thresholds:
    """The threshold rules of every registered device that has any."""
    return {acp_id: d.thresholds for acp_id, d in registry.devices.items() if d.thresholds}


@dataclass
class ReadingBatch:
    """Readings ready to store; rollup rows may repeat a (device, bucket, key) — the
    store's upsert adds them up. ``checks`` is None when built without thresholds."""

    rows: list[Row] = field(default_factory=list)
    rollup: list[RollupRow] = field(default_factory=list)
    checks: list[Check] | None = field(default_factory=list)
    #: Per device: how many readings, which row is the newest, the first and the last
    #: (the latest view and stale alerts need only these, not every row).
    devices: Devices = field(default_factory=dict)

    @classmethod
    def from_readings(cls, readings: Iterable[Reading],
                      thresholds: Thresholds | None = None) -> ReadingBatch:
        """The batch of these readings (with its threshold checks when given thresholds)."""
        builder = BatchBuilder(thresholds)
        for r in readings:
            builder.add(r)
        return builder.take()

    def __len__(self) -> int:
        return len(self.rows)

    def extend(self, other: ReadingBatch) -> None:
        """Append another batch's readings, rollups and checks."""
        if self.checks is not None and other.checks is not None:
            offset = len(self.rows)
            self.checks += [(i + offset, *rest) for i, *rest in other.checks]
        else:
            self.checks = None
        offset, rows, devices = len(self.rows), self.rows, self.devices
        for acp_id, (n, newest, first, last) in other.devices.items():
            mine = devices.get(acp_id)
            if mine is None:
                devices[acp_id] = [n, newest + offset, first + offset, last + offset]
                continue
            mine[0] += n
            if other.rows[newest][1] >= rows[mine[1]][1]:
                mine[1] = newest + offset
            mine[3] = last + offset
        self.rows += other.rows
        self.rollup += other.rollup

    def readings(self, wanted: Callable[[str], bool] | None = None) -> list[Reading]:
        """The readings (of the devices ``wanted`` says yes to), payloads decoded."""
        out = []
        for acp_id, acp_ts, received_ts, payload, meta in self.rows:
            if wanted is not None and not wanted(acp_id):
                continue
            extra = fastjson.loads(meta) if meta else {}
            out.append(Reading(acp_id, acp_ts, fastjson.loads(payload), extra.get("gateway"),
                               extra.get("data_connector"), received_ts))
        return out


class BatchBuilder:
    """Collects readings into a :class:`ReadingBatch`; aggregates rollups per group of
    readings with the same device, bucket and keys (column-wise, in C builtins)."""

    def __init__(self, thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds
        #: Each device's rules as (key, min, max), open ends ±infinity.
        self.rules = {acp_id: tuple((t.key, -math.inf if t.min is None else t.min,
                                     math.inf if t.max is None else t.max) for t in rules)
                      for acp_id, rules in (thresholds or {}).items()}
        self.rows: list[Row] = []
        self.groups: dict[tuple, list[tuple]] = {}
        self.checks: list[Check] = []
        #: per device, the last check's outcome per rule (None: not checked in this batch)
        self.side: dict[str, list[bool | None]] = {}
        self.devices: Devices = {}

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, r: Reading) -> None:
        """Add one validated reading."""
        payload, rows = r.payload, self.rows
        meta = (fastjson.dumps({"gateway": r.gateway, "data_connector": r.data_connector})
                if (r.gateway or r.data_connector) else None)
        index = len(rows)
        rows.append((r.acp_id, r.acp_ts, r.received_ts, fastjson.dumps(payload), meta))
        seen = self.devices.get(r.acp_id)
        if seen is None:
            self.devices[r.acp_id] = [1, index, index, index]
        else:
            seen[0] += 1
            if r.acp_ts >= rows[seen[1]][1]:
                seen[1] = index
            seen[3] = index
        if payload:
            group = (r.acp_id, int(r.acp_ts // ROLLUP_SECONDS) * ROLLUP_SECONDS,
                     tuple(payload))
            values = self.groups.get(group)
            if values is None:
                self.groups[group] = [tuple(payload.values())]
            else:
                values.append(tuple(payload.values()))
            rules = self.rules.get(r.acp_id)
            if rules:
                self._check(r, rules)

    def _check(self, r: Reading, rules: tuple[tuple[str, float, float], ...]) -> None:
        """Keep the checks whose outcome differs from the device's previous one here
        (outside the range: as :meth:`Threshold.violated`)."""
        payload = r.payload
        side = self.side.get(r.acp_id)
        if side is None:
            side = self.side[r.acp_id] = [None] * len(rules)
        for i, (key, lo, hi) in enumerate(rules):
            value = payload.get(key)
            if value is None:
                continue
            bad = value < lo or value > hi
            if side[i] is not bad:
                side[i] = bad
                self.checks.append((len(self.rows) - 1, r.acp_id, key, r.acp_ts, value, bad))

    def take(self) -> ReadingBatch:
        """The batch so far; the builder starts empty again."""
        rollup: list[RollupRow] = []
        for (acp_id, bucket, keys), values in self.groups.items():
            n = len(values)
            for key, column in zip(keys, zip(*values, strict=True), strict=True):
                # floats: a huge integer reading must not overflow SQLite's INTEGER binding
                rollup.append((acp_id, bucket, key, n, float(sum(column)),
                               float(min(column)), float(max(column))))
        batch = ReadingBatch(self.rows, rollup,
                             self.checks if self.thresholds is not None else None, self.devices)
        self.rows, self.groups, self.checks, self.side, self.devices = [], {}, [], {}, {}
        return batch
