"""The simulation dashboard running for real on a private database and queue: Voilà via
``hospital-twin dashboards`` plus RQ worker(s), as child processes.

Used by the dashboard browser tests and ``scripts/docs_screenshots.py``; Redis is the
caller's (a :class:`~hospital_twin.services.redis_server.RedisServer` or any URL)::

    with RedisServer() as redis:
        live = LiveDashboard(redis.url, tmp)
        try:
            ...  # open live.url in a browser; live.engine is the database
        finally:
            live.close()

The browser is the system Chromium (``/usr/bin/chromium``) started with
:data:`CHROMIUM_ARGS`; never a browser downloaded by ``playwright install``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from hospital_twin.services.ports import free_port
from hospital_twin.settings import Settings
from hospital_twin.store import init_db

CHROMIUM = "/usr/bin/chromium"
#: Headless Chromium flags for containers and machines without a GPU or network access.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
NOTEBOOK_PATH = "/voila/render/histopathology.ipynb"
HOSPITAL_TWIN = str(Path(sys.executable).parent / "hospital-twin")


class DashboardError(RuntimeError):
    """Chromium is missing or Voilà did not start; the message says why."""


def chromium_path() -> str:
    """The system Chromium, or :class:`DashboardError` saying how to install it."""
    if not Path(CHROMIUM).exists():
        raise DashboardError(f"{CHROMIUM} is missing: install Debian's Chromium "
                             "(`apt-get install -y chromium`); do not run `playwright install`")
    return CHROMIUM


def stop_process(proc: subprocess.Popen, timeout: float = 15.0) -> None:
    """Stop a child: SIGTERM (a worker's warm stop), SIGTERM again (cold stop: its job is
    killed), then SIGKILL, each given a third of ``timeout``."""
    for sig in (signal.SIGTERM, signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(timeout / 3)
        except subprocess.TimeoutExpired:
            continue


class LiveDashboard:
    """Voilà serving ``dashboards/`` plus ``workers`` RQ workers, on a fresh SQLite database,
    reports folder and queue under ``tmp`` (``tmp/var``); children log to ``tmp/<name>.log``."""

    def __init__(self, redis_url: str, tmp: Path, *, workers: int = 1,
                 timeout: float = 60.0) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.env = dict(os.environ) | {
            "HOSPITAL_TWIN_REDIS_URL": redis_url,
            "HOSPITAL_TWIN_VAR_DIR": str(tmp / "var"),
            "HOSPITAL_TWIN_DB": str(tmp / "var" / "twin.db"),
            "HOSPITAL_TWIN_QUEUE_NAME": f"dash-{uuid.uuid4().hex[:10]}",
        }
        self.settings = Settings(**{
            "redis_url": redis_url, "var_dir": tmp / "var", "db": str(tmp / "var" / "twin.db"),
            "queue_name": self.env["HOSPITAL_TWIN_QUEUE_NAME"]})
        self.engine = init_db(self.settings.db_path)
        self.procs: list[subprocess.Popen] = []
        try:
            self.voila = self._spawn("voila", [HOSPITAL_TWIN, "dashboards", "--port",
                                               str(self.port), "--cull-idle", "120"])
            for i in range(workers):
                self._spawn(f"worker-{i}" if i else "worker",
                            [sys.executable, "-m", "hospital_twin.jobs.worker"])
            self._wait_http(timeout)
        except BaseException:
            self.close()
            raise

    @property
    def url(self) -> str:
        """The simulation dashboard's page."""
        return f"http://127.0.0.1:{self.port}{NOTEBOOK_PATH}"

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 (the child writes to it)
        proc = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                process_group=0, cwd=self.tmp)
        log.close()
        self.procs.append(proc)
        return proc

    def _wait_http(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.voila.poll() is not None:
                raise DashboardError("voila exited: " + (self.tmp / "voila.log").read_text())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise DashboardError("voila did not answer: " + (self.tmp / "voila.log").read_text())

    def close(self) -> None:
        """Stop Voilà and the workers (running jobs are killed), then close the database."""
        for proc in reversed(self.procs):
            stop_process(proc)
        self.engine.dispose()
