"""Sensor ingest benchmark: sustained MQTT → SQLite ingest rate and WebSocket latency.

Usage: ``.venv/bin/python benchmarks/sensor_ingest.py [--readings 20000] [--qos 0 1]
[--publishers 2] [--publisher wire|paho] [--rate 5000]``.
Starts a private Mosquitto and the real sensor service (``hospital-twin sensors serve``,
temporary SQLite file), publishes simulated readings of the bundled registry's devices from
``--publishers`` separate processes as fast as they can (at each ``--qos``; QoS 1 senders
keep at most 500 messages unacknowledged), times until the service has stored them all and
prints how many were lost. The publishers write PUBLISH packets encoded beforehand straight
to Mosquitto's socket (``--publisher wire``, the default: simulated devices should not cost
more CPU than the ingest measured), or publish with paho-mqtt (``--publisher paho``, about
20 µs of CPU per message at QoS 0 and 100 at QoS 1). It also prints the CPU time the
service's processes spent per 1,000 readings (independent of how busy the machine is), and
that of Mosquitto and the publishers: on a 2-core machine all of them share the two cores.
WebSocket latency is publish → receipt on ``/ws/<id>``, idle and while other devices
publish at a steady ``--rate``.
Target (issue 17): ≥ 20,000 readings/s stored, none lost, at QoS 0 and QoS 1.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import socket
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
from hospital_twin.sensors.wire import connect_packet, publish_packet
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


def _messages(total: int, part: int, parts: int) -> list[tuple[str, bytes]]:
    """Share ``part`` of ``parts`` of ``total`` simulated readings as (topic, JSON)."""
    sim = Simulator(load_registry(), SimulatorConfig(seed=1, dropout=0, event_rate=0))
    messages: list[tuple[str, bytes]] = []
    t = time.time()
    while len(messages) < total:
        messages += [
            (topic, json.dumps(doc).encode())
            for topic, doc in sim.round(t) if PROBE_DEVICE not in topic
        ]  # the probe device's readings are timed
        t += 1e-3
    return messages[:total][part::parts]


def _publish_flood(port: int, total: int, started: mp.Event, rate: float = 0.0,
                   qos: int = 0, part: int = 0, parts: int = 1, cpu: Any = None,
                   publisher: str = "wire") -> None:
    """Publish share ``part`` of ``parts`` of ``total`` simulated readings (separate
    process): as fast as possible, or at ``rate`` readings/s when given. Puts the CPU
    seconds spent publishing on ``cpu`` (a queue) when given."""
    messages = _messages(total, part, parts)
    send = _wire_publish if publisher == "wire" else _paho_publish
    send(port, messages, started, rate, qos, cpu)


def _paho_publish(port: int, messages: list[tuple[str, bytes]], started: mp.Event,
                  rate: float, qos: int, cpu: Any) -> None:
    """Publish with paho-mqtt, one ``publish`` call per message (~20 µs of CPU each at
    QoS 0, ~100 µs at QoS 1)."""
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


def _wire_publish(port: int, messages: list[tuple[str, bytes]], started: mp.Event,
                  rate: float, qos: int, cpu: Any) -> None:
    """Publish the same MQTT PUBLISH packets, encoded before the clock starts and written
    to the broker's socket many at a time (devices are many separate senders: simulating
    them must not cost more CPU than the ingest it measures). QoS 1: at most ``WINDOW``
    messages unacknowledged; every PUBACK is counted, so nothing is sent unconfirmed."""
    packets = [publish_packet(topic, payload, qos, i % 65535 + 1)
               for i, (topic, payload) in enumerate(messages)]
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(connect_packet(f"bench-{os.getpid()}", 60))
    if sock.recv(4) != b"\x20\x02\x00\x00":
        raise RuntimeError("the broker refused the benchmark publisher")
    started.set()
    cpu0 = time.process_time()
    begin = time.perf_counter()
    acked = received = 0  # PUBACKs are 4 bytes each; the broker sends us nothing else
    step = 50 if rate else 200
    for i in range(0, len(packets), step):
        if rate:
            time.sleep(max(0.0, begin + i / rate - time.perf_counter()))
        while qos and i - acked > WINDOW - step:
            received += len(sock.recv(1 << 16))
            acked = received // 4
        sock.sendall(b"".join(packets[i:i + step]))
    while qos and acked < len(packets):
        data = sock.recv(1 << 16)
        if not data:
            raise RuntimeError(f"the broker closed the connection after {acked} PUBACKs")
        received += len(data)
        acked = received // 4
    if cpu is not None:
        cpu.put(time.process_time() - cpu0)
    time.sleep(0.5)
    sock.sendall(b"\xe0\x00")  # DISCONNECT
    sock.close()


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
           publishers: int, publisher: str) -> None:
    """Publish ``readings`` from ``publishers`` processes at ``qos``; print the stored rate,
    losses and the CPU per 1,000 readings of the service, the publishers and Mosquitto."""
    port = broker.port
    pids = [svc.process.pid, *_children(svc.process.pid), broker.process.pid]
    publish_cpu: Any = mp.Queue()
    cpu0 = [_cpu_seconds(p) for p in pids]
    base = _stats(svc.url)["stored"]
    events = [mp.Event() for _ in range(publishers)]
    floods = [mp.Process(target=_publish_flood,
                         args=(port, readings, ev, 0.0, qos, i, publishers, publish_cpu,
                               publisher))
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
    print(f"Ingest QoS {qos}, {publishers} {publisher} publisher(s): {ingested} of {readings} "
          f"readings stored in {elapsed:.2f} s = {ingested / elapsed:,.0f} readings/s "
          "(target ≥ 20,000/s)")
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
    parser.add_argument("--publisher", choices=("wire", "paho"), default="wire",
                        help="pre-encoded packets on a socket (default) or paho-mqtt")
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
                _flood(svc, broker, args.readings, qos, args.publishers, args.publisher)
            paced = mp.Process(
                target=_publish_flood, args=(broker.port, int(args.rate * 8), mp.Event(),
                                             args.rate, 0, 0, 1, None, args.publisher))
            paced.start()
            time.sleep(2)  # let the paced load settle, then probe during it
            loaded = _probe_latency(svc.url, broker.port, args.probes // 4, 0.02)
            paced.join(60)
            print(f"WebSocket latency at {args.rate:,.0f} readings/s: {_summary(loaded)}")


if __name__ == "__main__":
    main()
