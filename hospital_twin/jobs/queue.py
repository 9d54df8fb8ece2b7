"""Redis connections and the RQ queue of scenario jobs (JSON-serialised on both sides)."""

from __future__ import annotations

from redis import Redis
from rq import Queue
from rq.serializers import JSONSerializer


class QueueUnavailable(RuntimeError):
    """Redis cannot be reached; nothing was stored or queued."""


def connect(url: str, *, blocking: bool = False) -> Redis:
    """A Redis client; API-side clients (``blocking=False``) give up after a few seconds."""
    if blocking:
        return Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def scenario_queue(connection: Redis, name: str) -> Queue:
    """The queue scenario jobs go to."""
    return Queue(name, connection=connection, serializer=JSONSerializer)


def ping(connection: Redis) -> None:
    """Raise :class:`QueueUnavailable` unless Redis answers."""
    try:
        connection.ping()
    except Exception as exc:  # redis raises ConnectionError, TimeoutError, OSError...
        raise QueueUnavailable(f"the job queue (Redis) is unreachable: {exc}") from exc
