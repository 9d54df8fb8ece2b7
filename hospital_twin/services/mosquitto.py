"""Run the system ``mosquitto`` broker on a free local port with a temporary configuration.

Used by the tests, the benchmarks and ``make run``::

    with Mosquitto() as broker:
        print(broker.host, broker.port)
"""

from __future__ import annotations

import subprocess

from hospital_twin.services.local_server import LocalServer, find_program
from hospital_twin.services.ports import free_port, wait_for_port  # noqa: F401 (re-exported)

INSTALL_HINT = (
    "the `mosquitto` MQTT broker is not installed (looked for it on PATH and in /usr/sbin). "
    "Install it with `apt-get install -y mosquitto` (Debian/Ubuntu)."
)


class MosquittoError(RuntimeError):
    """The broker is missing or did not start; the message says what to do."""


def find_mosquitto() -> str:
    """Path of the mosquitto binary, or :class:`MosquittoError` with an install hint."""
    return find_program("mosquitto", MosquittoError, INSTALL_HINT)


class Mosquitto(LocalServer):
    """A private mosquitto on ``host:port`` (a free port unless given); stop() ends it."""

    folder_prefix = "ht-mosquitto-"

    def __init__(self, port: int | None = None, host: str = "127.0.0.1") -> None:
        self.binary = find_mosquitto()
        super().__init__(port, host)
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
