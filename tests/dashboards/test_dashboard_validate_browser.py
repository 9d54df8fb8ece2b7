"""Validate tab in the browser: upload a LIMS log, a real worker validates, charts drawn."""

from __future__ import annotations

import pandas as pd
from dashboard_helpers import open_dashboard, open_tab, screenshot, wait_for_plots

from hospital_twin.config import default_config
from hospital_twin.lims import event_log_frame
from hospital_twin.model import run_replication


def _set_number(scope, css: str, value: object) -> None:
    box = scope.locator(f"{css} input").first
    box.fill(str(value))
    box.press("Tab")


def test_upload_a_log_validate_and_see_the_lab_beside_the_twin(live, page, tmp_path):
    frame = event_log_frame(run_replication(default_config().with_run(seed=9), 0,
                                            sim_hours=2 * 168), "2024-01-01")
    log = tmp_path / "lims-export.csv"
    frame[pd.to_datetime(frame["received"]) >= pd.Timestamp("2024-01-08")].to_csv(log,
                                                                                  index=False)
    open_dashboard(page, live.url)
    open_tab(page, "Validate")
    tab = page.locator(".ht-validate-tab")
    with page.expect_file_chooser() as chooser:
        tab.locator(".widget-upload").first.click()
    chooser.value.set_files(str(log))
    info = tab.locator(".ht-log-info")
    info.wait_for()
    assert "lims-export.csv" in info.inner_text() and "specimens" in info.inner_text()
    _set_number(tab, ".ht-validate-reps", 3)
    _set_number(tab, ".ht-validate-warmup", 1)
    tab.get_by_role("button", name="Validate").click()
    tab.locator(".ht-ok", has_text="Queued validation-").wait_for()

    select = tab.locator("select").first
    for _ in range(480):  # the worker simulates 3 periods and renders the report
        if "(done)" in select.inner_text():
            break
        tab.get_by_role("button", name="Refresh list").click()
        page.wait_for_timeout(500)
    assert "(done)" in select.inner_text()
    tab.get_by_role("button", name="Show validation").click()
    tab.locator(".ht-validation-summary").wait_for()
    assert "inside the twin's 95 % band" in tab.locator(".ht-validation-summary").inner_text()
    assert tab.locator("td[data-verdict]").count() == 44
    wait_for_plots(page, ".ht-validate-tab", 4)
    assert tab.locator("a.ht-download").count() == 2
    screenshot(page, "validate")
