"""Run → Jobs → Results in the browser with a real worker; workbook errors shown inline."""

from __future__ import annotations

import base64
import io
import re
import warnings

import openpyxl
from dashboard_helpers import open_dashboard, plot_points, screenshot, wait_for_plots
from playwright.sync_api import expect
from twin_helpers import REFERENCE_WORKBOOK

from hospital_twin.config import ConfigError, read_workbook
from hospital_twin.store import get_scenario


def _set_number(tab, css: str, value: object) -> None:
    box = tab.locator(f"{css} input").first
    box.fill(str(value))
    box.press("Tab")


def test_submit_default_watch_progress_open_results(live, page):
    open_dashboard(page, live.url)
    run = page.locator(".ht-run-tab")
    screenshot(page, "run")
    run.get_by_placeholder("e.g. two extra BMS").fill("dashboard default")
    run.locator(".ht-length-unit select").select_option("hours")
    _set_number(run, ".ht-length", 48)
    _set_number(run, ".ht-reps", 2)
    run.get_by_role("button", name="Submit").click()

    jobs = page.locator(".ht-jobs-tab")
    jobs.wait_for(state="visible")  # the dashboard switches to Jobs after submitting
    message = page.locator(".ht-run-tab .ht-ok", has_text="Submitted scenario").inner_text()
    sid = int(re.search(r"#(\d+)", message).group(1))
    row = get_scenario(live.engine, sid)
    assert (row["name"], row["num_reps"], row["sim_hours"]) == ("dashboard default", 2, 48.0)

    count = page.locator(f".ht-job-count-s{sid}")
    seen = set()
    for _ in range(600):  # the poller updates the count by itself: no clicks
        seen.add(count.inner_text())
        if count.inner_text() == "2/2":
            break
        page.wait_for_timeout(200)
    assert count.inner_text() == "2/2", seen
    assert page.locator(f".ht-job-status-s{sid}").inner_text() == "done"
    bar = page.locator(f".ht-job-bar-s{sid} .progress-bar")
    page.wait_for_function(
        "el => el.style.width === '100%'", arg=bar.element_handle())
    screenshot(page, "jobs")

    report = page.locator(f".ht-job-report-s{sid}")
    expect(report).to_be_enabled(timeout=30_000)
    report.click()  # renders the batch report (hospital-twin report's function) once
    link = page.locator(".ht-jobs-tab a.ht-download")
    link.wait_for(timeout=120_000)
    assert link.get_attribute("download") == f"scenario-{sid}-report.html"
    html = base64.b64decode(link.get_attribute("href").split(",", 1)[1]).decode()
    assert "Hospital Twin report" in html and "dashboard default" in html

    page.locator(f".ht-job-open-s{sid}").click()
    results = page.locator(".ht-results-tab")
    overall = results.locator('.ht-kpi[data-kpi="overall_tat"] .ht-value')
    overall.wait_for()
    assert re.match(r"\d[\d,]*\.\d hours", overall.inner_text())
    wait_for_plots(page, ".ht-results-tab", 8)  # 7 charts + the machine-time split
    points = plot_points(page, ".ht-results-tab")
    assert len(points) == 8 and all(n > 0 for n in points), points


def _broken_workbook() -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(REFERENCE_WORKBOOK, data_only=True)
    book["Task Durations"]["C10"] = "lots"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_broken_workbook_error_is_shown(live, page, tmp_path):
    data = _broken_workbook()
    path = tmp_path / "broken.xlsx"
    path.write_bytes(data)
    try:
        read_workbook(data, name="broken.xlsx")
    except ConfigError as exc:
        expected = [str(p) for p in exc.problems]
    else:
        raise AssertionError("the edited workbook should be invalid")

    open_dashboard(page, live.url)
    run = page.locator(".ht-run-tab")
    run.get_by_role("button", name="Uploaded workbook(s)").click()
    with page.expect_file_chooser() as chooser:
        run.locator(".widget-upload").click()
    chooser.value.set_files(str(path))
    problems = run.locator(".ht-problems .ht-problem")
    problems.first.wait_for()
    shown = problems.all_inner_texts()
    assert shown == expected
    assert any('sheet "Task Durations"' in p and "cell C10" in p and "'lots'" in p
               for p in shown), shown
    assert "1 of 1 workbook(s) are invalid" in run.locator(".ht-error").first.inner_text()
    assert "Traceback" not in page.content()
    screenshot(page, "run-error")
