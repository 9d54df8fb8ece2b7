"""The local workbench behind ``make run``: Redis and Mosquitto (if none is configured),
workers, the API, the sensor service and its simulator, and the Voilà dashboards as child
processes, stopped together.

Children get the parent's environment plus ``HOSPITAL_TWIN_REDIS_URL`` and
``HOSPITAL_TWIN_MQTT_*`` of the private servers, so every service shares one settings object.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from hospital_twin.services.mosquitto import Mosquitto
from hospital_twin.services.redis_server import RedisServer

_CLI = [sys.executable, "-c", "from hospital_twin.cli.main import main; main()"]


class Workbench:
    """Start with :meth:`start`; :meth:`wait` until a signal or a child exits; :meth:`stop`."""

    def __init__(self, port: int, workers: int = 1, sensors_port: int | None = None,
                 dashboards_port: int | None = None) -> None:
        self.port = port
        self.workers = workers
        self.sensors_port = sensors_port
        self.dashboards_port = dashboards_port
        self.env = dict(os.environ)
        self.redis: RedisServer | None = None
        self.mosquitto: Mosquitto | None = None
        self.procs: dict[str, subprocess.Popen] = {}
        self._signalled = False

    @property
    def sensors_url(self) -> str:
        """Where the sensor service answers."""
        return f"http://127.0.0.1:{self.sensors_port}"

    @property
    def dashboards_url(self) -> str:
        """Where Voilà serves the dashboards (``/voila/render/<name>.ipynb``)."""
        return f"http://127.0.0.1:{self.dashboards_port}"

    @property
    def api_url(self) -> str:
        """Where the REST API answers."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> Workbench:
        """Start Redis (unless HOSPITAL_TWIN_REDIS_URL is set), the workers and the API."""
        if not self.env.get("HOSPITAL_TWIN_REDIS_URL"):
            self.redis = RedisServer().start()
            self.env["HOSPITAL_TWIN_REDIS_URL"] = self.redis.url
        self.procs["worker"] = subprocess.Popen(
            [*_CLI, "worker", "--count", str(self.workers), "--grace", "10"], env=self.env,
            process_group=0)
        self.procs["api"] = subprocess.Popen([*_CLI, "api", "--port", str(self.port)],
                                             env=self.env, process_group=0)
        if self.sensors_port is not None:
            self._start_sensors()
        if self.dashboards_port is not None:
            self.procs["dashboards"] = subprocess.Popen(
                [*_CLI, "dashboards", "--port", str(self.dashboards_port)], env=self.env,
                process_group=0)
        self._wait_until_up("api", self.api_url, timeout)
        if self.sensors_port is not None:
            self._wait_until_up("sensors", self.sensors_url, timeout)
        if self.dashboards_port is not None:
            self._wait_until_up("dashboards", self.dashboards_url, timeout + 30)
        return self

    def _start_sensors(self) -> None:
        """Mosquitto (unless HOSPITAL_TWIN_MQTT_PORT is set), the service and the simulator."""
        if not self.env.get("HOSPITAL_TWIN_MQTT_PORT"):
            self.mosquitto = Mosquitto().start()
            self.env["HOSPITAL_TWIN_MQTT_HOST"] = self.mosquitto.host
            self.env["HOSPITAL_TWIN_MQTT_PORT"] = str(self.mosquitto.port)
        self.env["HOSPITAL_TWIN_SENSORS_URL"] = self.sensors_url
        self.procs["sensors"] = subprocess.Popen(
            [*_CLI, "sensors", "serve", "--port", str(self.sensors_port)], env=self.env,
            process_group=0)
        self.procs["sensor-simulator"] = subprocess.Popen(
            [*_CLI, "sensors", "simulate", "--interval", "5"], env=self.env, process_group=0)

    def _wait_until_up(self, name: str, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self._answers(url):
            if time.monotonic() > deadline or self.procs[name].poll() is not None:
                self.stop()
                raise RuntimeError(f"the {name} service did not start at {url}")
            time.sleep(0.2)

    @staticmethod
    def _answers(url: str) -> bool:
        try:
            with urllib.request.urlopen(url + "/", timeout=1) as reply:
                return reply.status == 200
        except OSError:
            return False

    def wait(self) -> None:
        """Block until SIGINT/SIGTERM or until a child process exits."""

        def stop(_signum: int, _frame: object) -> None:
            self._signalled = True

        old = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            while not self._signalled and all(p.poll() is None for p in self.procs.values()):
                time.sleep(0.2)
        finally:
            for sig, handler in old.items():
                signal.signal(sig, handler)

    def stop(self) -> None:
        """Stop the services, then the workers (running jobs get a short grace), then the
        private Redis and Mosquitto."""
        for name in ("dashboards", "sensor-simulator", "sensors", "api", "worker"):
            proc = self.procs.get(name)
            if proc and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        if self.redis:
            self.redis.stop()
            self.redis = None
        if self.mosquitto:
            self.mosquitto.stop()
            self.mosquitto = None
