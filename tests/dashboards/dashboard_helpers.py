"""A live dashboard for browser tests: Voilà via ``hospital-twin dashboards``, a real RQ
worker, a private database and queue, and headless Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from twin_helpers import stop_process

from hospital_twin.services.redis_server import free_port
from hospital_twin.settings import Settings
from hospital_twin.store import init_db

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
SCREENSHOTS = ROOT / "test-output" / "dashboard"
HOSPITAL_TWIN = str(Path(sys.executable).parent / "hospital-twin")
NOTEBOOK_PATH = "/voila/render/histopathology.ipynb"


def chromium_path() -> str:
    """The system Chromium, or an AssertionError saying how to install it."""
    if not Path(CHROMIUM).exists():
        raise AssertionError(f"{CHROMIUM} is missing: browser tests need Debian's Chromium "
                             "(`apt-get install -y chromium`); do not run `playwright install`")
    return CHROMIUM


class LiveDashboard:
    """Voilà serving ``dashboards/`` plus (optionally) one worker, on a fresh database."""

    def __init__(self, redis_url: str, tmp: Path, *, worker: bool = True) -> None:
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
        self.voila = self._spawn("voila", [HOSPITAL_TWIN, "dashboards", "--port", str(self.port),
                                           "--cull-idle", "120"])
        if worker:
            self._spawn("worker", [sys.executable, "-m", "hospital_twin.jobs.worker"])
        self._wait_http(60)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{NOTEBOOK_PATH}"

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                process_group=0, cwd=self.tmp)
        self.procs.append(proc)
        return proc

    def _wait_http(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.voila.poll() is not None:
                raise AssertionError("voila exited: " + (self.tmp / "voila.log").read_text())
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("voila did not answer: " + (self.tmp / "voila.log").read_text())

    def close(self) -> None:
        for proc in reversed(self.procs):
            stop_process(proc)
        self.engine.dispose()



def open_dashboard(page: Page, url: str, timeout: float = 90_000) -> float:
    """Load the dashboard; returns seconds until its tabs are drawn."""
    start = time.monotonic()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(".ht-dashboard .ht-run-tab", state="visible", timeout=timeout)
    return time.monotonic() - start


def open_tab(page: Page, title: str) -> None:
    """Click a tab of the dashboard by its title."""
    page.get_by_role("tab", name=title).click()


def plot_points(page: Page, scope: str) -> list[int]:
    """Number of data points (y values) in each drawn plotly chart under ``scope``."""
    return page.evaluate(
        """scope => Array.from(document.querySelectorAll(scope + ' .js-plotly-plot')).map(
               gd => (gd.data || []).reduce((n, t) => n + (t.y ? t.y.length : 0), 0))""",
        scope)


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under ``test-output/dashboard/``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_plots(page: Page, scope: str, count: int, timeout: float = 30_000) -> None:
    """Wait until ``count`` plotly charts under ``scope`` are drawn and hold data points.

    A FigureWidget draws its axes before its traces arrive, so "drawn" alone races the
    data. On timeout this returns; the caller's assertion on :func:`plot_points` then says
    which chart is empty.
    """
    try:
        page.wait_for_function(
            """([scope, count]) => {
                   const drawn = Array.from(document.querySelectorAll(scope + ' .js-plotly-plot'))
                       .filter(gd => gd.querySelector('.main-svg'));
                   return drawn.length >= count && drawn.every(gd => (gd.data || []).some(
                       t => (t.y && t.y.length) || (t.x && t.x.length)));
               }""",
            arg=[scope, count], timeout=timeout)
    except PlaywrightTimeoutError:
        pass
