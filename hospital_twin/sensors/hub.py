"""WebSocket fan-out with a bounded send queue per client (slow clients lose oldest messages)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from hospital_twin.sensors import fastjson


@dataclass(eq=False)
class Subscriber:
    """One WebSocket client: which devices it wants and its bounded queue of JSON texts."""

    devices: frozenset[str] | None
    queue: asyncio.Queue[str] = field(default_factory=lambda: asyncio.Queue(maxsize=1000))
    dropped: int = 0


class Hub:
    """Receives batches of live messages from the writer thread and queues them per client."""

    def __init__(self, queue_size: int = 1000) -> None:
        self.queue_size = queue_size
        self.subscribers: set[Subscriber] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sent_batches = 0

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Attach to the server's event loop (called at startup)."""
        self.loop = loop

    def subscribe(self, devices: frozenset[str] | None) -> Subscriber:
        """A new client's subscription (all devices when ``devices`` is None)."""
        sub = Subscriber(devices, asyncio.Queue(maxsize=self.queue_size))
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Forget a client."""
        self.subscribers.discard(sub)

    def wants(self, acp_id: str) -> bool:
        """True if some client follows ``acp_id`` (the writer builds live messages only for
        those: at hospital scale most readings have no live viewer)."""
        return any(s.devices is None or acp_id in s.devices for s in list(self.subscribers))

    def publish(self, messages: list[dict[str, Any]]) -> None:
        """Thread-safe: hand a batch to the event loop for fan-out."""
        if self.loop is not None and self.subscribers:
            self.loop.call_soon_threadsafe(self._fanout, messages)

    def _fanout(self, messages: list[dict[str, Any]]) -> None:
        self.sent_batches += 1
        texts: dict[int, str] = {}  # each message is serialised once, only if someone wants it
        for sub in list(self.subscribers):
            for i, message in enumerate(messages):
                if sub.devices is not None and message["acp_id"] not in sub.devices:
                    continue
                text = texts.get(i)
                if text is None:
                    text = texts[i] = fastjson.dumps(message)
                if sub.queue.full():
                    sub.queue.get_nowait()
                    sub.dropped += 1
                sub.queue.put_nowait(text)

    def stats(self) -> dict[str, Any]:
        """Client count and messages dropped for slow clients."""
        return {
            "clients": len(self.subscribers),
            "dropped": sum(s.dropped for s in self.subscribers),
            "queue_size": self.queue_size,
        }
