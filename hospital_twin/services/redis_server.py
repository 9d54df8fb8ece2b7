"""Run a private system ``redis-server`` on a free local port, without persistence.

Used by ``hospital-twin run`` (when ``HOSPITAL_TWIN_REDIS_URL`` is not set), the tests and
the benchmark::

    with RedisServer() as redis:
        print(redis.url)        # redis://127.0.0.1:<port>/0
"""

from __future__ import annotations

import socket
import subprocess
import time

from hospital_twin.services.local_server import LocalServer, find_program
from hospital_twin.services.ports import free_port, wait_for_port  # noqa: F401 (re-exported)

INSTALL_HINT = (
    "`redis-server` is not installed (looked on PATH and in /usr/sbin). Install it with "
    "`apt-get install -y redis-server` (Debian/Ubuntu), or point HOSPITAL_TWIN_REDIS_URL "
    "at a running Redis."
)


class RedisServerError(RuntimeError):
    """redis-server is missing or did not start; the message says what to do."""


def find_redis_server() -> str:
    """Path of the redis-server binary, or :class:`RedisServerError` with an install hint."""
    return find_program("redis-server", RedisServerError, INSTALL_HINT)


def _answers_ping(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer(LocalServer):
    """A redis-server on ``host:port`` (a free port unless given); ``stop()`` ends it (SIGTERM;
    no data is saved)."""

    folder_prefix = "ht-redis-"

    def __init__(self, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.binary = find_redis_server()
        super().__init__(port, host)
        self.log = self.dir / "redis.log"

    @property
    def url(self) -> str:
        """The ``redis://`` URL of database 0."""
        return f"redis://{self.host}:{self.port}/0"

    def start(self, timeout: float = 10.0) -> RedisServer:
        """Start the server (foreground child process) and wait until it answers PING."""
        self.process = subprocess.Popen(
            [self.binary, "--bind", self.host, "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.dir), "--logfile", str(self.log),
             "--protected-mode", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if _answers_ping(self.host, self.port):
                return self
            time.sleep(0.05)
        log = self.log.read_text() if self.log.exists() else ""
        self.stop()
        raise RedisServerError(f"redis-server did not answer on port {self.port}: {log}")
