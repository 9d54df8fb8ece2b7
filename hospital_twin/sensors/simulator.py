"""Sensor simulator: realistic readings for every registry device, published to MQTT.

Temperature follows a daily cycle, CO₂ (and motion, light, sound) rises with occupancy in
working hours (weekdays 08:00–18:00), batteries drain slowly, some readings drop out and
occasional out-of-range events (CO₂ spikes, hot/cold spells, damp, failing battery) occur.
"""

from __future__ import annotations

import json
import math
import random
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from hospital_twin.sensors.registry import Device, Registry

GATEWAYS = ("csn-mtcdtip-005f06", "csn-pygate-d66a00")
EVENTS = ("co2", "hot", "cold", "damp", "battery")


@dataclass
class SimulatorConfig:
    """How often and how irregularly devices report."""

    interval: float = 10.0
    ttn_share: float = 0.25
    dropout: float = 0.02
    event_rate: float = 0.01
    event_length: int = 6
    seed: int | None = None


@dataclass
class DeviceState:
    """What a simulated device remembers between readings."""

    battery_mv: float
    offset: float
    ttn: bool
    event: str | None = None
    event_left: int = 0
    extra: dict[str, float] = field(default_factory=dict)


def occupancy(t: float) -> float:
    """Share of people present (0–1): weekdays 08:00–18:00 with a lunch dip (UTC hours)."""
    moment = datetime.fromtimestamp(t, UTC)
    hour = moment.hour + moment.minute / 60
    if moment.weekday() >= 5 or not 8 <= hour < 18:
        return 0.0
    return math.sin(math.pi * (hour - 8) / 10) ** 0.5 * (0.7 if 12.5 <= hour < 13.5 else 1.0)


def _base(t: float, state: DeviceState, rng: random.Random) -> dict[str, float]:
    hour = (t % 86400) / 3600
    occ = occupancy(t)
    temp = 21.0 + state.offset + 1.3 * math.sin(2 * math.pi * (hour - 9) / 24) + 0.6 * occ
    return {
        "temperature": temp + rng.gauss(0, 0.1),
        "humidity": 45.0 - 4 * math.sin(2 * math.pi * (hour - 9) / 24) + rng.gauss(0, 0.5),
        "co2": 430 + 420 * occ + rng.gauss(0, 12),
        "occ": occ,
    }


def _apply_event(b: dict[str, float], state: DeviceState) -> None:
    if state.event == "co2":
        b["co2"] = 1250 + 150 * state.event_left
    elif state.event == "hot":
        b["temperature"] = 26.5
    elif state.event == "cold":
        b["temperature"] = 16.0
    elif state.event == "damp":
        b["humidity"] = 76.0
    elif state.event == "battery":
        b["battery_sag"] = 1.0  # a voltage sag (cold or radio burst); recovers afterwards


def payload_for(device: Device, t: float, state: DeviceState, rng: random.Random) -> dict:
    """One realistic payload for ``device`` at time ``t`` (advances its state)."""
    if state.event_left <= 0:
        state.event = None
    state.battery_mv -= rng.uniform(0.0, 0.02)  # slow drain
    b = _base(t, state, rng)
    _apply_event(b, state)
    if state.event:
        state.event_left -= 1
    occ = b["occ"]
    mv = 3250.0 if b.get("battery_sag") else state.battery_mv
    t_c, rh, co2 = round(b["temperature"], 2), round(b["humidity"], 1), round(b["co2"])
    kind = device.type
    if kind.startswith("enl-"):
        p = {
            "temperature": t_c,
            "humidity": rh,
            "pressure_mbar": round(1012 + rng.gauss(0, 1), 1),
            "co2_ppm": co2,
            "co2e_ppm": co2 + rng.randint(0, 40),
            "bvoc": round(0.5 + occ * 0.8 + rng.random() * 0.1, 2),
            "iaq": round(40 + occ * 50 + rng.gauss(0, 3)),
            "pm_tps": round(0.6 + rng.random() * 0.2, 2),
            "batt_status": 0 if mv > 3300 else 1,
            "batt_v": round(mv / 1000, 3),
            "batt_mv": round(mv),
            "rx_rssi": rng.randint(-110, -80),
        }
        for size, base in (("1_0", 2.0), ("2_5", 3.0), ("4_0", 3.5), ("10_0", 4.0)):
            p[f"mc_pm{size}"] = round(base * (1 + occ) + rng.random(), 2)
        for size, base in (
            ("0_5", 12.0),
            ("1_0", 14.0),
            ("2_5", 15.0),
            ("4_0", 15.5),
            ("10_0", 16.0),
        ):
            p[f"nc_pm{size}"] = round(base * (1 + occ) + rng.random(), 2)
        if kind == "enl-iaqco3":
            p["O3_ppb"] = round(8 + rng.random() * 4, 1)
        return p
    people = rng.random() < occ
    if kind in ("elsys-co2", "elsys-ems"):
        p = {"co2": co2, "temperature": t_c, "humidity": rh}
        if kind == "elsys-co2":
            p.update(
                light=round(450 * occ + 5 + rng.random() * 10),
                motion=int(people) * rng.randint(1, 6),
                vdd=round(mv),
            )
        return p
    if kind == "elsys-eye":
        return {
            "occupancy": 2 if people else 0,
            "motion": int(people) * rng.randint(1, 8),
            "light": round(450 * occ + 5),
            "temperature": t_c,
            "humidity": rh,
        }
    if kind == "elsys-snd":
        avg = 34 + 18 * occ + rng.gauss(0, 1.5)
        return {"soundAvg": round(avg, 1), "soundPeak": round(avg + 8 + rng.random() * 10, 1)}
    if kind == "monnit-Humidity":
        dew = t_c - (100 - rh) / 5
        return {"humidity": rh, "temperature": t_c, "dew_point": round(dew, 2)}
    return {}


def message_for(device: Device, payload: dict, t: float, state: DeviceState) -> tuple[str, dict]:
    """(topic, JSON document): the live layout on ``sensors/<id>`` or a TTN v3 uplink."""
    dev_eui = "70B3D5" + device.acp_id[-6:].upper() + "00"
    gateway = GATEWAYS[zlib.crc32(device.acp_id.encode()) % len(GATEWAYS)]
    if state.ttn:
        iso = datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")
        return f"v3/cambridge-net-3/devices/{device.acp_id}/up", {
            "end_device_ids": {
                "device_id": device.acp_id,
                "dev_eui": dev_eui,
                "application_ids": {"application_id": "cambridge-net-3"},
            },
            "received_at": iso,
            "uplink_message": {
                "decoded_payload": payload,
                "received_at": iso,
                "rx_metadata": [{"gateway_ids": {"gateway_id": gateway}, "time": iso, "rssi": -95}],
            },
        }
    return f"sensors/{device.acp_id}", {
        "acp_id": device.acp_id,
        "acp_ts": t,
        "payload": payload,
        "gateway": {"gateway_id": gateway, "gateway_ts": t},
        "data_connector": {
            "data_connector_id": "cambridge-net-3",
            "data_connector_ts": t,
            "data_connector_dev_eui": dev_eui,
        },
    }


class Simulator:
    """Produces one round of messages (every device once) at a time."""

    def __init__(self, registry: Registry, config: SimulatorConfig) -> None:
        self.registry, self.config = registry, config
        self.rng = random.Random(config.seed)
        self.states = {
            d: DeviceState(
                battery_mv=self.rng.uniform(3450, 3650),
                offset=self.rng.gauss(0, 0.5),
                ttn=self.rng.random() < config.ttn_share,
            )
            for d in registry.devices
        }

    def round(self, t: float) -> list[tuple[str, dict[str, Any]]]:
        """Messages of one round at time ``t`` (dropouts left out, events started/continued)."""
        out = []
        for acp_id, device in self.registry.devices.items():
            state = self.states[acp_id]
            if state.event is None and self.rng.random() < self.config.event_rate:
                state.event = self.rng.choice(EVENTS)
                state.event_left = self.config.event_length
            if self.rng.random() < self.config.dropout:
                continue
            out.append(message_for(device, payload_for(device, t, state, self.rng), t, state))
        return out


def run_simulator(
    registry: Registry,
    host: str,
    port: int,
    config: SimulatorConfig,
    duration: float | None = None,
    rounds: int | None = None,
) -> int:
    """Publish rounds every ``config.interval`` s until duration/rounds run out; count sent."""
    sim = Simulator(registry, config)
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=f"ht-sim-{random.randrange(1 << 30)}"
    )
    client.reconnect_delay_set(1, 10)
    client.connect_async(host, port, keepalive=30)
    client.loop_start()
    deadline = time.monotonic() + duration if duration else math.inf
    sent, done = 0, 0
    try:
        give_up = min(deadline, time.monotonic() + 30)
        while not client.is_connected() and time.monotonic() < give_up:
            time.sleep(0.05)
        next_round = time.monotonic()
        while time.monotonic() < deadline and (rounds is None or done < rounds):
            for topic, doc in sim.round(time.time()):
                client.publish(topic, json.dumps(doc), qos=0)
                sent += 1
            done += 1
            next_round += config.interval
            time.sleep(max(0.0, next_round - time.monotonic()))
    except KeyboardInterrupt:
        pass
    finally:
        time.sleep(0.2)
        client.disconnect()
        client.loop_stop()
    return sent
