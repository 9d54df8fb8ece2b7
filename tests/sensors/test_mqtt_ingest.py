"""MQTT ingest through a real Mosquitto into the real service: database and WebSocket < 1 s."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx
from sensor_helpers import Publisher, db_rows, service_env, wait_until
from websockets.sync.client import connect

from hospital_twin.sensors.process import ServiceProcess
from hospital_twin.services.mosquitto import Mosquitto, free_port


def _ws(service, path: str = "/ws/"):
    return connect(service.url.replace("http", "ws") + path, open_timeout=5)


def test_hand_made_message_reaches_database_and_websocket_within_a_second(
    service, publisher
) -> None:
    dev = "elsys-co2-058ae0"
    with _ws(service) as everything, _ws(service, f"/ws/{dev},enl-iaqc-3a1f02") as chosen:
        time.sleep(0.2)  # subscriptions registered
        ts = time.time()
        sent = time.monotonic()
        publisher.send(f"sensors/{dev}", {"acp_id": dev, "acp_ts": ts,
                                          "payload": {"co2": 612, "temperature": 21.5}})
        msg = json.loads(wait_until(lambda: _next(everything, dev), 1.0, 0))
        assert time.monotonic() - sent < 1.0
        assert msg["acp_ts"] == ts and msg["payload"] == {"co2": 612, "temperature": 21.5}
        assert msg["location"] == {"x": 38.0, "y": 9.5, "floor": 1}  # registry position
        assert set(msg) == {"acp_id", "acp_ts", "payload", "gateway", "data_connector",
                            "location"}
        assert set(msg["data_connector"]) == {"data_connector_id", "data_connector_ts",
                                              "data_connector_dev_eui"}
        assert json.loads(chosen.recv(1))["acp_id"] == dev
        wait_until(lambda: (ts, {"co2": 612, "temperature": 21.5}) in db_rows(service.db, dev),
                   1.0)
        # the filtered client sees nothing of other devices
        publisher.send("sensors/elsys-ems-05f3a1", {"acp_ts": ts, "payload": {"co2": 500}})
        publisher.send(f"sensors/{dev}", {"acp_ts": ts + 1, "payload": {"co2": 613}})
        assert json.loads(chosen.recv(2))["acp_ts"] == ts + 1


def _next(ws, acp_id: str) -> str | None:
    try:
        text = ws.recv(0.05)
    except TimeoutError:
        return None
    return text if json.loads(text)["acp_id"] == acp_id else None


def test_ttn_uplink_is_ingested(service, publisher) -> None:
    dev = "enl-iaqco3-0837d7"
    doc = {"end_device_ids": {"device_id": dev, "dev_eui": "70B3D50837D700",
                              "application_ids": {"application_id": "cambridge-net-3"}},
           "received_at": "2026-11-24T10:00:00Z",
           "uplink_message": {"decoded_payload": {"co2_ppm": 777, "O3_ppb": 9.5},
                              "received_at": "2026-11-24T10:00:00Z"}}
    publisher.send(f"v3/cambridge-net-3/devices/{dev}/up", doc)
    when = datetime(2026, 11, 24, 10, tzinfo=UTC).timestamp()
    wait_until(lambda: (when, {"co2_ppm": 777, "O3_ppb": 9.5}) in db_rows(service.db, dev), 1.0)


def test_simulated_readings_arrive_for_every_device(service, broker) -> None:
    env = service_env(service.db, broker)
    with _ws(service) as ws:
        cmd = [sys.executable, "-c", "from hospital_twin.cli.main import main; main()",
               "sensors", "simulate", "--interval", "0.2", "--rounds", "3", "--seed", "7",
               "--dropout", "0"]
        start = time.time()
        done = subprocess.run(cmd, env={**service.env, **env}, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        assert "published 63 readings" in done.stdout
        fresh = []
        while len(fresh) < 63:  # 3 rounds × 21 devices, no dropouts; read all before closing
            msg = json.loads(ws.recv(1.0))
            if msg["acp_ts"] >= start:
                fresh.append(msg)
        seen = {m["acp_id"] for m in fresh}
        assert len(seen) == 21
        assert all(m["location"] is not None and m["payload"] for m in fresh)
    latest = {r["acp_id"]: r for r in httpx.get(service.url + "/latest/").json()}
    devices = httpx.get(service.url + "/devices").json()
    assert {d["acp_id"] for d in devices if d["registered"]} <= set(latest)
    assert all(latest[a]["acp_ts"] >= start for a in seen)


def test_malformed_messages_are_counted_and_do_not_stop_ingest(service, publisher) -> None:
    before = httpx.get(service.url + "/stats").json()["malformed"]
    dev = "elsys-ems-05f402"
    bad = [
        ("sensors/" + dev, b"{broken"),
        ("sensors/" + dev, json.dumps({"acp_ts": time.time(), "payload": {"co2": "high"}})),
        ("sensors/" + dev, json.dumps({"payload": {"co2": 1}})),
        ("sensors/" + dev, b"[" + b"1," * 40_000 + b"1]"),
        ("sensors/nonsense", json.dumps({"acp_ts": time.time(), "payload": {}})),
    ]
    for topic, raw in bad:
        publisher.send(topic, raw)
    ts = time.time()
    publisher.send("sensors/" + dev, {"acp_ts": ts, "payload": {"co2": 555}})
    publisher.send("sensors/elsys-co2-abcdef", {"acp_ts": ts, "payload": {"co2": 444}})
    wait_until(lambda: (ts, {"co2": 555}) in db_rows(service.db, dev), 1.0)
    wait_until(lambda: db_rows(service.db, "elsys-co2-abcdef"), 1.0)  # unknown: stored
    stats = httpx.get(service.url + "/stats").json()
    grew = {k: v - before.get(k, 0) for k, v in stats["malformed"].items()}
    assert grew == {"bad_json": 1, "bad_value": 1, "missing_field": 1, "too_large": 1,
                    "bad_id": 1}
    assert "elsys-co2-abcdef" in stats["unknown_devices"]
    flagged = next(d for d in httpx.get(service.url + "/devices").json()
                   if d["acp_id"] == "elsys-co2-abcdef")
    assert flagged["registered"] is False and flagged["location"] is None
    assert httpx.get(service.url + "/").json()["status"] == "ok"


def test_service_reconnects_after_the_broker_restarts(tmp_path) -> None:
    port = free_port()
    broker = Mosquitto(port=port).start()
    try:
        with ServiceProcess(service_env(tmp_path / "r.db", broker)) as svc:
            wait_until(lambda: httpx.get(svc.url + "/stats").json()["mqtt"]["connected"], 10)
            broker.stop()
            wait_until(lambda: not httpx.get(svc.url + "/stats").json()["mqtt"]["connected"], 10)
            broker.start()
            wait_until(lambda: httpx.get(svc.url + "/stats").json()["mqtt"]["connects"] == 2, 15)
            pub = Publisher(broker)
            pub.send("sensors/elsys-eye-0b12c4", {"acp_ts": time.time(), "payload": {"motion": 3}})
            pub.close()
            wait_until(lambda: db_rows(tmp_path / "r.db", "elsys-eye-0b12c4"), 1.0)
    finally:
        broker.stop()
