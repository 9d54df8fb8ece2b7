"""Results tab in the browser: a stored scenario's KPI cards and charts."""

from __future__ import annotations

import json
import re

from dashboard_helpers import open_dashboard, open_tab, plot_points, screenshot, wait_for_plots

from hospital_twin.config import default_config
from hospital_twin.dashboards.simulation.run_tab import edited_config
from hospital_twin.jobs.submit import prepare
from hospital_twin.kpis import build_results
from hospital_twin.model import run_replication
from hospital_twin.store import NewScenario, create_scenarios, mark_running, store_results


def store_finished_scenario(engine, name: str, seed: int = 5,
                            demand_percent: float = 100) -> tuple[int, dict]:
    """Run a short real simulation in-process and store it as a finished scenario."""
    base = edited_config(default_config(), demand_percent=demand_percent)
    config = prepare(base, sim_hours=72, num_reps=2, seed=seed)
    results = build_results([run_replication(config, i) for i in range(2)],
                            config.model_dump(mode="json"), seed)
    _, (sid,) = create_scenarios(engine, [NewScenario(
        config.model_dump_json(), 2, 72, 0, seed, f"job-{name}", name)])
    assert mark_running(engine, sid, "test", 0)
    assert store_results(engine, sid, json.dumps(results))
    return sid, results


def test_results_tab_shows_cards_and_charts(live, page):
    sid, results = store_finished_scenario(live.engine, "stored baseline")
    open_dashboard(page, live.url)
    open_tab(page, "Results")
    tab = page.locator(".ht-results-tab")
    tab.locator("select").select_option(label=f"#{sid} stored baseline")
    tab.get_by_role("button", name="Show results").click()

    overall = tab.locator('.ht-kpi[data-kpi="overall_tat"] .ht-value')
    overall.wait_for()
    assert overall.inner_text().startswith(f"{results['overall_tat']:,.1f} hours")
    lab = tab.locator('.ht-kpi[data-kpi="lab_tat"]').inner_text()
    assert f"{results['lab_tat']:,.1f} hours" in lab and "95% CI" in lab
    from hospital_twin.charts import completion

    done = completion(results)  # 72 h: most specimens are still in the lab at the end
    card = tab.locator(".ht-completion").inner_text()
    assert f"{done['completed']:,.0f} of {done['arrived']:,.0f}" in card
    assert f"{done['in_progress']:,.0f} still in progress" in card
    assert done["caution"] and "Run it longer" in tab.locator(".ht-caution").inner_text()
    verdicts = tab.locator(".ht-verdict").all_inner_texts()
    assert len(verdicts) == 5
    assert all(re.search(r"\d+\.\d%", v) and re.search(r"on target|under target", v)
               for v in verdicts), verdicts

    # 72 h: too short to tell whether work piles up, said before the figures; the
    # Kaplan–Meier cards come first, the completed-only ones are labelled as such
    warning = tab.locator(".ht-stability").inner_text()
    assert results["stability"]["verdict"] == "too short to tell"
    assert warning.startswith("Too short to tell whether work piles up")
    assert tab.locator(".ht-km").count() == 3 and tab.locator(".ht-km-verdict").count() == 5
    assert "Completed specimens only" in tab.inner_text()

    wait_for_plots(page, ".ht-results-tab", 8)
    points = plot_points(page, ".ht-results-tab")
    assert len(points) == 8 and all(n > 0 for n in points), points
    titles = tab.locator(".js-plotly-plot .gtitle").all_text_contents()
    assert any("Where the time goes" in t for t in titles), titles
    assert any("How machines spend their time" in t for t in titles), titles
    # the machine-time split shows each share's 95 % CI (2 replications) as error bars
    machines = tab.locator(".js-plotly-plot").filter(has_text="How machines spend their time")
    assert machines.locator("path.yerror").count() >= 3 * len(results["machine_time"])
    axis_titles = tab.locator(".js-plotly-plot .ytitle").all_text_contents()
    assert all(re.search(r"\(.+\)", t) for t in axis_titles), axis_titles  # units on axes

    links = tab.locator("a.ht-download")
    assert links.count() == 3
    assert sorted(links.nth(i).get_attribute("download").rsplit(".", 1)[1]
                  for i in range(3)) == ["json", "xlsx", "zip"]
    screenshot(page, "results")
    tab.locator(".js-plotly-plot").nth(2).scroll_into_view_if_needed()
    screenshot(page, "results-charts")
