"""Run the system ``mosquitto`` broker on a free local port with a temporary configuration.

Used by the tests, the benchmark and (later) ``make run``::

    with Mosquitto() as broker:
        print(broker.host, broker.port)
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from hospital_twin.services.ports import free_port, wait_for_port  # noqa: F401 (re-exported)

INSTALL_HINT = (
    "the `mosquitto` MQTT broker is not installed (looked for it on PATH and in /usr/sbin). "
    "Install it with `apt-get install -y mosquitto` (Debian/Ubuntu)."
)


class MosquittoError(RuntimeError):
    """The broker is missing or did not start; the message says what to do."""


def find_mosquitto() -> str:
    """Path of the mosquitto binary, or :class:`MosquittoError` with an install hint."""
    found = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin:/sbin")
    if not found:
        raise MosquittoError(INSTALL_HINT)
    return found


class Mosquitto:
    """A private mosquitto on ``host:port`` (a free port unless given); stop() ends it."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.binary = find_mosquitto()
        self.host = host
        self.port = port or free_port(host)
        self.dir = Path(tempfile.mkdtemp(prefix="ht-mosquitto-"))
        self.config = self.dir / "mosquitto.conf"
        self.log = self.dir / "mosquitto.log"
        self.config.write_text(
            f"listener {self.port} {host}\n"
            "allow_anonymous true\n"
            "persistence false\n"
            "max_queued_messages 100000\n"
            "max_inflight_messages 0\n"
            f"log_dest file {self.log}\n"
            "log_type error\nlog_type warning\nlog_type notice\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> Mosquitto:
        """Start the broker and wait until it accepts connections."""
        self.process = subprocess.Popen(
            [self.binary, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # it logs to self.log
            process_group=0,  # a terminal's Ctrl-C reaches the workbench, which stops it last
        )
        if not wait_for_port(self.host, self.port, timeout):
            self.stop()
            log = self.log.read_text() if self.log.exists() else ""
            raise MosquittoError(f"mosquitto did not listen on {self.port} in {timeout} s: {log}")
        return self

    def stop(self) -> None:
        """Stop the broker (if running)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def __enter__(self) -> Mosquitto:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
