"""The Forecast tab in the browser: upload a snapshot, forecast with a real worker, read the
answer and four charts with dates on their axes; a bad snapshot's problems shown inline."""

from __future__ import annotations

from dashboard_helpers import (
    open_dashboard,
    open_tab,
    plot_points,
    screenshot,
    wait_for_plots,
)

SNAPSHOT = "specimen_id,arrived_at,pathway,priority,stage\n" + "".join(
    f"S{i},2026-12-0{1 + i % 5}T09:30,cancer,Cancer,{stage}\n"
    for i, stage in enumerate(["cutup", "processing", "microtomy", "qc", "report"] * 20))


def _choose(page, tab, index: int, path) -> None:
    with page.expect_file_chooser() as chooser:
        tab.locator(".widget-upload").nth(index).click()
    chooser.value.set_files(str(path))


def _set(tab, label: str, value: object) -> None:
    box = tab.locator(".widget-inline-hbox", has_text=label).locator("input").first
    box.fill(str(value))
    box.press("Tab")


def test_forecast_from_a_snapshot(live, page, tmp_path):
    path = tmp_path / "today.csv"
    path.write_text(SNAPSHOT)
    open_dashboard(page, live.url)
    open_tab(page, "Forecast")
    tab = page.locator(".ht-forecast-tab")
    tab.wait_for(state="visible")
    _choose(page, tab, 0, path)
    tab.get_by_text("snapshot: today.csv").wait_for()
    tab.locator("input[type=date]").fill("2026-12-07")
    tab.locator("input[type=date]").press("Tab")
    _set(tab, "Days", 5)
    _set(tab, "Replications", 2)
    tab.get_by_role("button", name="Forecast").click()
    tab.get_by_text("Forecast queued: 100 specimens").wait_for()
    headline = tab.locator(".ht-forecast-headline")
    headline.get_by_text("Backlog cleared by").wait_for(timeout=180_000)
    # 100 specimens are far below the lab's normal work in progress: cleared on day one
    assert "Backlog cleared by 2026-12-07" in headline.inner_text()
    assert "100 specimens in the lab on 2026-12-07, 2 replications" in headline.inner_text()
    wait_for_plots(page, ".ht-forecast-charts", 4)
    points = plot_points(page, ".ht-forecast-charts")
    assert len(points) == 4 and all(n > 0 for n in points), points
    ticks = page.eval_on_selector_all(".ht-forecast-charts .xtick text",
                                      "els => els.map(e => e.textContent)")
    assert any("Dec" in t for t in ticks), ticks  # dates on the axes, not hours
    screenshot(page, "forecast")


def test_bad_snapshot_problems_are_shown(live, page, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(SNAPSHOT + "S1,2026-12-09T09:00,cancer,Cancer,lunch\n")
    open_dashboard(page, live.url)
    open_tab(page, "Forecast")
    tab = page.locator(".ht-forecast-tab")
    _choose(page, tab, 0, path)
    tab.get_by_text("snapshot: bad.csv").wait_for()
    tab.locator("input[type=date]").fill("2026-12-07")
    tab.locator("input[type=date]").press("Tab")
    tab.get_by_role("button", name="Forecast").click()
    error = tab.locator(".ht-error").first
    error.wait_for()
    text = error.inner_text()
    assert 'row "102", column "specimen_id": duplicate specimen_id "S1"' in text, text
    assert 'row "102", column "arrived_at"' in text and "unknown stage 'lunch'" in text
    assert "Traceback" not in page.content()
