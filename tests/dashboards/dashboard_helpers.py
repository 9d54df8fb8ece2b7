"""Browser-test helpers for the live dashboard (``hospital_twin.services.live_dashboard``:
Voilà, a real RQ worker, a private database and queue) driven by Playwright in Chromium."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from hospital_twin.services.live_dashboard import (  # noqa: F401 (used by the tests)
    CHROMIUM_ARGS,
    LiveDashboard,
    chromium_path,
)

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-output" / "dashboard"


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
