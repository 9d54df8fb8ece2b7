"""The device registry: bundled lab registry, per-type readings, thresholds, precise errors."""

from __future__ import annotations

import json

import pytest

from hospital_twin.sensors.registry import RegistryError, load_registry, parse_registry
from hospital_twin.sensors.types import ACP_ID_RE, DEVICE_TYPES

LAB_ROOMS = {"reception", "cut-up", "processing", "microtomy", "staining", "scanning",
             "reporting", "specimen store"}


def test_bundled_registry_covers_the_lab() -> None:
    reg = load_registry()
    assert len(reg.devices) >= 20
    assert {d.room for d in reg.devices.values()} == LAB_ROOMS
    assert {d.type for d in reg.devices.values()} <= set(DEVICE_TYPES)
    for acp_id, d in reg.devices.items():
        assert ACP_ID_RE.match(acp_id), acp_id
        assert d.readings and d.description
        assert any(r.name == d.room and r.floor == d.floor and r.x0 <= d.x <= r.x1
                   and r.y0 <= d.y <= r.y1 for r in reg.rooms), acp_id


def test_readings_use_the_exact_payload_keys_with_units() -> None:
    reg = load_registry()
    enl = reg.get("enl-iaqco3-0837d7")
    elsys = reg.get("elsys-co2-058ae0")
    assert enl.reading("co2_ppm").unit == "ppm" and enl.reading("co2") is None
    assert enl.reading("O3_ppb").unit == "ppb"
    assert elsys.reading("co2").name == "CO₂" and elsys.reading("vdd").unit == "mV"
    assert reg.get("monnit-Humidity-7c2e19").reading("dew_point").unit == "°C"


def test_thresholds_follow_the_quantity_to_the_device_key() -> None:
    reg = load_registry()
    enl = {t.key: (t.min, t.max) for t in reg.get("enl-iaqc-3a1f02").thresholds}
    assert enl == {"co2_ppm": (None, 1000), "temperature": (18, 24), "humidity": (30, 70),
                   "batt_mv": (3300, None)}
    elsys = {t.key: (t.min, t.max) for t in reg.get("elsys-co2-058ae0").thresholds}
    assert elsys["co2"] == (None, 1000) and elsys["vdd"] == (3300, None)
    store = {t.key: (t.min, t.max) for t in reg.get("monnit-Humidity-7c2e19").thresholds}
    assert store["temperature"] == (15, 25)  # per-device override


def test_json_registry_and_locations(tmp_path) -> None:
    path = tmp_path / "reg.json"
    path.write_text(json.dumps({"devices": [
        {"id": "elsys-eye-0a0b0c", "room": "reception", "floor": 3, "x": 1.5, "y": 2}]}))
    device = load_registry(path).get("elsys-eye-0a0b0c")
    assert device.location == {"x": 1.5, "y": 2.0, "floor": 3}
    assert device.thresholds == ()


@pytest.mark.parametrize(
    ("devices", "message"),
    [
        ([{"id": "enl-iaqc-zz0000", "room": "a", "floor": 1, "x": 0, "y": 0}], "is not"),
        ([{"id": "acme-thing-0a0b0c", "room": "a", "floor": 1, "x": 0, "y": 0}],
         "unknown device type 'acme-thing'"),
        ([{"id": "elsys-co2-0a0b0c", "room": "a", "floor": 1, "x": 0}], "missing y"),
        ([{"id": "elsys-co2-0a0b0c", "room": "a", "floor": 1, "x": 0, "y": 0}] * 2,
         "duplicate id"),
    ],
)
def test_registry_errors_say_what_is_wrong(devices, message) -> None:
    with pytest.raises(RegistryError, match=message):
        parse_registry({"devices": devices})
