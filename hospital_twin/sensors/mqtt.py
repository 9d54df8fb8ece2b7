"""MQTT ingest in a child process: a minimal MQTT subscriber (:mod:`.wire`) that receives
the configured topics, validates every message and hands the parent whole batches of
readings.

At hospital scale (thousands of devices, backfills in bursts) receiving and parsing MQTT
in Python costs as much as storing: done in the service process they shared one core
(2,700 readings/s stored). Here the child receives and parses on its own core, in one
thread: it reads the socket in large chunks, validates the messages of each chunk in one
loop and sends batches of validated readings (at most ``BATCH`` readings, or whatever has
waited ``FLUSH_S``) through a pipe; the parent's writer stores each batch in one
transaction, raises alerts and feeds the live views. Malformed messages are counted by
reason in the parent as before. The child reconnects by itself (1, 2, 4 … 10 s apart) and
exits when the parent does.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing as mp
import os
import socket
import threading
import time
import uuid
from multiprocessing.connection import Connection
from typing import Any

from hospital_twin.sensors.batch import BatchBuilder, Thresholds
from hospital_twin.sensors.ingest import Ingestor
from hospital_twin.sensors.messages import MalformedMessage, parse_message
from hospital_twin.sensors.wire import Message, Subscriber

log = logging.getLogger(__name__)

#: Readings per batch sent to the parent, and the longest a reading waits in the child.
BATCH = 2000
FLUSH_S = 0.02
#: Bytes the socket pair to the service may hold (a few batches).
PIPE_BUFFER = 4 << 20
#: Seconds between reconnection attempts: doubling from the first to the last.
RECONNECT_S = (1.0, 10.0)


class _Batcher:
    """The child's side: parse messages, send batches (a :class:`ReadingBatch` with JSON
    serialised and rollups aggregated, rejects, state)."""

    def __init__(self, conn: Connection, max_bytes: int, thresholds: Thresholds) -> None:
        self.conn = conn
        self.max_bytes = max_bytes
        self.readings = BatchBuilder(thresholds)
        self.rejects: list[tuple[str, str, str]] = []
        self.state = {"connected": False, "connects": 0}
        self.oldest = 0.0  # when the oldest unsent reading or reject came (monotonic)

    def add(self, messages: list[Message], now: float) -> None:
        """Validate received messages into the batch (rejects kept with their reason)."""
        if not (self.readings or self.rejects):
            self.oldest = time.monotonic()
        add, rejects, max_bytes = self.readings.add, self.rejects, self.max_bytes
        for topic, payload in messages:
            if payload is None:
                rejects.append(("too_large", f"message over {max_bytes} bytes", topic))
                continue
            try:
                add(parse_message(payload, topic, now, max_bytes))
            except MalformedMessage as exc:
                rejects.append((exc.reason, str(exc), topic))
            except Exception as exc:  # noqa: BLE001 - nothing a sender does may stop ingest
                rejects.append(("error", repr(exc)[:200], topic))

    def wait(self, now: float) -> float:
        """Seconds until the pending readings must be sent (1 s when nothing is pending)."""
        if self.readings or self.rejects:
            return max(0.0, self.oldest + FLUSH_S - now)
        return 1.0

    def due(self, now: float) -> bool:
        """True when the batch is full or has waited long enough."""
        return len(self.readings) >= BATCH or (
            bool(self.readings or self.rejects) and now - self.oldest >= FLUSH_S)

    def flush(self) -> None:
        """Send what is pending (and the connection state) to the parent."""
        readings, rejects = self.readings.take(), self.rejects
        self.rejects = []
        self.conn.send((readings, rejects, dict(self.state)))


def _child(conn: Connection, host: str, port: int, topics: list[str], max_bytes: int,
           thresholds: Thresholds, parent: int) -> None:
    """The child process: connect, subscribe, parse, send batches until the parent goes."""
    # Every message makes a few dozen short-lived, acyclic objects: the cyclic collector
    # rescanning them every 700 allocations cost ~6 % of the child's CPU for nothing.
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    batcher = _Batcher(conn, max_bytes, thresholds)
    sub = Subscriber(host, port, topics, f"hospital-twin-sensors-{uuid.uuid4().hex[:8]}",
                     keepalive=30, max_packet=max_bytes + 65_600)  # + topic and header
    delay, retry_at = RECONNECT_S[0], 0.0
    try:
        while os.getppid() == parent:
            now = time.monotonic()
            if sub.sock is None:
                if now < retry_at:
                    if conn.poll(min(retry_at - now, 0.5)):
                        break  # the parent says stop
                    continue
                try:
                    sub.connect()
                except OSError as exc:
                    log.warning("MQTT connect to %s:%s failed: %s", host, port, exc)
                    retry_at, delay = now + delay, min(delay * 2, RECONNECT_S[1])
                    continue
                delay = RECONNECT_S[0]
                batcher.state = {"connected": True, "connects": batcher.state["connects"] + 1}
                log.info("MQTT connected to %s:%s, subscribed to %s", host, port, topics)
                batcher.flush()
            try:
                messages = sub.receive(batcher.wait(now), also=(conn,))
            except Exception as exc:  # noqa: BLE001 - whatever the broker sends: reconnect
                sub.close()
                batcher.state = {**batcher.state, "connected": False}
                log.warning("MQTT disconnected (%s); reconnecting", exc)
                batcher.flush()
                retry_at = time.monotonic() + 0.1
                continue
            if messages:
                batcher.add(messages, time.time())
            if batcher.due(time.monotonic()):
                batcher.flush()
            if conn.poll():  # the parent says stop
                break
    except (BrokenPipeError, EOFError, OSError):
        pass
    finally:
        sub.close()
        try:
            batcher.flush()
            conn.send(None)
        except (BrokenPipeError, OSError):
            pass


def _widen(conn: Connection, size: int = PIPE_BUFFER) -> None:
    """Let the socket pair between child and service hold a few whole batches (a batch of
    2,000 readings pickles to ~1 MB; by default ~200 KB fit): else the child waits in
    ``send`` for the service's reader thread, a GIL hand-off per 200 KB, instead of
    parsing on. The kernel caps it at ``net.core.wmem_max``; failing is harmless."""
    with socket.socket(fileno=os.dup(conn.fileno())) as sock:
        for option in (socket.SO_SNDBUF, socket.SO_RCVBUF):
            try:
                sock.setsockopt(socket.SOL_SOCKET, option, size)
            except OSError:
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
        _widen(ours)
        _widen(theirs)
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
