"""The device registry: where each sensor is, what it reports and when to raise an alert.

Loaded from YAML or JSON (the bundled lab registry unless ``HOSPITAL_TWIN_SENSORS_REGISTRY``
names another file).  Readings, units and display names come from :mod:`.types`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hospital_twin.sensors.types import ReadingKind, device_type, readings_of

DEFAULT_REGISTRY = Path(__file__).with_name("default_registry.yaml")


class RegistryError(ValueError):
    """The registry file is not valid; the message says where and why."""


@dataclass(frozen=True)
class Threshold:
    """An alert rule on one payload key: alert when the value is below min or above max."""

    key: str
    quantity: str
    min: float | None = None
    max: float | None = None

    def violated(self, value: float) -> bool:
        """True when ``value`` is outside the allowed range."""
        return (self.min is not None and value < self.min) or (
            self.max is not None and value > self.max
        )


@dataclass(frozen=True)
class Room:
    """A room's rectangle on its floor plan (metres)."""

    name: str
    floor: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Device:
    """One registered sensor."""

    acp_id: str
    type: str
    room: str
    floor: int
    x: float
    y: float
    description: str
    readings: tuple[ReadingKind, ...]
    thresholds: tuple[Threshold, ...] = ()

    @property
    def location(self) -> dict[str, Any]:
        """The live message's ``location`` object."""
        return {"x": self.x, "y": self.y, "floor": self.floor}

    def reading(self, key: str) -> ReadingKind | None:
        """The reading kind of a payload key, if this device reports it."""
        return next((r for r in self.readings if r.key == key), None)

    def to_json(self) -> dict[str, Any]:
        """The device as JSON (``GET /devices``)."""
        return {
            "acp_id": self.acp_id,
            "type": self.type,
            "room": self.room,
            "floor": self.floor,
            "x": self.x,
            "y": self.y,
            "location": self.location,
            "description": self.description,
            "readings": [
                {"key": r.key, "name": r.name, "unit": r.unit, "quantity": r.quantity}
                for r in self.readings
            ],
            "thresholds": [
                {"key": t.key, "quantity": t.quantity, "min": t.min, "max": t.max}
                for t in self.thresholds
            ],
        }


@dataclass
class Registry:
    """All registered devices and rooms."""

    devices: dict[str, Device]
    rooms: list[Room] = field(default_factory=list)
    site: str = ""

    def get(self, acp_id: str) -> Device | None:
        """The device with this id, or None for an unregistered one."""
        return self.devices.get(acp_id)

    def floors(self) -> list[int]:
        """The floors that have devices, ascending."""
        return sorted({d.floor for d in self.devices.values()})


def _thresholds(
    readings: tuple[ReadingKind, ...], rules: dict[str, Any], where: str
) -> tuple[Threshold, ...]:
    out = []
    for quantity, rule in rules.items():
        if not isinstance(rule, dict) or not set(rule) <= {"min", "max"}:
            raise RegistryError(f"{where}: threshold {quantity!r} must be {{min, max}}")
        for kind in readings:
            if quantity in (kind.quantity, kind.key):
                out.append(Threshold(kind.key, quantity, rule.get("min"), rule.get("max")))
    return tuple(out)


def parse_registry(data: dict[str, Any]) -> Registry:
    """Build a :class:`Registry` from its parsed YAML/JSON document."""
    if not isinstance(data, dict) or not isinstance(data.get("devices"), list):
        raise RegistryError("registry must be a mapping with a 'devices' list")
    defaults = data.get("default_thresholds") or {}
    devices: dict[str, Device] = {}
    for i, entry in enumerate(data["devices"]):
        where = f"devices[{i}]"
        if not isinstance(entry, dict) or "id" not in entry:
            raise RegistryError(f"{where}: each device needs an 'id'")
        acp_id = str(entry["id"])
        kind = device_type(acp_id)
        if kind is None:
            raise RegistryError(f"{where}: id {acp_id!r} is not <vendor>-<model>-<6 hex>")
        readings = readings_of(kind)
        if not readings:
            raise RegistryError(f"{where}: unknown device type {kind!r} of {acp_id!r}")
        if acp_id in devices:
            raise RegistryError(f"{where}: duplicate id {acp_id!r}")
        missing = [k for k in ("room", "floor", "x", "y") if k not in entry]
        if missing:
            raise RegistryError(f"{where} ({acp_id}): missing {', '.join(missing)}")
        rules = {**defaults, **(entry.get("thresholds") or {})}
        devices[acp_id] = Device(
            acp_id=acp_id,
            type=kind,
            room=str(entry["room"]),
            floor=int(entry["floor"]),
            x=float(entry["x"]),
            y=float(entry["y"]),
            description=str(entry.get("description", "")),
            readings=readings,
            thresholds=_thresholds(readings, rules, f"{where} ({acp_id})"),
        )
    rooms = [
        Room(str(r["name"]), int(r["floor"]), *map(float, (r["x0"], r["y0"], r["x1"], r["y1"])))
        for r in data.get("rooms") or []
    ]
    return Registry(devices=devices, rooms=rooms, site=str(data.get("site", "")))


def load_registry(path: str | Path | None = None) -> Registry:
    """Load the registry file (YAML or JSON); the bundled lab registry when ``path`` is empty."""
    path = Path(path) if path else DEFAULT_REGISTRY
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise RegistryError(f"{path}: not valid {path.suffix[1:].upper()}: {exc}") from exc
    try:
        return parse_registry(data)
    except RegistryError as exc:
        raise RegistryError(f"{path}: {exc}") from exc
