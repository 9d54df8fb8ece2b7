"""A scenario report opened from disk in Debian's Chromium with the network cut off: every
chart draws (plotly.js is inline), nothing is requested from the internet; screenshot in
``test-output/report.png``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Route, sync_playwright

from hospital_twin.reports import ReportFiles

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
OUT = ROOT / "test-output"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Plots with drawn bars or lines (not just an empty plotly div).
DRAWN = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(p => p.querySelectorAll('.trace path, .point path').length > 0).length"""


def test_report_renders_offline_in_chromium(scenario_report: ReportFiles) -> None:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's browser with "
                    "`apt-get install -y chromium` (never `playwright install`).")
    OUT.mkdir(exist_ok=True)
    blocked: list[str] = []
    errors: list[str] = []

    def offline(route: Route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", offline)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(scenario_report.html.as_uri())
            page.wait_for_function(f"({DRAWN})() >= 5", timeout=30_000)
            assert page.locator("table.ht-kpis").is_visible()
            assert "on target" in page.locator("table.ht-verdicts").inner_text() or \
                "under target" in page.locator("table.ht-verdicts").inner_text()
            page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
            page.screenshot(path=str(OUT / "report.png"), full_page=False)
        finally:
            browser.close()
    assert blocked == [] and errors == []
    assert (OUT / "report.png").stat().st_size > 20_000
