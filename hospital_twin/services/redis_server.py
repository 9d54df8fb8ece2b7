"""Run a private system ``redis-server`` on a free local port, without persistence.

Used by ``hospital-twin run`` (when ``HOSPITAL_TWIN_REDIS_URL`` is not set), the tests and
the benchmark::

    with RedisServer() as redis:
        print(redis.url)        # redis://127.0.0.1:<port>/0
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

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
    found = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/sbin")
    if not found:
        raise RedisServerError(INSTALL_HINT)
    return found


def _answers_ping(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """A redis-server on ``host:port`` (a free port unless given); ``stop()`` ends it."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.binary = find_redis_server()
        self.host = host
        self.port = port or free_port(host)
        self.dir = Path(tempfile.mkdtemp(prefix="ht-redis-"))
        self.log = self.dir / "redis.log"
        self.process: subprocess.Popen[bytes] | None = None

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

    def stop(self) -> None:
        """Stop the server (SIGTERM; no data is saved)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
