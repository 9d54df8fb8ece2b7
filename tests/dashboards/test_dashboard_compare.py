"""Compare tab in the browser: two stored scenarios side by side and paired differences."""

from __future__ import annotations

from dashboard_helpers import open_dashboard, open_tab, plot_points, screenshot, wait_for_plots
from test_dashboard_results import store_finished_scenario

from hospital_twin.charts import differences_table


def test_compare_two_scenarios(live, page):
    a, res_a = store_finished_scenario(live.engine, "compare base", seed=21)
    b, res_b = store_finished_scenario(live.engine, "compare other", seed=21,
                                       demand_percent=130)
    expected = differences_table({"a": res_a, "b": res_b}, "a")

    open_dashboard(page, live.url)
    open_tab(page, "Compare")
    tab = page.locator(".ht-compare-tab")
    tab.locator(".widget-select-multiple select").select_option(
        label=[f"#{a} compare base", f"#{b} compare other"])
    tab.locator(".widget-dropdown select").first.select_option(label=f"#{a} compare base")
    tab.get_by_role("button", name="Compare").click()

    table = tab.locator(".ht-diff-table")
    table.wait_for()
    rows = table.locator("tr[data-measure]")
    measures = [rows.nth(i).get_attribute("data-measure") for i in range(rows.count())]
    assert measures == list(expected["measure"])  # one row per KPI
    assert {"Overall TAT", "Lab TAT", "Reported within 7 days",
            "Lab work within 3 days"} <= set(measures)
    first = rows.first.locator("td").all_inner_texts()
    assert first[0] == f"#{b} compare other" and first[1] == "Overall TAT"
    assert first[2] == f"{res_a['overall_tat']:,.1f} h"
    assert first[3] == f"{res_b['overall_tat']:,.1f} h"
    significant = table.locator("tr.ht-significant").count()
    assert significant == int(expected["significant"].fillna(False).astype(bool).sum())

    verdicts = tab.locator(".ht-verdicts-table tr").all_inner_texts()
    assert len(verdicts) == 7 and verdicts[1].startswith("Does work pile up?")
    assert "too short to tell" in verdicts[1]  # 72 h runs
    assert all("target" in v for v in verdicts[2:])
    notes = tab.locator(".ht-completion li").all_inner_texts()
    assert [n.split(":")[0] for n in notes] == [f"#{a} compare base", f"#{b} compare other"]
    assert all("still in progress" in n for n in notes)
    assert "compare base" in tab.locator(".ht-caution").inner_text()  # 72 h runs are short

    wait_for_plots(page, ".ht-compare-tab", 3)
    points = plot_points(page, ".ht-compare-tab")
    assert len(points) == 3 and all(n > 0 for n in points), points
    screenshot(page, "compare")
    table.scroll_into_view_if_needed()
    screenshot(page, "compare-differences")
