"""Device types and the readings each reports: exact payload keys, display names, units.

A device id (``acp_id``) is ``<vendor>-<model>-<6 hex>``; its first two dash-separated
parts are the device type (``enl-iaqco3-0837d7`` is an ``enl-iaqco3``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The form of a device id; the type is the first two parts.
ACP_ID_RE = re.compile(r"^(?P<type>[A-Za-z0-9]+-[A-Za-z0-9]+)-(?P<hex>[0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class ReadingKind:
    """One payload key: its display name, unit and the quantity it measures."""

    key: str
    name: str
    unit: str
    quantity: str = ""  # temperature, humidity, co2, battery_mv … (threshold rules use it)


def _k(key: str, name: str, unit: str, quantity: str = "") -> ReadingKind:
    return ReadingKind(key, name, unit, quantity)


_ENLINK = (
    _k("temperature", "Temperature", "°C", "temperature"),
    _k("humidity", "Relative humidity", "%RH", "humidity"),
    _k("pressure_mbar", "Pressure", "mbar", "pressure"),
    _k("co2_ppm", "CO₂", "ppm", "co2"),
    _k("co2e_ppm", "CO₂-equivalent", "ppm CO₂e"),
    _k("bvoc", "Breath VOC", "ppm"),
    _k("iaq", "IAQ index", "IAQ"),
    _k("mc_pm1_0", "PM1.0 mass", "µg/m³"),
    _k("mc_pm2_5", "PM2.5 mass", "µg/m³"),
    _k("mc_pm4_0", "PM4.0 mass", "µg/m³"),
    _k("mc_pm10_0", "PM10 mass", "µg/m³"),
    _k("nc_pm0_5", "PM0.5 count", "#/cm³"),
    _k("nc_pm1_0", "PM1.0 count", "#/cm³"),
    _k("nc_pm2_5", "PM2.5 count", "#/cm³"),
    _k("nc_pm4_0", "PM4.0 count", "#/cm³"),
    _k("nc_pm10_0", "PM10 count", "#/cm³"),
    _k("pm_tps", "Typical particle size", "µm"),
    _k("batt_status", "Battery status", "code"),
    _k("batt_v", "Battery voltage", "V"),
    _k("batt_mv", "Battery", "mV", "battery_mv"),
    _k("rx_rssi", "Signal strength", "dBm"),
)

#: Device type prefix → the readings it reports, in display order.
DEVICE_TYPES: dict[str, tuple[ReadingKind, ...]] = {
    "enl-iaqc": _ENLINK,
    "enl-iaqco3": _ENLINK + (_k("O3_ppb", "Ozone", "ppb", "ozone"),),
    "elsys-co2": (
        _k("co2", "CO₂", "ppm", "co2"),
        _k("temperature", "Temperature", "°C", "temperature"),
        _k("humidity", "Relative humidity", "%RH", "humidity"),
        _k("light", "Light", "lux", "light"),
        _k("motion", "Motion", "count", "motion"),
        _k("vdd", "Battery", "mV", "battery_mv"),
    ),
    "elsys-ems": (
        _k("co2", "CO₂", "ppm", "co2"),
        _k("temperature", "Temperature", "°C", "temperature"),
        _k("humidity", "Relative humidity", "%RH", "humidity"),
    ),
    "elsys-eye": (
        _k("occupancy", "Occupancy", "count", "occupancy"),
        _k("motion", "Motion", "count", "motion"),
        _k("light", "Light", "lux", "light"),
        _k("temperature", "Temperature", "°C", "temperature"),
        _k("humidity", "Relative humidity", "%RH", "humidity"),
    ),
    "elsys-snd": (
        _k("soundPeak", "Sound peak", "dB", "sound"),
        _k("soundAvg", "Sound average", "dB", "sound"),
    ),
    "monnit-Humidity": (
        _k("humidity", "Relative humidity", "%RH", "humidity"),
        _k("temperature", "Temperature", "°C", "temperature"),
        _k("dew_point", "Dew point", "°C"),
    ),
}


def device_type(acp_id: str) -> str | None:
    """The type prefix of a well-formed device id, or None when the id is not of that form."""
    match = ACP_ID_RE.match(acp_id)
    return match.group("type") if match else None


def readings_of(type_prefix: str) -> tuple[ReadingKind, ...]:
    """The readings a device type reports (empty for an unknown type)."""
    return DEVICE_TYPES.get(type_prefix, ())
