"""Sensor ingest benchmark: sustained MQTT → SQLite ingest rate and WebSocket latency.

Usage: ``.venv/bin/python benchmarks/sensor_ingest.py [--readings 20000] [--qos 0 1]
[--publishers 2] [--rate 5000]``.
Starts a private Mosquitto and the real sensor service (``hospital-twin sensors serve``,
temporary SQLite file), publishes simulated readings of the bundled registry's devices from
``--publishers`` separate processes as fast as paho-mqtt can (at each ``--qos``; QoS 1
senders keep at most 500 messages unacknowledged), and times until the service has stored
them all; it also prints the CPU time the service's processes spent per 1,000 readings
(independent of how busy the machine is), and that of Mosquitto and the publishers: on a
2-core machine all of them share the two cores. WebSocket latency is publish → receipt on
``/ws/<id>``, idle and while other devices publish at a steady ``--rate``.
Target (issue 17): ≥ 20,000 readings/s stored, none lost, at QoS 0 and QoS 1.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from websockets.sync.client import connect

from hospital_twin.sensors.process import ServiceProcess
from hospital_twin.sensors.registry import load_registry
from hospital_twin.sensors.simulator import Simulator, SimulatorConfig
from hospital_twin.services.mosquitto import Mosquitto

PROBE_DEVICE = "elsys-eye-0b13a5"


#: QoS 1 messages a publisher keeps unacknowledged (paho rescans its outbox per PUBACK).
WINDOW = 500


def _client(port: int) -> mqtt.Client:
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.max_queued_messages_set(0)
    client.max_inflight_messages_set(WINDOW * 2)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def _publish_flood(port: int, total: int, started: mp.Event, rate: float = 0.0,
                   qos: int = 0, part: int = 0, parts: int = 1, cpu: Any = None) -> None:
    """Publish share ``part`` of ``parts`` of ``total`` simulated readings (separate
    process): as fast as possible, or at ``rate`` readings/s when given. Puts the CPU
    seconds spent publishing on ``cpu`` (a queue) when given."""
    sim = Simulator(load_registry(), SimulatorConfig(seed=1, dropout=0, event_rate=0))
    messages: list[tuple[str, str]] = []
    t = time.time()
    while len(messages) < total:
        messages += [
            (topic, json.dumps(doc)) for topic, doc in sim.round(t) if PROBE_DEVICE not in topic
        ]  # the probe device's readings are timed
        t += 1e-3
    messages = messages[:total][part::parts]
    client = _client(port)
    started.set()
    cpu0 = time.process_time()
    begin = time.perf_counter()
    sent = []
    for i, (topic, payload) in enumerate(messages):
        if rate and i % 50 == 0:
            time.sleep(max(0.0, begin + i / rate - time.perf_counter()))
        sent.append(client.publish(topic, payload, qos=qos))
        if qos and i >= WINDOW:
            sent[i - WINDOW].wait_for_publish(30)
    for info in sent[-WINDOW:]:
        info.wait_for_publish(30)
    if cpu is not None:
        cpu.put(time.process_time() - cpu0)
    time.sleep(0.5)
    client.disconnect()
    client.loop_stop()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (/proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _flood(svc: ServiceProcess, broker: Mosquitto, readings: int, qos: int,
           publishers: int) -> None:
    """Publish ``readings`` from ``publishers`` processes at ``qos``; print the stored rate,
    losses and the CPU per 1,000 readings of the service, the publishers and Mosquitto."""
    port = broker.port
    pids = [svc.process.pid, *_children(svc.process.pid), broker.process.pid]
    publish_cpu: Any = mp.Queue()
    cpu0 = [_cpu_seconds(p) for p in pids]
    base = _stats(svc.url)["stored"]
    events = [mp.Event() for _ in range(publishers)]
    floods = [mp.Process(target=_publish_flood,
                         args=(port, readings, ev, 0.0, qos, i, publishers, publish_cpu))
              for i, ev in enumerate(events)]
    for flood in floods:
        flood.start()
    for ev in events:
        ev.wait(60)
    t0 = time.time()
    last, last_change = base, time.perf_counter()
    while True:  # polled gently: each /stats request costs the service CPU too
        stored = _stats(svc.url)["stored"]
        now = time.perf_counter()
        if stored != last:
            last, last_change = stored, now
        if stored - base >= readings or now - last_change > 3:
            break
        time.sleep(0.25)
    elapsed = _stats(svc.url)["last_stored_ts"] - t0  # until the last batch was committed
    publishing = sum(publish_cpu.get(timeout=60) for _ in floods)
    for flood in floods:
        flood.join(60)
    stats = _stats(svc.url)
    ingested = stats["stored"] - base
    per_1000 = 1_000_000 / max(ingested, 1)  # seconds of CPU → ms per 1,000 readings
    cpu = [(_cpu_seconds(p) - c) * per_1000 for p, c in zip(pids, cpu0, strict=True)]
    print(f"Ingest QoS {qos}, {publishers} publisher(s): {ingested} of {readings} readings "
          f"stored in {elapsed:.2f} s = {ingested / elapsed:,.0f} readings/s (target ≥ 20,000/s)")
    print(f"        malformed {stats['malformed_total']}, store errors {stats['store_errors']}, "
          f"lost {readings - ingested}; CPU per 1,000 readings: service "
          + " + ".join(f"{c:.0f}" for c in cpu[:-1]) + " ms (process, then its children), "
          f"Mosquitto {cpu[-1]:.0f} ms, publisher(s) {publishing * per_1000:.0f} ms; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


def _stats(url: str) -> dict:
    with urllib.request.urlopen(url + "/stats", timeout=10) as reply:
        return json.loads(reply.read())


def _probe_latency(url: str, port: int, count: int, gap: float) -> list[float]:
    """Publish ``count`` probe readings; return publish → WebSocket receipt times (ms)."""
    lat: list[float] = []
    client = _client(port)
    with connect(url.replace("http", "ws") + f"/ws/{PROBE_DEVICE}", open_timeout=10) as ws:
        time.sleep(0.3)

        def listen() -> None:
            while len(lat) < count:
                try:
                    msg = json.loads(ws.recv(10))
                except TimeoutError:
                    return
                lat.append((time.time() - msg["payload"]["occupancy"] / 1e6) * 1000)

        reader = threading.Thread(target=listen)
        reader.start()
        for _ in range(count):
            sent = time.time()
            doc = {"acp_ts": sent, "payload": {"occupancy": sent * 1e6, "motion": 0}}
            client.publish(f"sensors/{PROBE_DEVICE}", json.dumps(doc))
            time.sleep(gap)
        reader.join(15)
    client.disconnect()
    client.loop_stop()
    return lat


def _summary(lat: list[float]) -> str:
    if not lat:
        return "no probes received"
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else lat * 99
    return (
        f"n={len(lat)} median {statistics.median(lat):.1f} ms, p95 {q[94]:.1f} ms, "
        f"max {max(lat):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=20_000)
    parser.add_argument("--qos", type=int, nargs="+", choices=(0, 1), default=[0, 1])
    parser.add_argument("--publishers", type=int, default=1, help="publishing processes")
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--rate", type=float, default=5000.0, help="paced load for latency")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ht-sensor-bench-"))
    with Mosquitto() as broker:
        env = {
            "HOSPITAL_TWIN_DB": str(tmp / "bench.db"),
            "HOSPITAL_TWIN_MQTT_PORT": str(broker.port),
            "HOSPITAL_TWIN_MQTT_HOST": broker.host,
        }
        with ServiceProcess(env, log=tmp / "service.log") as svc:
            while not _stats(svc.url)["mqtt"]["connected"]:
                time.sleep(0.1)
            idle = _probe_latency(svc.url, broker.port, args.probes, 0.01)
            print(f"WebSocket latency, idle:       {_summary(idle)}")

            for qos in args.qos:
                _flood(svc, broker, args.readings, qos, args.publishers)
            paced = mp.Process(
                target=_publish_flood, args=(broker.port, int(args.rate * 8), mp.Event(), args.rate)
            )
            paced.start()
            time.sleep(2)  # let the paced load settle, then probe during it
            loaded = _probe_latency(svc.url, broker.port, args.probes // 4, 0.02)
            paced.join(60)
            print(f"WebSocket latency at {args.rate:,.0f} readings/s: {_summary(loaded)}")


if __name__ == "__main__":
    main()
