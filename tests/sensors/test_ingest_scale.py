"""Hospital-scale ingest: 20,000 readings published as fast as paho can to a real Mosquitto
are all stored (exact count), at QoS 0 and QoS 1, and the service stays live: its rollups
match the raw rows, alerts and the latest view are still computed."""

from __future__ import annotations

import json
import sqlite3
import time

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sensor_helpers import _get_json, service_env, wait_until

from hospital_twin.sensors.process import ServiceProcess

READINGS = 20_000
#: QoS 1 messages the publisher keeps unacknowledged at once.
WINDOW = 500
#: 200 devices of an estate (not in the registry: stored and flagged as unregistered).
DEVICES = [f"elsys-ers-{i:06x}" for i in range(200)]


def _publish(broker, qos: int, count: int, t0: float) -> None:
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.max_inflight_messages_set(1000)
    client.max_queued_messages_set(0)
    client.connect(broker.host, broker.port)
    client.loop_start()
    infos = []
    for i in range(count):
        device = DEVICES[i % len(DEVICES)]
        doc = {"acp_ts": t0 + i * 0.01, "payload": {"temperature": 20 + i % 7, "humidity": 40}}
        infos.append(client.publish(f"sensors/{device}", json.dumps(doc), qos=qos))
        if qos and i >= WINDOW:  # paho rescans its whole outbox on every PUBACK: keep it short
            infos[i - WINDOW].wait_for_publish(30)
    for info in infos[-WINDOW:]:
        info.wait_for_publish(30)
    client.disconnect()
    client.loop_stop()


def _count(db, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


@pytest.mark.parametrize("qos", [0, 1])
def test_twenty_thousand_readings_all_stored(broker, tmp_path, qos):
    db = tmp_path / "ingest.db"
    with ServiceProcess(service_env(db, broker), log=tmp_path / "service.log") as svc:
        wait_until(lambda: _get_json(svc.url + "/")["mqtt_connected"], 20, 0.1)
        t0 = time.time() - 3600
        started = time.perf_counter()
        _publish(broker, qos, READINGS, t0)
        wait_until(lambda: _get_json(svc.url + "/stats")["stored"] >= READINGS, 120, 0.1)
        elapsed = time.perf_counter() - started
        stats = _get_json(svc.url + "/stats")
        print(f"QoS {qos}: {READINGS} readings published and stored in {elapsed:.2f} s")
        assert stats["stored"] == READINGS and stats["malformed_total"] == 0
        assert stats["store_errors"] == 0
        assert t0 + 3600 < stats["last_stored_ts"] <= time.time()  # stored during this run
        assert _count(db, "SELECT count(*) FROM sensor_readings") == READINGS
        assert _count(db, "SELECT sum(n) FROM sensor_rollup WHERE key='temperature'") == READINGS
        assert _count(db, "SELECT sum(count) FROM sensor_latest") == READINGS
        latest = _get_json(svc.url + "/latest/")
        assert {row["acp_id"] for row in latest} >= set(DEVICES)
        assert set(DEVICES) <= set(stats["unknown_devices"])
        assert _get_json(svc.url + "/")["status"] == "ok"


def test_mqtt_child_process_ends_with_the_service(broker, tmp_path):
    """The MQTT receiver runs in a child process; killing the service (even SIGKILL) must
    not leave it behind."""
    import os
    import signal
    from pathlib import Path

    svc = ServiceProcess(service_env(tmp_path / "k.db", broker), log=tmp_path / "k.log").start()
    try:
        wait_until(lambda: _get_json(svc.url + "/")["mqtt_connected"], 20, 0.1)
        pid = svc.process.pid
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
        mqtt_child = [c for c in children
                      if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
        assert mqtt_child, children
        os.kill(pid, signal.SIGKILL)
        svc.process.wait(10)
        wait_until(lambda: not any(Path(f"/proc/{c}").exists() and b"spawn_main" in
                                   Path(f"/proc/{c}/cmdline").read_bytes() for c in mqtt_child),
                   10, 0.05)
    finally:
        svc.stop()


def test_batches_are_bounded_by_readings(tmp_path):
    """A batch that would take the queue past its size in readings is refused and counted,
    so a backlog cannot grow without bound."""
    from hospital_twin.sensors.db import open_store
    from hospital_twin.sensors.ingest import Ingestor
    from hospital_twin.sensors.messages import Reading
    from hospital_twin.sensors.registry import load_registry

    engine = open_store(tmp_path / "q.db")
    ingestor = Ingestor(engine, load_registry(), queue_size=1500)  # writer not started
    batch = [Reading(DEVICES[0], 1e9 + i, {"temperature": 20.0}) for i in range(1000)]
    assert ingestor.submit_batch(batch) is True
    assert ingestor.submit_batch(batch) is False
    stats = ingestor.stats()
    assert stats["queued"] == 1000 and stats["accepted"] == 1000
    assert stats["malformed"] == {"queue_full": 1000}
    engine.dispose()
