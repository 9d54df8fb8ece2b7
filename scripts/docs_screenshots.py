"""Regenerate the dashboard screenshots of the documentation (docs/_static/dashboard-*.png).

Run on demand from the checkout, after the dashboard changed (not part of ``make test``)::

    .venv/bin/python scripts/docs_screenshots.py [--out docs/_static] [--keep]   # or
    make docs-screenshots

It needs only the checkout's venv and system programs (redis-server, /usr/bin/chromium):
a private redis-server, the dashboards (Voilà) and one worker on a temporary database
(:class:`hospital_twin.services.live_dashboard.LiveDashboard`), and the system Chromium
driven by Playwright at 1280 px wide. Everything is done as a user would, in the page:

1. Run: the bundled lab for 8 weeks, 3 replications, seed 7, dated from a Monday (the
   Calendar section open) → ``dashboard-run.png``; submitted, then the same with 120 %
   demand ("20% more specimens", work piles up); a workbook with a text in a number cell
   → ``dashboard-run-error.png``; a lab with no staining machine → ``dashboard-run-warning.png``.
2. Jobs once both scenarios are done → ``dashboard-jobs.png``.
3. Results of the strained scenario: stability verdict and cards → ``dashboard-results.png``,
   the first two charts → ``dashboard-results-charts.png``, the machine-time chart →
   ``dashboard-results-machines.png``.
4. Compare of the two → ``dashboard-compare.png`` and ``dashboard-compare-differences.png``.
5. Forecast from a snapshot of 1,100 specimens (21 days, 3 replications) →
   ``dashboard-forecast.png``.
6. Validate of an event log made by ``hospital-twin simulate --event-log`` (5 weeks, the
   first dropped as the empty lab's filling week), 10 simulated periods →
   ``dashboard-validate.png`` (summary and tables) and ``dashboard-validate-chart.png``.

Each PNG is cut to the part the documentation's caption describes (at most
``MAX_HEIGHT`` px) and re-encoded with a palette of at most 256 colours when that keeps it
faithful (:func:`shrink_png`). The script stops with a message naming the step when the
page does not show what the caption will claim (e.g. the strained lab is not unstable).
Takes about 4 minutes on the 2-core development machine.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import warnings
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from playwright.sync_api import Browser, Locator, Page, sync_playwright

from hospital_twin.config import LabConfig, default_config, write_workbook
from hospital_twin.services.live_dashboard import CHROMIUM_ARGS, LiveDashboard, chromium_path
from hospital_twin.services.redis_server import RedisServer
from hospital_twin.state.snapshot import SnapshotRow, write_snapshot_csv

ROOT = Path(__file__).resolve().parents[1]
WIDTH, MAX_HEIGHT = 1280, 1100
WEEKS, REPS, SEED = 8, 3, 7
BASELINE, STRAINED = "Current lab", "20% more specimens"
RUN_START = "2027-01-04"  # a Monday: the dated run gives the same results as an undated one
FORECAST_FROM = dt.date(2027, 1, 11)
TIMEOUT_MS = 600_000
HOSPITAL_TWIN = str(Path(sys.executable).parent / "hospital-twin")


class ShotError(RuntimeError):
    """The page did not show what the screenshot is for."""


# -- inputs ----------------------------------------------------------------------------------
def broken_workbook(path: Path) -> Path:
    """The bundled workbook with texts in two number cells (Task Durations C10, C12)."""
    template = ROOT / "hospital_twin/config/templates/cuh-config.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(template, data_only=True)
    book["Task Durations"]["C10"] = "lots"
    book["Task Durations"]["C12"] = "n/a"
    book.save(path)
    return path


def dead_lab_workbook(path: Path) -> Path:
    """The bundled lab with no staining machine at any time: valid, but it cannot work."""
    data = default_config().model_dump(mode="json")
    data["resources"]["Staining machine"]["half_hour_units"] = [0] * 48
    write_workbook(LabConfig.model_validate(data), path)
    return path


#: Specimens in the lab per stage on the snapshot's date: about 1.7 times a normal day's
#: work in progress, most of it waiting for cut-up and reporting.
SNAPSHOT_STAGES = {"reception": 40, "cutup": 260, "processing": 120, "microtomy": 140,
                   "staining": 50, "labelling": 30, "scanning": 40, "qc": 70, "report": 350}


def snapshot_csv(path: Path) -> Path:
    """A made-up snapshot of the lab at 00:00 of :data:`FORECAST_FROM` (CSV)."""
    start = dt.datetime.combine(FORECAST_FROM, dt.time())
    rows, i = [], 0
    for depth, (stage, count) in enumerate(SNAPSHOT_STAGES.items()):
        for _ in range(count):
            cancer = i % 5 < 2
            age = dt.timedelta(hours=2 + 14 * depth + (i * 7) % 96)  # later stages: older
            rows.append(SnapshotRow(
                specimen_id=f"H27-{i:05d}", arrived_at=start - age,
                pathway="cancer" if cancer else "noncancer",
                priority="Cancer" if cancer else "Routine", stage=stage))
            i += 1
    write_snapshot_csv(rows, path)
    return path


def event_log_csv(tmp: Path) -> Path:
    """Four weeks of a simulated lab's LIMS export: ``hospital-twin simulate --event-log``
    for 5 weeks, keeping the specimens received after the first (the empty lab filling)."""
    raw = tmp / "simulated-log.csv"
    subprocess.run([HOSPITAL_TWIN, "simulate", "--weeks", "5", "--reps", "1", "--seed", "11",
                    "--workers", "1", "--out", str(tmp / "simulated.json"),
                    "--event-log", str(raw), "--start", "2026-11-02"],
                   check=True, cwd=tmp, stdout=subprocess.DEVNULL)
    frame = pd.read_csv(raw)
    kept = frame[pd.to_datetime(frame["received"]) >= pd.Timestamp("2026-11-09")]
    path = tmp / "lims-export-nov-2026.csv"
    kept.to_csv(path, index=False)
    return path


# -- PNG ---------------------------------------------------------------------------------------
def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


_DECODE = """async b64 => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const rgba = ctx.getImageData(0, 0, img.width, img.height).data;
    let text = '';
    for (let i = 0; i < rgba.length; i += 0x8000)
        text += String.fromCharCode.apply(null, rgba.subarray(i, i + 0x8000));
    return [img.width, img.height, btoa(text)];
}"""


def read_rgb(page: Page, data: bytes) -> np.ndarray:
    """A PNG's pixels (H×W×3), decoded by the browser (the venv has no image library)."""
    width, height, text = page.evaluate(_DECODE, base64.b64encode(data).decode())
    rgba = np.frombuffer(base64.b64decode(text), np.uint8).reshape(height, width, 4)
    return rgba[:, :, :3]


def shrink_png(page: Page, path: Path, colours: int = 256) -> None:
    """Re-encode ``path`` with a palette of its ``colours`` most frequent colours (every
    other pixel takes the nearest of them) when no pixel moves by more than a faint
    anti-aliasing shade; left as it is otherwise, or when it would not get smaller."""
    data = path.read_bytes()
    pixels = read_rgb(page, data)
    height, width, _ = pixels.shape
    flat = pixels.reshape(-1, 3).astype(np.int32)
    keys = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]
    unique, inverse, counts = np.unique(keys, return_inverse=True, return_counts=True)
    palette_keys = unique[np.argsort(-counts)[:colours]]
    palette = np.stack([(palette_keys >> 16) & 255, (palette_keys >> 8) & 255,
                        palette_keys & 255], axis=1)
    rgb = np.stack([(unique >> 16) & 255, (unique >> 8) & 255, unique & 255], axis=1)
    index, worst = np.zeros(len(unique), np.int64), 0
    for start in range(0, len(unique), 4096):  # nearest palette colour of each colour
        block = rgb[start:start + 4096, None, :] - palette[None, :, :]
        dist = (block ** 2).sum(axis=2)
        index[start:start + 4096] = dist.argmin(axis=1)
        worst = max(worst, int(dist.min(axis=1).max()))
    if worst > 3 * 48 ** 2:  # a colour would change visibly, not just its anti-aliasing
        return
    rows = index[inverse].astype(np.uint8).reshape(height, width)
    raw = np.concatenate([np.zeros((height, 1), np.uint8), rows], axis=1).tobytes()
    png = (b"\x89PNG\r\n\x1a\n"
           + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0))
           + _chunk(b"PLTE", palette.astype(np.uint8).tobytes())
           + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b""))
    if len(png) < len(data):
        path.write_bytes(png)


# -- page helpers ----------------------------------------------------------------------------
def fit_viewport(page: Page) -> None:
    """Make the viewport as tall as the dashboard, so nothing scrolls and every element's
    position is its place in the screenshot (Voilà scrolls an inner element, not the page,
    so a full-page screenshot would stop at the viewport)."""
    height = page.evaluate(
        "() => Math.ceil(document.querySelector('.ht-dashboard').getBoundingClientRect()"
        ".height + 200)")
    page.set_viewport_size({"width": WIDTH, "height": max(800, height)})
    page.wait_for_timeout(600)  # relayout; plotly redraws at the same width


def edge(locator: Locator, side: str = "top") -> float:
    """The element's top or bottom edge (px) in the fitted viewport."""
    return locator.evaluate(f"el => el.getBoundingClientRect().{side}")


def capture(page: Page, out: Path, name: str, top: Locator | None, bottom: Locator,
            max_height: int = MAX_HEIGHT) -> Path:
    """Screenshot the page from ``top`` (None: the page's top, with title and tabs) to the
    bottom of ``bottom``, at most ``max_height`` px, as ``out/name``."""
    fit_viewport(page)
    page.mouse.move(WIDTH - 2, 2)  # no hover labels on the charts
    page.wait_for_timeout(300)
    y0 = max(edge(top) - 2, 0) if top is not None else 0
    y1 = edge(bottom, "bottom") + 12
    height = min(max(y1 - y0, 100), max_height)
    path = out / name
    page.screenshot(path=str(path), clip={"x": 0, "y": y0, "width": WIDTH, "height": height})
    page.set_viewport_size({"width": WIDTH, "height": 800})
    print(f"  {name}: {WIDTH}×{height:.0f}", flush=True)
    return path


def set_number(scope: Locator, css: str, value: object) -> None:
    """Type into a number field (by its ``ht-…`` class) and leave it, as a user would."""
    box = scope.locator(f"{css} input").first
    box.fill(str(value))
    box.press("Tab")


def open_dashboard(page: Page, url: str) -> None:
    """Load the dashboard and wait for its tabs."""
    page.goto(url, wait_until="commit")
    page.wait_for_selector(".ht-dashboard .ht-run-tab", state="visible", timeout=120_000)


def open_tab(page: Page, title: str, css: str) -> Locator:
    """Click a tab by its title; the tab's content."""
    page.get_by_role("tab", name=title).click()
    tab = page.locator(css)
    tab.wait_for(state="visible")
    return tab


def upload(page: Page, button: Locator, *files: Path) -> None:
    """Choose ``files`` in a file-upload button."""
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files([str(f) for f in files])


def wait_for_plots(page: Page, scope: str, count: int) -> None:
    """Wait until ``count`` plotly charts under ``scope`` are drawn with their data."""
    page.wait_for_function(
        """([scope, count]) => {
               const drawn = Array.from(document.querySelectorAll(scope + ' .js-plotly-plot'))
                   .filter(gd => gd.querySelector('.main-svg'));
               return drawn.length >= count && drawn.every(gd => (gd.data || []).some(
                   t => (t.y && t.y.length) || (t.x && t.x.length)));
           }""", arg=[scope, count], timeout=120_000)
    page.wait_for_timeout(800)  # plotly's transitions


def check(condition: object, what: str) -> None:
    """Stop with ``what`` unless the page shows what the screenshot is meant to show."""
    if not condition:
        raise ShotError(what)


# -- the tabs --------------------------------------------------------------------------------
def submit_scenarios(page: Page, out: Path) -> list[int]:
    """Run tab: the baseline (screenshot) and the strained lab, both submitted."""
    run = page.locator(".ht-run-tab")
    ids = []
    for name, demand in ((BASELINE, 100), (STRAINED, 120)):
        open_tab(page, "Run", ".ht-run-tab")
        run.get_by_placeholder("e.g. two extra BMS").fill(name)
        run.locator(".ht-length-unit select").select_option("weeks")
        set_number(run, ".ht-length", WEEKS)
        set_number(run, ".ht-reps", REPS)
        set_number(run, ".ht-seed", SEED)
        run.get_by_text("Demand", exact=True).click()
        set_number(run, ".ht-demand", demand)
        calendar = run.locator(".ht-calendar-edit")
        run.get_by_text("Calendar", exact=True).click()
        calendar.wait_for(state="visible")
        dated = calendar.get_by_role("checkbox")
        if not dated.is_checked():
            dated.check()
        calendar.locator("input[type=date]").fill(RUN_START)
        calendar.locator("input[type=date]").press("Tab")
        if name == BASELINE:
            run.get_by_role("button", name="Check scenario").click()
            run.locator(".ht-ok", has_text="valid").first.wait_for()
            capture(page, out, "dashboard-run.png", None,
                    run.get_by_role("button", name="Submit"))
        run.get_by_role("button", name="Submit").click()
        page.locator(".ht-jobs-tab").wait_for(state="visible")
        message = run.locator(".ht-ok", has_text="Submitted scenario").first.inner_text()
        ids.append(int(re.search(r"#(\d+)", message).group(1)))
    return ids


def run_problems(page: Page, out: Path, tmp: Path) -> None:
    """Run tab: a broken workbook's problems, then a dead lab's warning."""
    run = open_tab(page, "Run", ".ht-run-tab")
    run.get_by_role("button", name="Uploaded workbook(s)").click()
    upload(page, run.locator(".widget-upload"), broken_workbook(tmp / "lab-2027.xlsx"))
    problems = run.locator(".ht-problems .ht-problem")
    problems.first.wait_for()
    check("cell C10" in problems.first.inner_text() or problems.count() > 0,
          "the broken workbook's problem is not listed")
    capture(page, out, "dashboard-run-error.png", None, run.locator(".ht-problems"),
            max_height=720)
    upload(page, run.locator(".widget-upload"), dead_lab_workbook(tmp / "no-stainer.xlsx"))
    run.locator(".ht-warnings .ht-warning-item").first.wait_for()
    run.get_by_role("button", name="Check scenario").click()
    run.locator(".ht-ok", has_text="it can still be run").wait_for()
    capture(page, out, "dashboard-run-warning.png", None, run.locator(".ht-warnings"),
            max_height=720)
    run.get_by_role("button", name="Bundled default").click()


def jobs(page: Page, out: Path, ids: list[int]) -> None:
    """Jobs tab once the scenarios are done."""
    tab = open_tab(page, "Jobs", ".ht-jobs-tab")
    for sid in ids:
        status = page.locator(f".ht-job-status-s{sid}")
        status.wait_for()
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while status.inner_text() != "done":
            check(status.inner_text() != "failed" and time.monotonic() < deadline,
                  f"scenario #{sid} is {status.inner_text()}")
            page.wait_for_timeout(1000)
    page.wait_for_timeout(1500)  # the progress bars reach 100 %
    capture(page, out, "dashboard-jobs.png", None, tab, max_height=560)


def results(page: Page, out: Path, sid: int) -> None:
    """Results tab of the strained scenario: verdict and cards, then the charts."""
    tab = open_tab(page, "Results", ".ht-results-tab")
    tab.get_by_role("button", name="Refresh list").click()
    tab.locator("select").first.select_option(label=f"#{sid} {STRAINED}")
    tab.get_by_role("button", name="Show results").click()
    tab.locator('.ht-kpi[data-kpi="overall_tat"]').wait_for()
    stability = tab.locator(".ht-stability").inner_text()
    check(stability.startswith("Unstable: work piles up"),
          f"the strained lab's verdict is not 'unstable': {stability!r}")
    wait_for_plots(page, ".ht-results-tab", 8)
    capture(page, out, "dashboard-results.png", None, tab.locator(".ht-completion"),
            max_height=1400)
    plots = tab.locator(".js-plotly-plot")
    capture(page, out, "dashboard-results-charts.png", plots.nth(0), plots.nth(1))
    machines = plots.filter(has_text="How machines spend their time")
    check(machines.count() == 1, "no machine-time chart")
    capture(page, out, "dashboard-results-machines.png", machines, machines)


def compare(page: Page, out: Path, ids: list[int]) -> None:
    """Compare tab: the two scenarios against the baseline, then the differences."""
    tab = open_tab(page, "Compare", ".ht-compare-tab")
    tab.get_by_role("button", name="Refresh list").click()
    choice = tab.locator("select[multiple]")
    choice.select_option([f"#{ids[0]} {BASELINE}", f"#{ids[1]} {STRAINED}"])
    tab.locator(".widget-dropdown select").first.select_option(label=f"#{ids[0]} {BASELINE}")
    tab.get_by_role("button", name="Compare").click()
    table = tab.locator(".ht-diff-table")
    table.wait_for()
    wait_for_plots(page, ".ht-compare-tab", 3)
    check("unstable" in tab.locator(".ht-stability-row").inner_text(),
          "the stability row does not show the strained lab as unstable")
    capture(page, out, "dashboard-compare.png", None, tab.locator(".ht-verdicts-table"))
    capture(page, out, "dashboard-compare-differences.png",
            tab.locator("h4", has_text="Differences against"), table)


def forecast(page: Page, out: Path, tmp: Path) -> None:
    """Forecast tab: a snapshot, 21 days, 3 replications."""
    tab = open_tab(page, "Forecast", ".ht-forecast-tab")
    upload(page, tab.locator(".widget-upload").nth(0), snapshot_csv(tmp / "lab-today.csv"))
    tab.get_by_text("snapshot: lab-today.csv").wait_for()
    tab.locator("input[type=date]").fill(FORECAST_FROM.isoformat())
    tab.locator("input[type=date]").press("Tab")
    for label, value in (("Days", 21), ("Replications", 3)):
        box = tab.locator(".widget-inline-hbox", has_text=label).locator("input").first
        box.fill(str(value))
        box.press("Tab")
    tab.get_by_role("button", name="Forecast").click()
    headline = tab.locator(".ht-forecast-headline")
    headline.get_by_text("Backlog").first.wait_for(timeout=TIMEOUT_MS)
    wait_for_plots(page, ".ht-forecast-charts", 4)
    charts = tab.locator(".ht-forecast-charts .js-plotly-plot")
    capture(page, out, "dashboard-forecast.png", None, charts.nth(0))


def validate(page: Page, out: Path, tmp: Path) -> None:
    """Validate tab: a simulated lab's event log against the bundled configuration."""
    log = event_log_csv(tmp)
    tab = open_tab(page, "Validate", ".ht-validate-tab")
    upload(page, tab.locator(".widget-upload").first, log)
    tab.locator(".ht-log-info").wait_for()
    set_number(tab, ".ht-validate-reps", 10)
    set_number(tab, ".ht-validate-warmup", 2)
    tab.get_by_role("button", name="Validate").click()
    tab.locator(".ht-ok", has_text="Queued validation-").wait_for()
    select = tab.locator("select").first
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while "(done)" not in select.inner_text():
        check("(failed)" not in select.inner_text() and time.monotonic() < deadline,
              f"the validation did not finish: {select.inner_text()!r}")
        tab.get_by_role("button", name="Refresh list").click()
        page.wait_for_timeout(2000)
    tab.get_by_role("button", name="Show validation").click()
    tab.locator(".ht-validation-summary").wait_for()
    wait_for_plots(page, ".ht-validate-tab", 4)
    capture(page, out, "dashboard-validate.png", None, tab.locator("table.ht-validation").first,
            max_height=1000)
    chart = tab.locator(".js-plotly-plot").first
    capture(page, out, "dashboard-validate-chart.png", chart, chart)


# -- main --------------------------------------------------------------------------------------
@contextmanager
def services(tmp: Path) -> Iterator[LiveDashboard]:
    """A private redis-server, the dashboards and one worker on a fresh database."""
    with RedisServer() as redis:
        live = LiveDashboard(redis.url, tmp, workers=1)
        try:
            yield live
        finally:
            live.close()


def take_all(browser: Browser, url: str, out: Path, tmp: Path) -> None:
    """Every screenshot, in one page, as a user's session."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 800})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_dashboard(page, url)
        ids = submit_scenarios(page, out)
        run_problems(page, out, tmp)  # while the worker runs the scenarios
        jobs(page, out, ids)
        results(page, out, ids[1])
        compare(page, out, ids)
        forecast(page, out, tmp)
        validate(page, out, tmp)
    except BaseException:
        page.screenshot(path=str(tmp / "failure.png"), full_page=True)
        raise
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    """Take the screenshots into ``--out``; 0 when all were written, 1 otherwise."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "_static",
                        help="folder for the PNGs (default: docs/_static)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (logs, database, failure.png)")
    parser.add_argument("--no-shrink", action="store_true",
                        help="keep Chromium's PNGs as they are (no palette re-encoding)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="ht-docs-shots-"))
    staging = tmp / "png"
    staging.mkdir()
    ok = False
    try:
        with services(tmp) as live, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
            try:
                take_all(browser, live.url, staging, tmp)
                if not args.no_shrink:
                    decoder = browser.new_page()
                    for png in sorted(staging.glob("*.png")):
                        shrink_png(decoder, png)
            finally:
                browser.close()
        args.out.mkdir(parents=True, exist_ok=True)
        for png in sorted(staging.glob("*.png")):  # all or nothing: no half-updated set
            shutil.copyfile(png, args.out / png.name)
            print(f"wrote {args.out / png.name} ({png.stat().st_size / 1024:.0f} KB)")
        ok = True
    except ShotError as exc:
        print(f"error: {exc} (see {tmp}/failure.png)", file=sys.stderr)
        args.keep = True
    finally:
        if args.keep or not ok:
            print(f"temporary files kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{'done' if ok else 'failed'} in {time.monotonic() - started:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
