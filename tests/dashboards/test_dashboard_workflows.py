"""Workflows across tabs in the browser with a real worker: several workbooks run as an
analysis and open in Compare; a previous scenario loaded, edited and resubmitted; a failed
job's error and executed notebook in the Jobs tab."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace

import nbformat
import pytest
from dashboard_helpers import open_dashboard, open_tab, plot_points, screenshot, wait_for_plots
from playwright.sync_api import expect
from test_dashboard_results import store_finished_scenario

from hospital_twin.charts import differences_table
from hospital_twin.config import config_from_json, default_config, write_workbook
from hospital_twin.dashboards.simulation.run_tab import edited_config, peak_units
from hospital_twin.jobs import prepare, submit_scenarios
from hospital_twin.jobs.options import JobOptions
from hospital_twin.jobs.queue import connect
from hospital_twin.store import get_config_json, get_results, get_scenario, list_analyses


def _set_number(scope, css: str, value: object) -> None:
    box = scope.locator(f"{css} input").first
    box.fill(str(value))
    box.press("Tab")


def _wait_for_count(page, key: str, expected: str, polls: int = 900) -> set[str]:
    """Poll the Jobs row ``key`` (e.g. ``a3``, ``s7``) until its count reads ``expected``."""
    count = page.locator(f".ht-job-count-{key}")
    seen = set()
    for _ in range(polls):  # the poller updates the row by itself: no clicks
        text = count.inner_text()
        seen.add(text)
        if text == expected:
            break
        page.wait_for_timeout(200)
    return seen


def test_several_workbooks_run_as_an_analysis_and_open_in_compare(live, page, tmp_path):
    base, busy = tmp_path / "baseline.xlsx", tmp_path / "busy-week.xlsx"
    write_workbook(default_config(), base)
    write_workbook(edited_config(default_config(), demand_percent=150), busy)

    open_dashboard(page, live.url)
    run = page.locator(".ht-run-tab")
    run.get_by_role("button", name="Uploaded workbook(s)").click()
    with page.expect_file_chooser() as chooser:
        run.locator(".widget-upload").click()
    chooser.value.set_files([str(base), str(busy)])
    loaded = run.locator(".ht-ok", has_text="Loaded")
    loaded.wait_for()
    assert "baseline" in loaded.inner_text() and "busy-week" in loaded.inner_text()
    assert "2 workbooks: they run as one analysis" in run.inner_text()
    run.get_by_placeholder("e.g. two extra BMS").fill("busy week analysis")
    run.locator(".ht-length-unit select").select_option("hours")
    _set_number(run, ".ht-length", 48)
    _set_number(run, ".ht-reps", 2)
    run.get_by_role("button", name="Submit").click()

    page.locator(".ht-jobs-tab").wait_for(state="visible")
    message = page.locator(".ht-run-tab .ht-ok", has_text="Submitted analysis").inner_text()
    aid = int(re.search(r"analysis #(\d+) \(2 scenarios\)", message).group(1))
    (analysis,) = [a for a in list_analyses(live.engine) if a["analysis_id"] == aid]
    assert analysis["name"] == "busy week analysis"
    sids = analysis["scenario_ids"]
    rows = [get_scenario(live.engine, s) for s in sids]
    assert sorted(r["name"] for r in rows) == ["baseline", "busy-week"]
    assert {(r["num_reps"], r["sim_hours"]) for r in rows} == {(2, 48.0)}
    assert len({r["seed"] for r in rows}) == 1  # one seed for the whole analysis

    name = page.locator(f".ht-job-name-a{aid}")
    assert name.inner_text().startswith(f"Analysis #{aid} busy week analysis")
    for sid in sids:  # its scenarios are listed under it
        expect(page.locator(f".ht-job-name-s{sid}")).to_contain_text("↳")
    seen = _wait_for_count(page, f"a{aid}", "4/4")
    assert page.locator(f".ht-job-count-a{aid}").inner_text() == "4/4", seen
    expect(page.locator(f".ht-job-status-a{aid}")).to_have_text("done")
    screenshot(page, "workflow-analysis-jobs")

    opener = page.locator(f".ht-job-open-a{aid}")
    expect(opener).to_be_enabled()
    opener.click()
    tab = page.locator(".ht-compare-tab")
    tab.wait_for(state="visible")
    expect(page.get_by_role("tab", name="Compare")).to_have_attribute("aria-selected", "true")
    table = tab.locator(".ht-diff-table")
    table.wait_for()

    labels = {r["scenario_id"]: f"#{r['scenario_id']} {r['name']}" for r in rows}
    results = {labels[s]: json.loads(get_results(live.engine, s)) for s in sids}
    expected = differences_table(results, labels[sids[0]])
    measures = table.locator("tr[data-measure]")
    shown = [measures.nth(i).get_attribute("data-measure") for i in range(measures.count())]
    assert shown == list(expected["measure"])  # one row per KPI
    first = measures.first.locator("td").all_inner_texts()
    assert first[:2] == [labels[sids[1]], "Overall TAT"]
    assert first[2] == f"{results[labels[sids[0]]]['overall_tat']:,.1f} h"
    assert first[3] == f"{results[labels[sids[1]]]['overall_tat']:,.1f} h"
    verdicts = tab.locator(".ht-verdicts-table tr").first.inner_text()
    assert labels[sids[0]] in verdicts and labels[sids[1]] in verdicts
    baseline = tab.locator(".widget-dropdown select").first  # shows what the table uses
    chosen = baseline.evaluate("s => s.selectedIndex < 0 ? '' : s.options[s.selectedIndex]"
                               ".text.replace(/\\u00a0/g, ' ')")
    assert chosen == labels[sids[0]]

    wait_for_plots(page, ".ht-compare-tab", 3)
    points = plot_points(page, ".ht-compare-tab")
    assert len(points) == 3 and all(n > 0 for n in points), points
    screenshot(page, "workflow-analysis-compare")
    table.scroll_into_view_if_needed()
    screenshot(page, "workflow-analysis-differences")


def test_previous_scenario_edited_in_the_page_and_resubmitted(live, page):
    base_id, _ = store_finished_scenario(live.engine, "stored for editing", seed=9)
    base = config_from_json(get_config_json(live.engine, base_id))
    peaks = peak_units(base)
    resource = next(r for r, n in peaks.items() if n >= 2)
    wanted = peaks[resource] + 3

    open_dashboard(page, live.url)
    run = page.locator(".ht-run-tab")
    run.get_by_role("button", name="Previous scenario").click()
    run.locator(".ht-previous select").select_option(
        label=f"#{base_id} stored for editing (done)")
    run.get_by_role("button", name="Load scenario").click()
    expect(run.locator(".ht-ok")).to_contain_text(f"Loaded scenario #{base_id}")
    expect(run.locator(".ht-name input")).to_have_value(f"copy of #{base_id}")

    run.get_by_text("Staff and machines", exact=True).click()
    field = run.locator(".ht-units .widget-inline-hbox").filter(
        has=page.locator("label", has_text=re.compile(f"^{re.escape(resource)}$")))
    expect(field.locator("input")).to_have_value(str(peaks[resource]))
    field.locator("input").fill(str(wanted))
    field.locator("input").press("Tab")
    run.get_by_text("Demand", exact=True).click()
    _set_number(run, ".ht-demand", 125)
    run.locator(".ht-name input").fill("copy with more staff")
    run.locator(".ht-length-unit select").select_option("hours")
    _set_number(run, ".ht-length", 24)  # short: the worker runs it while the next test waits
    _set_number(run, ".ht-reps", 1)
    screenshot(page, "workflow-previous-edited")
    run.get_by_role("button", name="Submit").click()

    page.locator(".ht-jobs-tab").wait_for(state="visible")
    message = page.locator(".ht-run-tab .ht-ok", has_text="Submitted scenario").inner_text()
    sid = int(re.search(r"#(\d+)", message).group(1))
    assert sid != base_id
    row = get_scenario(live.engine, sid)
    assert (row["name"], row["num_reps"], row["sim_hours"]) == ("copy with more staff", 1, 24.0)
    submitted = config_from_json(get_config_json(live.engine, sid))
    assert peak_units(submitted) == peaks | {resource: wanted}
    assert submitted.resources[resource].working_days == base.resources[resource].working_days
    assert submitted.resources != base.resources
    for kind, values in base.arrivals.model_dump().items():
        assert getattr(submitted.arrivals, kind) == pytest.approx(
            [1.25 * v for v in values]), kind
    assert submitted.batch_sizes == base.batch_sizes
    expect(page.locator(f".ht-job-name-s{sid}")).to_contain_text("copy with more staff")


def _failing_notebook(path, text: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("scenario_id = 0", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell(f"raise RuntimeError({text!r})")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return str(path)


def test_failed_job_shows_its_error_and_executed_notebook(live, page, tmp_path):
    text = "the microtome jammed at bench 7"
    options = replace(JobOptions.from_settings(live.settings), fanout_reps=0,
                      notebook=_failing_notebook(tmp_path / "failing.ipynb", text))
    config = prepare(default_config(), sim_hours=24, num_reps=1, seed=3)
    (sid,) = submit_scenarios(connect(live.settings.redis_url), live.engine, options,
                              [("doomed scenario", config)]).scenario_ids

    open_dashboard(page, live.url)
    open_tab(page, "Jobs")
    status = page.locator(f".ht-job-status-s{sid}")
    status.wait_for()
    expect(status).to_have_text("failed", timeout=120_000)  # the live worker ran it
    error = page.locator(f".ht-job-name-s{sid} .ht-job-error")
    expect(error).to_contain_text(f"RuntimeError: {text}")
    expect(error).to_be_visible()
    assert get_scenario(live.engine, sid)["error"] in error.inner_text()
    expect(page.locator(f".ht-job-open-s{sid}")).to_be_disabled()
    expect(page.locator(f".ht-job-count-s{sid}")).to_have_text("0/1")
    screenshot(page, "workflow-failed-job")

    report = page.locator(f".ht-job-report-s{sid}")
    expect(report).to_be_enabled()
    report.click()
    link = page.locator(".ht-jobs-tab a.ht-download")
    link.wait_for(timeout=120_000)
    assert link.get_attribute("download") == f"scenario-{sid}-report.html"
    html = base64.b64decode(link.get_attribute("href").split(",", 1)[1]).decode()
    assert text in html and "RuntimeError" in html
    assert "Hospital Twin report" not in html  # the executed notebook, not a batch report
