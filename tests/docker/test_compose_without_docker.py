"""Compose without Docker: the bundle's own commands, started natively on free ports.

Every service of docker/compose.yaml that the default profile starts (Redis, Mosquitto with
the bundle's mosquitto.conf, the db-init one-shot, a worker, the API, the sensor service,
the Voilà dashboards) runs here as a real process with the service's environment from the
compose file. Only what a container isolates is rewritten: service host names become
127.0.0.1, container ports become free ports, the ``/data`` volume becomes a temporary
folder. Each service's own compose healthcheck decides when it is up; then one scenario goes
from ``POST /scenarios`` to results read the way the simulation dashboard reads them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from compose_helpers import DOCKER, is_product, load_compose, service_env
from twin_helpers import REFERENCE_WORKBOOK, stop_process, wait_until

from hospital_twin.dashboards.simulation.backend import Backend
from hospital_twin.kpis import validate_results
from hospital_twin.services.mosquitto import find_mosquitto
from hospital_twin.services.ports import free_port, wait_for_port
from hospital_twin.services.redis_server import find_redis_server
from hospital_twin.settings import Settings

HOSPITAL_TWIN = str(Path(sys.executable).parent / "hospital-twin")
#: The services a plain `docker compose up` starts, in start order (db-init runs to its end).
LONG_RUNNING = ["redis", "mosquitto", "worker", "backend", "sensors", "dashboards"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class NativeBundle:
    """The compose services as local processes; ``stop()`` ends every one of them."""

    compose: dict[str, Any]
    tmp: Path
    ports: dict[int, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    first_api_check: int | None = None

    @property
    def services(self) -> dict[str, dict[str, Any]]:
        return self.compose["services"]

    def port(self, container_port: int) -> int:
        """The free local port standing in for a container port."""
        if container_port not in self.ports:
            self.ports[container_port] = free_port()
        return self.ports[container_port]

    def env(self, name: str) -> dict[str, str]:
        """The service's compose environment, rewritten for this machine, over a clean
        process environment (no HOSPITAL_TWIN_* variables inherited from the test run)."""
        base = {k: v for k, v in os.environ.items() if not k.startswith("HOSPITAL_TWIN_")}
        names = set(self.services)

        def url(match: re.Match[str]) -> str:
            host, port = match[1], int(match[2])
            return f"://127.0.0.1:{self.port(port)}" if host in names else match[0]

        for key, value in service_env(self.services[name]).items():
            if value == "/data":
                value = str(self.tmp / "data")
            elif key.endswith("_HOST") and value in names:
                value = "127.0.0.1"
            elif key.endswith("_PORT"):
                value = str(self.port(int(value)))
            base[key] = re.sub(r"://([a-z][a-z0-9-]*):(\d+)", url, value)
        return base

    def _log(self, name: str) -> Any:
        return open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process

    def start(self, name: str) -> None:
        """Start one service's compose command natively."""
        service = self.services[name]
        if name == "redis":
            argv = [find_redis_server(), *service["command"][1:], "--port",
                    str(self.port(6379)), "--bind", "127.0.0.1", "--dir", str(self.tmp)]
        elif name == "mosquitto":
            argv = [find_mosquitto(), "-c", str(self._mosquitto_conf())]
        else:
            assert is_product(service) and service["command"][0] == "hospital-twin"
            argv = [HOSPITAL_TWIN, *service["command"][1:]]
        self.procs[name] = subprocess.Popen(argv, env=self.env(name), stdout=self._log(name),
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def _mosquitto_conf(self) -> Path:
        """The bundle's mosquitto.conf with the listener and data folder moved here."""
        text = (DOCKER / "mosquitto" / "mosquitto.conf").read_text()
        assert "listener 1883\n" in text and "/mosquitto/data/" in text
        (self.tmp / "mosquitto").mkdir(exist_ok=True)
        text = text.replace("listener 1883\n", f"listener {self.port(1883)} 127.0.0.1\n")
        text = text.replace("/mosquitto/data/", f"{self.tmp}/mosquitto/")
        path = self.tmp / "mosquitto.conf"
        path.write_text(text)
        return path

    def healthcheck(self, name: str) -> subprocess.CompletedProcess[str]:
        """Run the service's compose healthcheck command natively."""
        test = self.services[name]["healthcheck"]["test"]
        assert test[0] == "CMD", f"{name}: exec-form healthcheck expected"
        argv = list(test[1:])
        if argv[0] == "python":
            argv[0] = sys.executable
        elif argv[0] == "redis-cli":
            argv[1:1] = ["-p", str(self.port(6379))]
        elif argv[0] == "mosquitto_pub":
            argv[argv.index("-p") + 1] = str(self.port(1883))
        return subprocess.run(argv, env=self.env(name), capture_output=True, text=True,
                              timeout=30)

    def wait_healthy(self, name: str, timeout: float = 90.0) -> None:
        """Poll the healthcheck until it passes (fail early if the process died)."""
        deadline = time.monotonic() + timeout
        while True:
            done = self.healthcheck(name)
            if done.returncode == 0:
                return
            proc = self.procs.get(name)
            if proc is not None and proc.poll() is not None:
                pytest.fail(f"{name} exited with {proc.returncode}:\n{self.log_tail(name)}")
            if time.monotonic() > deadline:
                pytest.fail(f"{name} not healthy after {timeout} s: {done.stderr}\n"
                            f"{self.log_tail(name)}")
            time.sleep(0.5)

    def log_tail(self, name: str, *, whole: bool = False) -> str:
        """The end of a service's output (all of it with ``whole``)."""
        path = self.tmp / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return text if whole else text[-3000:]

    def stop(self) -> None:
        for name in reversed(list(self.procs)):
            stop_process(self.procs[name], timeout=30)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NativeBundle]:
    """Every default-profile service, up and healthy by its own compose healthcheck."""
    native = NativeBundle(load_compose(), tmp_path_factory.mktemp("bundle"))
    try:
        native.start("redis")
        native.start("mosquitto")
        assert wait_for_port("127.0.0.1", native.port(6379), 15), native.log_tail("redis")
        native.first_api_check = native.healthcheck("backend").returncode  # nothing serves yet
        native.wait_healthy("redis")
        native.wait_healthy("mosquitto")
        init = subprocess.run([HOSPITAL_TWIN, *native.services["db-init"]["command"][1:]],
                              env=native.env("db-init"), capture_output=True, text=True,
                              timeout=120)
        assert init.returncode == 0, init.stderr  # service_completed_successfully
        for name in ("worker", "backend", "sensors", "dashboards"):
            native.start(name)
        for name in ("worker", "backend", "sensors", "dashboards"):
            native.wait_healthy(name)
        yield native
    finally:
        native.stop()


def test_every_service_of_the_default_profile_runs(bundle: NativeBundle) -> None:
    started = set(bundle.procs)
    defaults = {n for n, s in bundle.services.items() if not s.get("profiles")}
    assert started == set(LONG_RUNNING) and defaults - started == {"docs", "db-init"}
    assert bundle.first_api_check == 1, "the API healthcheck passed before the API ran"
    for name in LONG_RUNNING:
        assert bundle.procs[name].poll() is None, f"{name} stopped: {bundle.log_tail(name)}"
        assert bundle.healthcheck(name).returncode == 0, name
    # the servers bound all interfaces, as inside a container
    for name, container_port in (("backend", 5000), ("sensors", 8000), ("dashboards", 8866)):
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{bundle.port(container_port)}"],
                                   capture_output=True, text=True, timeout=10).stdout
        assert "0.0.0.0:" in listening or "*:" in listening, f"{name}: {listening}"


def test_scenario_from_api_submit_to_dashboard_results(bundle: NativeBundle,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    api = f"http://127.0.0.1:{bundle.port(5000)}"
    with httpx.Client(base_url=api, timeout=30) as client:
        reply = client.post(
            "/scenarios",
            files={"config": ("cuh-config.xlsx", REFERENCE_WORKBOOK.read_bytes(), XLSX)},
            data={"sim_hours": "168", "num_reps": "2", "name": "compose smoke", "seed": "7"})
        assert reply.status_code == 200, reply.text
        sid = reply.json()["scenario_id"]

        def finished() -> dict[str, Any] | None:
            status = client.get(f"/scenarios/{sid}/status").json()
            return status if status["status"] in ("done", "failed") else None

        status = wait_until(finished, 150, 0.5, "the scenario to finish")
        assert status["status"] == "done", (status, bundle.log_tail("worker"))
        from_api = client.get(f"/scenarios/{sid}/results").json()

    # the dashboard process's settings, read as its kernels read them
    for key in [k for k in os.environ if k.startswith("HOSPITAL_TWIN_")]:
        monkeypatch.delenv(key)
    for key, value in bundle.env("dashboards").items():
        if key.startswith("HOSPITAL_TWIN_"):
            monkeypatch.setenv(key, value)
    backend = Backend(Settings())
    assert backend.settings.db_path == bundle.tmp / "data" / "hospital_twin.db"
    assert sid in [s["scenario_id"] for s in backend.done_scenarios()]
    results = backend.results(sid)
    validate_results(results)
    assert results == from_api
    assert results["overall_tat_min"] <= results["overall_tat"] <= results["overall_tat_max"]


def test_voila_serves_both_dashboards(bundle: NativeBundle) -> None:
    base = f"http://127.0.0.1:{bundle.port(8866)}"
    with httpx.Client(base_url=base, timeout=60) as client:
        home = client.get("/")
        assert home.status_code == 200 and "Voil" in home.text
        for notebook in ("histopathology.ipynb", "sensors.ipynb"):
            log_before = len(bundle.log_tail("dashboards", whole=True))
            reply = client.get(f"/voila/render/{notebook}")
            assert reply.status_code == 200, notebook
            assert "application/vnd.jupyter.widget-view+json" in reply.text, notebook
            # a failing cell shows Voilà's "run with --show_tracebacks" hint and logs it
            assert "show_tracebacks" not in reply.text, notebook
            new_log = bundle.log_tail("dashboards", whole=True)[log_before:]
            assert "Traceback" not in new_log and "CellExecutionError" not in new_log, new_log


def test_sensor_service_ingests_what_the_demo_simulator_publishes(bundle: NativeBundle) -> None:
    sensors = f"http://127.0.0.1:{bundle.port(8000)}"
    before = httpx.get(sensors + "/", timeout=10).json()
    assert before["status"] == "ok" and before["devices"] > 0
    simulator = bundle.services["sensor-simulator"]
    assert simulator["profiles"] == ["demo"]
    # the demo profile's command, made finite: one round, nothing dropped
    argv = [HOSPITAL_TWIN, *simulator["command"][1:], "--rounds", "1", "--interval", "0.1",
            "--dropout", "0", "--seed", "3"]
    published = subprocess.run(argv, env=bundle.env("sensor-simulator"), capture_output=True,
                               text=True, timeout=60)
    assert published.returncode == 0, published.stderr
    sent = int(re.search(r"published (\d+) readings", published.stdout)[1])
    assert sent > 0

    def stored() -> dict[str, Any] | None:
        now = httpx.get(sensors + "/", timeout=10).json()
        return now if now["stored"] >= before["stored"] + sent else None

    after = wait_until(stored, 30, 0.3, "the readings to be stored")
    assert after["mqtt_connected"] is True
