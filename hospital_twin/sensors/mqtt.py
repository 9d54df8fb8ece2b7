"""MQTT ingest in a child process: a paho-mqtt 2 client that subscribes to the configured
topics, validates every message and hands the parent whole batches of readings.

At hospital scale (thousands of devices, backfills in bursts) receiving and parsing MQTT
in Python costs as much as storing: done in the service process they shared one core
(2,700 readings/s stored). Here the child receives and parses on its own core and sends
batches of validated readings (at most ``BATCH`` readings or ``FLUSH_S`` old) through a
pipe; the parent's writer stores each batch in one transaction, raises alerts and feeds
the live views. Malformed messages are counted by reason in the parent as before.
The child reconnects by itself and exits when the parent does.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import threading
import time
import uuid
from multiprocessing.connection import Connection
from typing import Any

from hospital_twin.sensors.batch import BatchBuilder, Thresholds
from hospital_twin.sensors.ingest import Ingestor
from hospital_twin.sensors.messages import MalformedMessage, parse_message

log = logging.getLogger(__name__)

#: Readings per batch sent to the parent, and the longest a reading waits in the child.
BATCH = 1000
FLUSH_S = 0.02


class _Batcher:
    """The child's side: parse each message, send batches (a :class:`ReadingBatch` with
    JSON serialised and rollups aggregated, rejects, state)."""

    def __init__(self, conn: Connection, max_bytes: int, thresholds: Thresholds) -> None:
        self.conn = conn
        self.max_bytes = max_bytes
        self.readings = BatchBuilder(thresholds)
        self.rejects: list[tuple[str, str, str]] = []
        self.state = {"connected": False, "connects": 0}
        self.lock = threading.Lock()
        self.last = time.monotonic()

    def message(self, payload: bytes, topic: str) -> None:
        try:
            reading = parse_message(payload, topic, time.time(), self.max_bytes)
        except MalformedMessage as exc:
            item = (exc.reason, str(exc), topic)
        except Exception as exc:  # noqa: BLE001 - nothing a sender does may stop ingest
            item = ("error", repr(exc)[:200], topic)
        else:
            item = None
        with self.lock:
            if item is None:
                try:
                    self.readings.add(reading)
                except Exception as exc:  # noqa: BLE001 - e.g. JSON it cannot serialise
                    self.rejects.append(("error", repr(exc)[:200], topic))
            else:
                self.rejects.append(item)
            full = len(self.readings) >= BATCH
        if full:
            self.flush()

    def flush(self) -> None:
        with self.lock:
            readings, rejects = self.readings.take(), self.rejects
            self.rejects = []
            self.last = time.monotonic()
            self.conn.send((readings, rejects, dict(self.state)))


def _child(conn: Connection, host: str, port: int, topics: list[str], max_bytes: int,
           thresholds: Thresholds, parent: int) -> None:
    """The child process: connect, subscribe, parse, send batches until the parent goes."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    batcher = _Batcher(conn, max_bytes, thresholds)
    client = mqtt.Client(CallbackAPIVersion.VERSION2,
                         client_id=f"hospital-twin-sensors-{uuid.uuid4().hex[:8]}")
    client.reconnect_delay_set(min_delay=1, max_delay=10)
    client.max_queued_messages_set(0)

    def on_connect(cl, _userdata, _flags, reason_code, _props) -> None:
        if reason_code.is_failure:
            log.warning("MQTT connect to %s:%s refused: %s", host, port, reason_code)
            return
        batcher.state = {"connected": True, "connects": batcher.state["connects"] + 1}
        cl.subscribe([(topic, 0) for topic in topics])
        log.info("MQTT connected to %s:%s, subscribed to %s", host, port, topics)
        batcher.flush()

    def on_disconnect(_cl, _userdata, _flags, reason_code, _props) -> None:
        batcher.state = {**batcher.state, "connected": False}
        log.warning("MQTT disconnected (%s); reconnecting", reason_code)
        batcher.flush()

    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    client.on_message = lambda _c, _u, m: batcher.message(m.payload, m.topic)
    client.connect_async(host, port, keepalive=30)
    client.loop_start()
    try:
        while os.getppid() == parent:
            time.sleep(FLUSH_S / 2)
            if batcher.readings or batcher.rejects:
                if time.monotonic() - batcher.last >= FLUSH_S:
                    batcher.flush()
            if conn.poll():  # the parent says stop
                break
    except (BrokenPipeError, EOFError, OSError):
        pass
    finally:
        client.disconnect()
        client.loop_stop()
        try:
            batcher.flush()
            conn.send(None)
        except (BrokenPipeError, OSError):
            pass


class MqttIngest:
    """Feeds every message on ``topics`` into an :class:`Ingestor` through a child process
    that receives and validates them; reconnects by itself."""

    def __init__(self, ingestor: Ingestor, host: str, port: int, topics: list[str]) -> None:
        self.ingestor = ingestor
        self.host, self.port, self.topics = host, port, list(topics)
        self.connected = False
        self.connects = 0
        self._process: Any = None
        self._conn: Connection | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        """Start the child process (it connects in the background, retrying until the
        broker answers) and the thread that takes its batches."""
        ctx = mp.get_context("spawn")  # the service has threads: never fork it
        ours, theirs = ctx.Pipe()
        self._process = ctx.Process(
            target=_child, name="sensor-mqtt", daemon=True,
            args=(theirs, self.host, self.port, self.topics, self.ingestor.max_bytes,
                  self.ingestor.thresholds, os.getpid()))
        self._process.start()
        theirs.close()
        self._conn = ours
        self._reader = threading.Thread(target=self._read, name="sensor-mqtt-reader",
                                        daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._conn is not None
        while True:
            try:
                item = self._conn.recv()
            except (EOFError, OSError):
                break
            if item is None:
                break
            readings, rejects, state = item
            self.connected, self.connects = state["connected"], state["connects"]
            for reason, detail, topic in rejects:
                self.ingestor.reject(reason, detail, topic)
            if readings:
                self.ingestor.submit_batch(readings)
        self.connected = False

    def stop(self) -> None:
        """Disconnect, take the child's last batch and stop it."""
        if self._conn is not None:
            try:
                self._conn.send("stop")
            except (BrokenPipeError, OSError):
                pass
        if self._reader is not None:
            self._reader.join(10)
        if self._process is not None:
            self._process.join(5)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(5)
        if self._conn is not None:
            self._conn.close()
