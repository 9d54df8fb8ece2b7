"""The ingest pipeline: validate → queue → (one writer thread) broadcast, store, alert.

MQTT and ``POST /readings`` both call :meth:`Ingestor.submit_raw`; nothing they send can stop
the pipeline: bad messages are counted per reason and logged (rate-limited), unknown devices
are stored and flagged, storage errors are counted and the batch is skipped.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Engine

from hospital_twin.sensors.alerts import AlertEngine
from hospital_twin.sensors.batch import BatchBuilder, ReadingBatch, thresholds_of
from hospital_twin.sensors.messages import MalformedMessage, Reading, live_message, parse_message
from hospital_twin.sensors.registry import Registry
from hospital_twin.sensors.store import apply_retention, insert_batch

log = logging.getLogger(__name__)

Listener = Callable[[list[dict[str, Any]]], None]


class Ingestor:
    """Accepts messages from any thread; one background thread writes them in batches."""

    def __init__(
        self,
        engine: Engine,
        registry: Registry,
        *,
        stale_seconds: float = 900.0,
        max_bytes: int = 65536,
        raw_retention_days: float = 14.0,
        rollup_retention_days: float = 730.0,
        batch_size: int = 5000,
        queue_size: int = 200_000,
        stale_check_seconds: float = 1.0,
    ) -> None:
        self.engine = engine
        self.registry = registry
        self.registered = set(registry.devices)
        #: The registry's threshold rules, for the batches' alert checks.
        self.thresholds = thresholds_of(registry)
        self.max_bytes = max_bytes
        self.retention = (raw_retention_days, rollup_retention_days)
        self.batch_size = batch_size
        self.stale_check_seconds = stale_check_seconds
        self.alerts = AlertEngine(engine, registry, stale_seconds)
        self.listeners: list[Listener] = []
        #: Which devices' readings the listeners want live (default: all).
        self.live_wanted: Callable[[str], bool] = lambda _acp_id: True
        self.counters: Counter[str] = Counter()
        self.malformed: Counter[str] = Counter()
        self.unknown_devices: set[str] = set()
        #: When the last batch was committed (UNIX seconds; 0 before the first).
        self.last_stored_ts = 0.0
        self._queue: queue.Queue[Reading | ReadingBatch | tuple] = queue.Queue(
            maxsize=queue_size)
        self.queue_size = queue_size
        # readings and batches waiting from submit_batch (bounded by readings too)
        self._batched = self._batches = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    # -- input (any thread) -------------------------------------------------------------
    def reject(self, reason: str, detail: str, source: str) -> None:
        """Count (and log, rate-limited) a message that could not be used."""
        with self._lock:
            self.malformed[reason] += 1
            n = self.malformed[reason]
        if n <= 10 or n & (n - 1) == 0:
            log.warning("malformed sensor message #%d from %s (%s): %s", n, source, reason, detail)

    def _parse(self, raw: bytes | str | dict, topic: str | None, now: float) -> Reading | None:
        try:
            return parse_message(raw, topic, now, self.max_bytes)
        except MalformedMessage as exc:
            self.reject(exc.reason, str(exc), topic or "http")
        except Exception as exc:  # noqa: BLE001 - nothing a sender does may stop ingest
            self.reject("error", repr(exc)[:200], topic or "http")
        return None

    def _note_device(self, acp_id: str) -> None:
        if acp_id not in self.registered and acp_id not in self.unknown_devices:
            with self._lock:
                self.unknown_devices.add(acp_id)
            log.warning("reading from unregistered device %s (stored, flagged)", acp_id)

    def submit_raw(self, raw: bytes | str | dict, topic: str | None = None) -> Reading | None:
        """Validate now and enqueue one message (HTTP); None (and counted) when malformed."""
        reading = self._parse(raw, topic, time.time())
        return reading if reading is not None and self.submit(reading) else None

    def submit(self, reading: Reading) -> bool:
        """Enqueue a validated reading; False (counted) when the queue is full."""
        self._note_device(reading.acp_id)
        try:
            self._queue.put_nowait(reading)
        except queue.Full:
            self.reject("queue_full", reading.acp_id, "ingest")
            return False
        with self._lock:
            self.counters["accepted"] += 1
        return True

    def _note_devices(self, ids: set[str]) -> None:
        for acp_id in ids - self.registered - self.unknown_devices:
            self._note_device(acp_id)

    def _reject_batch(self, batch: ReadingBatch) -> None:
        for row in batch.rows:
            self.reject("queue_full", row[0], "ingest")

    def submit_batch(self, batch: Sequence[Reading] | ReadingBatch) -> bool:
        """Enqueue validated readings as one item (MQTT: parsed in its own process); False
        (each counted) when the queue is full."""
        if not isinstance(batch, ReadingBatch):
            batch = ReadingBatch.from_readings(batch, self.thresholds)
        self._note_devices(set(batch.devices))
        with self._lock:
            waiting = self._batched + self._queue.qsize() - self._batches
            room = waiting + len(batch) <= self.queue_size
            if room:
                self._batched += len(batch)
                self._batches += 1
        if not room:
            self._reject_batch(batch)
            return False
        try:
            self._queue.put_nowait(batch)
        except queue.Full:  # only if single readings raced in meanwhile
            with self._lock:
                self._batched -= len(batch)
                self._batches -= 1
            self._reject_batch(batch)
            return False
        with self._lock:
            self.counters["accepted"] += len(batch)
        return True

    def enqueue_raw(self, raw: bytes, topic: str) -> None:
        """Hand an MQTT message to the writer thread, which validates it (keeps the network
        thread free to read the socket)."""
        try:
            self._queue.put_nowait((raw, topic, time.time()))
        except queue.Full:
            self.reject("queue_full", topic, "ingest")

    # -- writer thread ------------------------------------------------------------------
    def start(self) -> None:
        """Start the writer thread."""
        self._thread = threading.Thread(target=self._run, name="sensor-writer", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Write what is queued and stop the writer thread."""
        self._stop.set()
        if self._thread:
            self._thread.join(timeout)

    def _take_batch(self) -> ReadingBatch | None:
        try:
            items = [self._queue.get(timeout=0.2)]
        except queue.Empty:
            return None
        size = len(items[0]) if isinstance(items[0], ReadingBatch) else 1
        while size < self.batch_size:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            items.append(item)
            size += len(item) if isinstance(item, ReadingBatch) else 1
        batch = ReadingBatch()
        single = BatchBuilder(self.thresholds)
        parsed = 0
        for item in items:
            if isinstance(item, Reading):
                single.add(item)
                continue
            if isinstance(item, ReadingBatch):  # a batch from submit_batch
                batch.extend(item)
                with self._lock:
                    self._batched -= len(item)
                    self._batches -= 1
                continue
            reading = self._parse(*item)
            if reading is not None:
                self._note_device(reading.acp_id)
                single.add(reading)
                parsed += 1
        if parsed:
            with self._lock:
                self.counters["accepted"] += parsed
        if single:
            batch.extend(single.take())
        return batch

    def _run(self) -> None:
        next_stale = time.time() + self.stale_check_seconds
        next_retention = time.time()
        while not (self._stop.is_set() and self._queue.empty()):
            batch = self._take_batch()
            if batch:  # None or empty: nothing came
                self._handle(batch)
            now = time.time()
            try:
                if now >= next_stale:
                    next_stale = now + self.stale_check_seconds
                    self.alerts.check_stale(now)
                if now >= next_retention:
                    next_retention = now + 3600
                    apply_retention(self.engine, now, *self.retention)
            except Exception:  # noqa: BLE001
                log.exception("sensor housekeeping failed")

    def _handle(self, batch: ReadingBatch) -> None:
        if self.listeners:
            wanted = {acp_id: self.live_wanted(acp_id) for acp_id in batch.devices}
            if any(wanted.values()):
                messages = [
                    live_message(r, d.location if (d := self.registry.get(r.acp_id)) else None)
                    for r in batch.readings(wanted.__getitem__)
                ]
                for listener in self.listeners:
                    try:
                        listener(messages)
                    except Exception:  # noqa: BLE001
                        log.exception("sensor listener failed")
        try:
            with self.engine.begin() as conn:  # one transaction per batch
                insert_batch(conn, batch, self.registered)
                self.alerts.on_readings(batch, conn)
        except Exception:  # noqa: BLE001 - a storage hiccup must not stop ingest
            log.exception("storing %d sensor readings failed", len(batch))
            with self._lock:
                self.counters["store_errors"] += len(batch)
            return
        with self._lock:
            self.counters["stored"] += len(batch)
            self.last_stored_ts = time.time()

    def stats(self) -> dict[str, Any]:
        """Counters for ``GET /stats``."""
        with self._lock:
            return {
                "accepted": self.counters["accepted"],
                "stored": self.counters["stored"],
                "last_stored_ts": self.last_stored_ts,
                "store_errors": self.counters["store_errors"],
                "queued": self._queue.qsize() - self._batches + self._batched,
                "malformed": dict(self.malformed),
                "malformed_total": sum(self.malformed.values()),
                "unknown_devices": sorted(self.unknown_devices),
            }
