"""Helpers of the sensor tests: waiting, service environment, MQTT publisher, DB rows."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from hospital_twin.services.mosquitto import Mosquitto

#: Stale-device time of the test service, seconds.
STALE_SECONDS = 4.0


def wait_until(predicate: Callable[[], object], timeout: float, step: float = 0.02) -> object:
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"condition not met within {timeout} s")
        time.sleep(step)


def service_env(db: Path, broker: Mosquitto, **extra: str) -> dict[str, str]:
    """Environment of a test sensor service."""
    return {
        "HOSPITAL_TWIN_DB": str(db),
        "HOSPITAL_TWIN_MQTT_HOST": broker.host,
        "HOSPITAL_TWIN_MQTT_PORT": str(broker.port),
        "HOSPITAL_TWIN_SENSORS_STALE_SECONDS": str(STALE_SECONDS),
        "HOSPITAL_TWIN_SENSORS_CORS_ORIGINS": '["http://localhost:3000"]',
        "HOSPITAL_TWIN_SENSORS_REGISTRY": "",
        **extra,
    }


def _get_json(url: str) -> dict:
    import httpx

    return httpx.get(url, timeout=5).json()


class Publisher:
    """A paho-mqtt 2 client publishing to the test broker."""

    def __init__(self, broker: Mosquitto) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2)
        self.client.connect(broker.host, broker.port)
        self.client.loop_start()

    def send(self, topic: str, doc: dict | str | bytes) -> None:
        """Publish a JSON document (or raw text/bytes) and wait until it left."""
        data = doc if isinstance(doc, str | bytes) else json.dumps(doc)
        self.client.publish(topic, data, qos=1).wait_for_publish(5)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def db_rows(db: Path, acp_id: str) -> list[tuple[float, dict]]:
    """(acp_ts, payload) of ``acp_id`` straight from the service's SQLite file."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT acp_ts, payload FROM sensor_readings WHERE acp_id=? ORDER BY acp_ts", (acp_id,)
        ).fetchall()
    return [(ts, json.loads(p)) for ts, p in rows]
