"""The sensor dashboard in a real browser: Voilà + Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from hospital_twin.services.mosquitto import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
OUT = ROOT / "test-output"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def simulator(service) -> Iterator[subprocess.Popen]:
    """The sensor simulator publishing every 0.5 s while the browser test runs."""
    cmd = [sys.executable, "-c", "from hospital_twin.cli.main import main; main()",
           "sensors", "simulate", "--interval", "0.5", "--duration", "120", "--seed", "11"]
    proc = subprocess.Popen(cmd, env=service.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    yield proc
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def voila(service, tmp_path_factory) -> Iterator[str]:
    """Voilà serving dashboards/sensors.ipynb on a free port, pointed at the test service."""
    port = free_port()
    log = tmp_path_factory.mktemp("voila") / "voila.log"
    env = {**service.env, "HOSPITAL_TWIN_SENSORS_URL": service.url}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "voila", str(ROOT / "dashboards" / "sensors.ipynb"),
             "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
             "--MappingKernelManager.cull_interval=30",
             "--MappingKernelManager.cull_idle_timeout=120"],
            env=env, cwd=ROOT, stdout=out, stderr=out)
    try:
        assert wait_for_port("127.0.0.1", port, 60), log.read_text()
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's browser with "
                    "`apt-get install -y chromium` (never `playwright install`).")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield tab
        browser.close()


#: The history plot: the visible plot whose title names the shown step ("raw readings").
_HISTORY_PLOT = """Array.from(document.querySelectorAll('.js-plotly-plot'))
    .filter(p => p.offsetParent !== null)
    .find(p => /raw readings|min–max band/.test(
        (p.querySelector('.gtitle') || {}).textContent || ''))"""
#: Vertices of the drawn line paths in the history plot's scatter layer.
HISTORY_VERTICES = f"""() => {{
    const plot = {_HISTORY_PLOT};
    if (!plot) return 0;
    return Array.from(plot.querySelectorAll('.scatterlayer .trace .js-line'))
        .map(l => (l.getAttribute('d') || '').split(/[ML]/).filter(Boolean).length)
        .reduce((a, b) => a + b, 0);
}}"""
#: True once the history plot holds all points and draws a line through them.
HISTORY_DRAWN = f"""(points) => {{
    const plot = {_HISTORY_PLOT};
    if (!plot || !plot.data || plot.data.length !== 3) return false;
    return plot.data[2].x.length === points && ({HISTORY_VERTICES})() >= Math.min(points, 2);
}}"""


def _count(page: Page) -> int:
    text = page.locator(".live-count").inner_text()
    return int(re.match(r"(\d+) points", text).group(1))


def test_dashboard_shows_devices_alerts_and_a_live_chart(voila, simulator, page) -> None:
    OUT.mkdir(exist_ok=True)
    page.goto(voila, wait_until="commit")
    table = page.locator(".device-table table.sensor-table")
    expect(table).to_be_visible(timeout=60_000)
    expect(table.locator("tbody tr")).to_have_count(21, timeout=30_000)  # registry devices
    expect(table).to_contain_text("enl-iaqco3-0837d7")
    expect(table.locator("td.status", has_text="online").first).to_be_visible(timeout=20_000)
    expect(page.locator(".alerts-panel")).to_contain_text("Active alerts")
    page.screenshot(path=str(OUT / "sensors-dashboard-overview.png"), full_page=True)

    page.get_by_role("tab", name="Device view").click()
    expect(page.locator(".js-plotly-plot .main-svg >> visible=true").first).to_be_visible(
        timeout=30_000)
    page.wait_for_function(
        "() => /^[1-9]\\d* points/.test(document.querySelector('.live-count').innerText)",
        timeout=30_000)
    first = _count(page)
    page.wait_for_function(
        f"() => parseInt(document.querySelector('.live-count').innerText) > {first}",
        timeout=30_000)
    assert _count(page) > first
    page.screenshot(path=str(OUT / "sensors-dashboard-device.png"), full_page=True)
    # The live chart really draws the points (plotly renders asynchronously: wait for it).
    page.wait_for_function(
        """(first) => Math.max(0, ...Array.from(document.querySelectorAll('.js-plotly-plot'))
            .filter(p => p.offsetParent !== null)
            .map(p => p.querySelectorAll('.scatterlayer .points path.point').length)) >= first""",
        arg=first, timeout=30_000)
    page.get_by_role("button", name="Show history").click()
    expect(page.locator("a.csv-export")).to_be_visible(timeout=30_000)
    note = page.get_by_text(re.compile(r"^\d+ points, raw readings$"))
    expect(note).to_be_visible(timeout=30_000)
    points = int(note.inner_text().split()[0])
    assert points > 0
    # The history plot (found by its new title) must really draw the line in the browser.
    page.wait_for_function(HISTORY_DRAWN, arg=points, timeout=60_000)
    drawn = page.evaluate(HISTORY_VERTICES)
    assert drawn >= min(points, 2), drawn
    page.locator(".js-plotly-plot >> visible=true").last.scroll_into_view_if_needed()
    page.screenshot(path=str(OUT / "sensors-dashboard-device.png"), full_page=True)

    page.get_by_role("tab", name="Floor plan").click()
    expect(page.locator(".js-plotly-plot .colorbar >> visible=true").first).to_be_visible(
        timeout=30_000)
    page.screenshot(path=str(OUT / "sensors-dashboard-floorplan.png"), full_page=True)
