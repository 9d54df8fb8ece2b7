"""The rendered HTML of a scenario report and of an analysis report: no code, every
headline chart with data, nothing loaded from the internet, numbers equal the store's."""

from __future__ import annotations

import re

import nbformat
import pytest
from report_helpers import Stored, plotly_figures, soup, table_rows, title, values

from hospital_twin import charts
from hospital_twin.reports import ReportFiles, external_resources
from hospital_twin.reports.render import report_notebook_path

SCENARIO_CHARTS = ("Turnaround time distribution", "Where the time goes",
                   "How busy each resource is while rostered", "Work waiting for each resource",
                   "Work in progress by stage")
ANALYSIS_CHARTS = ("Turnaround time by scenario", "Utilisation by resource and scenario")


def _html(files: ReportFiles) -> str:
    return files.html.read_text(encoding="utf-8")


@pytest.mark.parametrize("which", ["scenario_report", "analysis_report"])
def test_html_contains_no_input_code(which: str, request: pytest.FixtureRequest) -> None:
    files: ReportFiles = request.getfixturevalue(which)
    html = _html(files)
    page = soup(files.html)
    code_cells = page.select("div.jp-CodeCell")
    assert len(code_cells) >= 6
    for cell in code_cells:
        assert cell.select(".jp-InputArea, .jp-InputPrompt, .jp-CodeMirrorEditor") == []
    executed = nbformat.read(files.ipynb, as_version=4)
    sources = [line.strip() for c in executed.cells if c.cell_type == "code"
               for line in c.source.splitlines() if len(line.strip()) > 12]
    assert sources and [s for s in sources if s in html] == []
    assert "reports.show_" not in html and "from hospital_twin" not in page.get_text()
    # the analysts' introduction (tagged report-hide) stays in the notebook only
    assert "This notebook is the template" not in html


def test_executed_notebook_is_kept_beside_the_html(stored: Stored,
                                                   scenario_report: ReportFiles) -> None:
    assert scenario_report.ipynb.parent == scenario_report.html.parent
    nb = nbformat.read(scenario_report.ipynb, as_version=4)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert f"scenario_id = {stored.scenario_id}" in injected[0].source


@pytest.mark.parametrize("which", ["scenario_report", "analysis_report"])
def test_loads_nothing_from_the_internet(which: str, request: pytest.FixtureRequest) -> None:
    html = _html(request.getfixturevalue(which))
    assert external_resources(html) == []
    # an independent look: no script/link/iframe/img tag names an http(s) or //host URL
    tags = re.findall(r"<(?:script|link|iframe|img)\b[^>]*>", html, re.IGNORECASE)
    assert tags and [t for t in tags if re.search(r"(src|href)\s*=\s*['\"]?\s*(https?:)?//",
                                                  t, re.IGNORECASE)] == []
    # nbconvert's CDN (require.js, MathJax, Mermaid) is gone; plotly.js only names URLs
    # it never fetches for these charts (map tiles, topojson)
    assert "cdnjs.cloudflare.com" not in html and "MathJax.Hub.Config" not in html
    assert re.search(r"plotly\.js v\d+\.\d+\.\d+", html), "plotly.js is not inlined"


def test_external_resources_are_detected() -> None:
    page = ('<html><head><script src="https://cdn.example.org/x.js"></script>'
            '<link rel="stylesheet" href="//fonts.example.org/a.css">'
            '<style>@import url("https://example.org/b.css");</style>'
            '<script src="local.js"></script></head></html>')
    found = external_resources(page)
    assert len(found) == 3 and "local.js" not in " ".join(found)


def test_every_scenario_chart_is_drawn_with_the_stored_data(
        stored: Stored, scenario_report: ReportFiles) -> None:
    results = stored.results(stored.scenario_id)
    drawn = plotly_figures(_html(scenario_report))
    figures = {name: next((f for f in drawn if title(f).startswith(name)), None)
               for name in SCENARIO_CHARTS}
    assert None not in figures.values(), [title(f) for f in drawn]
    for name in SCENARIO_CHARTS:
        traces = figures[name]["data"]
        assert traces and all(len(values(t.get("y", []))) > 0 for t in traces), name
    assert values(figures["Where the time goes"]["data"][0]["y"]) == \
        results["tat_by_stage"]["y"]
    util = figures["How busy each resource is while rostered"]["data"][0]
    assert list(util["x"]) == results["utilization_by_resource"]["x"]
    assert values(util["y"]) == results["utilization_by_resource"]["y"]
    assert values(figures["Work waiting for each resource"]["data"][0]["y"]) == \
        results["q_length_by_resource"]["y"]
    hist = figures["Turnaround time distribution"]["data"]
    assert values(hist[0]["y"]) == results["tat_histogram"]["y"]


def _value(cell) -> float:
    return float(cell["data-value"])


def test_headline_kpis_equal_the_stored_results(stored: Stored,
                                                scenario_report: ReportFiles) -> None:
    results = stored.results(stored.scenario_id)
    page = soup(scenario_report.html)
    rows = table_rows(page, "ht-kpis")
    for key in ("overall_tat", "lab_tat"):
        mean, ci = rows[key].select_one("td.ht-mean"), rows[key].select_one("td.ht-ci")
        assert _value(mean) == results[key]
        assert mean.get_text() == f"{results[key]:.1f} h"
        assert float(ci["data-low"]) == results[f"{key}_min"]
        assert float(ci["data-high"]) == results[f"{key}_max"]
        assert ci.get_text() == f"{results[f'{key}_min']:.1f} to {results[f'{key}_max']:.1f}"
    p90 = results["tat_percentiles"]["overall"]["90"]
    assert _value(rows["tat_p90"].select_one("td.ht-mean")) == p90["mean"]
    completed = results["specimens"]["total"]["completed"]["mean"]
    assert _value(rows["specimens_completed"].select_one("td.ht-mean")) == completed
    assert page.select_one("p.ht-completion").get_text() == charts.completion_text(results) + "."
    caution = page.select_one("p.ht-caution")
    if charts.completion(results)["caution"]:
        assert "Run it longer" in caution.get_text()
    else:
        assert caution is None
    title_text = page.select_one("h1").get_text()
    assert f"Scenario report: {stored.scenario_id}: baseline" in title_text
    assert "Generated " in page.get_text()


def test_rcpath_verdicts_equal_the_stored_results(stored: Stored,
                                                  scenario_report: ReportFiles) -> None:
    results = stored.results(stored.scenario_id)
    rows = table_rows(soup(scenario_report.html), "ht-verdicts")
    expected = charts.rcpath_verdicts(results)
    assert len(rows) == len(expected) == 5
    for verdict in expected:
        row = rows[f"{verdict['key']}-{verdict['days']}"]
        share = row.select_one("td.ht-share")
        assert _value(share) == verdict["share"]
        assert share.get_text() == f"{100 * verdict['share']:.1f} %"
        assert row.select_one("td.ht-verdict").get_text() == verdict["verdict"]


def test_configuration_summary_shows_the_run(stored: Stored,
                                             scenario_report: ReportFiles) -> None:
    page = soup(scenario_report.html)
    summary = {tr.select("td")[0].get_text(): tr.select("td")[1].get_text()
               for tr in page.select("table.ht-config tbody tr")}
    assert summary["Simulated time"] == "1 week (168 h)"
    assert summary["Warm-up excluded"] == "24 h"
    assert summary["Replications"] == "2" and summary["Seed"] == "5"
    assert "BMS: rostered unit-hours per week" in summary


def test_analysis_report_compares_with_paired_differences(
        stored: Stored, analysis_report: ReportFiles) -> None:
    ids = stored.analysis_scenarios
    scenarios = {f"{i}: {stored.names[i]}": stored.results(i) for i in ids}
    base, other = list(scenarios)
    html = _html(analysis_report)
    page = soup(analysis_report.html)
    assert f"Analysis report: analysis {stored.analysis_id} (more BMS)" in page.get_text()
    figures = [title(f) for f in plotly_figures(html)]
    for name in ANALYSIS_CHARTS:
        assert any(t.startswith(name) for t in figures), figures
    # each scenario has its own KPI and verdict tables, equal to its stored results
    for name, results in scenarios.items():
        kpis = table_rows(page, "ht-kpis", name)
        assert _value(kpis["overall_tat"].select_one("td.ht-mean")) == results["overall_tat"]
        assert table_rows(page, "ht-verdicts", name)
    expected = charts.differences_table(scenarios, base, include_utilisation=True)
    rows = page.select("table.ht-differences tbody tr")
    assert len(rows) == len(expected) > 5
    by_measure = {tr["data-key"]: tr for tr in rows}
    for record in expected.to_dict("records"):
        row = by_measure[record["measure"]]
        assert row["data-scenario"] == other
        diff = row.select_one("td.ht-diff")
        if record["difference"] is None or record["difference"] != record["difference"]:
            # undefined in this run (e.g. Kaplan–Meier 7-day share of a 48 h run): a dash
            assert not diff.has_attr("data-value") and diff.get_text().startswith("–")
            continue
        assert _value(diff) == pytest.approx(record["difference"], rel=0, abs=0)
    assert "common random numbers" in page.get_text()


def test_committed_report_notebook_is_clean() -> None:
    nb = nbformat.read(report_notebook_path(), as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])
    assert not any(line.lstrip().startswith(("def ", "class "))
                   for c in code for line in c.source.splitlines())
