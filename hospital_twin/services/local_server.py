"""What the private servers have in common (Redis, Mosquitto, PostgreSQL): a system program
run as a child process on a free local port, with a temporary folder of its own.

Tests, benchmarks and ``make run`` start them so nothing needs to be installed as a service::

    with RedisServer() as redis:   # start(); on leaving: stop() and remove the folder
        ...
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Self

from hospital_twin.services.ports import free_port


def find_program(name: str, error: type[Exception], hint: str) -> str:
    """Path of the system program ``name`` (PATH, then /usr/sbin and /sbin), or ``error``
    carrying the install ``hint``."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        raise error(hint)
    return found


class LocalServer:
    """A server child process on ``host:port`` (a free port unless given) with its own
    temporary folder ``dir``. Subclasses start ``process`` in :meth:`start`."""

    #: Prefix of the temporary folder.
    folder_prefix = "ht-server-"
    #: Signal that shuts the server down cleanly, and how long it may take.
    stop_signal = signal.SIGTERM
    stop_timeout = 5.0

    def __init__(self, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = port or free_port(host)
        self.dir = Path(tempfile.mkdtemp(prefix=self.folder_prefix))
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> Self:
        """Start the server and wait until it answers."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the server (if running): :attr:`stop_signal`, then SIGKILL if it lingers."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(self.stop_signal)
            try:
                self.process.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
