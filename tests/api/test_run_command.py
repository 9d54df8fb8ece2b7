"""``hospital-twin run`` (``make run``): Redis, worker, API, Mosquitto, the sensor service and
its simulator and the dashboards start, a first scenario finishes, readings flow, both
dashboards render, and SIGTERM stops every process."""

from __future__ import annotations

import os
import re
import signal
import subprocess

import httpx
import psutil
from api_helpers import HOSPITAL_TWIN
from twin_helpers import wait_until

from hospital_twin.services.redis_server import free_port


def test_run_starts_everything_and_stops_cleanly(tmp_path):
    port, sensors_port, dashboards_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HOSPITAL_TWIN_")}
    env |= {"HOSPITAL_TWIN_VAR_DIR": str(tmp_path / "var"), "HOSPITAL_TWIN_API_PORT": str(port),
            "HOSPITAL_TWIN_SENSORS_PORT": str(sensors_port),
            "HOSPITAL_TWIN_DASHBOARDS_PORT": str(dashboards_port)}
    proc = subprocess.Popen([HOSPITAL_TWIN, "run", "--weeks", "0.3", "--reps", "2"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    try:
        while not any(line.startswith("Press Ctrl-C") for line in lines):
            line = proc.stdout.readline()
            assert line, "hospital-twin run exited early:\n" + "".join(lines)
            lines.append(line)
        text = "".join(lines)
        sid = int(re.search(r"scenario (\d+) queued", text).group(1))
        assert f"http://127.0.0.1:{port}" in text and "redis://127.0.0.1:" in text
        dashboards = f"http://127.0.0.1:{dashboards_port}/voila/render"
        assert f"{dashboards}/histopathology.ipynb" in text
        assert f"{dashboards}/sensors.ipynb" in text
        for name in ("histopathology", "sensors"):  # Voilà runs each notebook without error
            page = httpx.get(f"{dashboards}/{name}.ipynb", timeout=120)
            assert page.status_code == 200
            assert "application/vnd.jupyter.widget-view+json" in page.text
            assert "Traceback" not in page.text
            assert "There was an error when executing cell" not in page.text
        family = psutil.Process(proc.pid).children(recursive=True)
        assert any("redis-server" in p.name() for p in family)
        assert any("mosquitto" in p.name() for p in family)
        status = wait_until(lambda: (lambda s: s["status"] == "done" and s)(httpx.get(
            f"http://127.0.0.1:{port}/scenarios/{sid}/status").json()), 60, 0.3,
            "the first scenario")
        assert status["progress"] == 1 and status["name"] == "bundled default"
        latest = wait_until(lambda: httpx.get(
            f"http://127.0.0.1:{sensors_port}/latest/").json(), 30, 0.5, "simulated readings")
        assert {reading["acp_id"] for reading in latest} <= {
            device["acp_id"] for device in httpx.get(
                f"http://127.0.0.1:{sensors_port}/devices").json()}
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=40)
    assert proc.returncode == 0, rest
    assert "stopped." in rest
    assert '"GET /scenarios/' not in rest and '"GET /latest/' not in rest  # no access log
    assert not [p for p in family if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
