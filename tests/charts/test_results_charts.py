"""Figures of one results dict carry exactly the results' values, CIs and labelled axes."""

from __future__ import annotations

import numpy as np
import pytest

from hospital_twin import charts


def _close(a, b) -> None:
    np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                               rtol=1e-12, atol=1e-12)


def _axis_titles(fig) -> tuple[str, str]:
    return fig.layout.xaxis.title.text, fig.layout.yaxis.title.text


@pytest.mark.parametrize("builder, key, y_unit", [
    (charts.tat_by_stage_figure, "tat_by_stage", "(hours)"),
    (charts.utilisation_figure, "utilization_by_resource", "(% of rostered unit-hours)"),
    (charts.queue_length_figure, "q_length_by_resource", "(waiting requests)"),
])
def test_bar_charts_show_means_and_ci(results: dict, builder, key: str, y_unit: str) -> None:
    data = results[key]
    fig = builder(results)
    (bar,) = fig.data
    assert list(bar.x) == data["x"]
    _close(bar.y, data["y"])
    _close(bar.error_y.array, np.subtract(data["ymax"], data["y"]))
    _close(bar.error_y.arrayminus, np.subtract(data["y"], data["ymin"]))
    x_title, y_title = _axis_titles(fig)
    assert x_title in ("Stage", "Resource")
    assert y_title.endswith(y_unit)
    assert "2 replications" in fig.layout.title.text


def test_tat_by_stage_has_every_stage_in_process_order(results: dict) -> None:
    fig = charts.tat_by_stage_figure(results)
    assert list(fig.data[0].x) == ["Reception", "Cut-up", "Processing", "Microtomy", "Staining",
                                   "Labelling", "Scanning", "QC", "Reporting stage"]
    assert "completed specimens" in fig.layout.title.text


def test_one_replication_has_no_error_bars(single_rep_results: dict) -> None:
    fig = charts.tat_by_stage_figure(single_rep_results)
    assert fig.data[0].error_y.array is None
    assert "no CI" in fig.layout.title.text
    hourly = charts.hourly_utilisation_figure(single_rep_results)
    assert all(t.fill is None for t in hourly.data)  # lines only, no bands
    assert len(hourly.data) == len(single_rep_results["hourly_utilization_by_resource"]["labels"])


@pytest.mark.parametrize("builder, key", [
    (charts.hourly_utilisation_figure, "hourly_utilization_by_resource"),
    (charts.wip_figure, "wip_by_stage"),
])
def test_hourly_lines_with_ci_bands(results: dict, builder, key: str) -> None:
    data = results[key]
    fig = builder(results)
    lines = [t for t in fig.data if t.fill is None]
    bands = [t for t in fig.data if t.fill == "toself"]
    assert [t.name for t in lines] == data["labels"]
    assert len(bands) == len(lines)
    for j, (line, band) in enumerate(zip(lines, bands, strict=True)):
        _close(line.x, data["x"])
        _close(line.y, data["y"][j])
        assert band.legendgroup == line.legendgroup and band.showlegend is False
        _close(band.y, list(data["ymax"][j]) + list(data["ymin"][j])[::-1])
    assert fig.layout.legend.itemclick == "toggleothers"
    assert fig.layout.xaxis.title.text == "Simulated time (hours from Monday 00:00)"
    assert "(" in fig.layout.yaxis.title.text


def test_hourly_utilisation_can_be_limited_to_some_resources(results: dict) -> None:
    fig = charts.hourly_utilisation_figure(results, ["QC staff", "Histopathologist"])
    assert [t.name for t in fig.data if t.fill is None] == ["QC staff", "Histopathologist"]


def test_allocation_steps_follow_the_roster(results: dict) -> None:
    fig = charts.allocation_figure(results)
    alloc = results["resource_allocation"]
    assert [t.name for t in fig.data] == list(alloc)
    for trace in fig.data:
        assert trace.line.shape == "hv"
        _close(trace.x, alloc[trace.name]["x"])
        _close(trace.y, alloc[trace.name]["y"])
    assert fig.layout.yaxis.title.text == "Units available (staff or machines)"


def test_tat_histogram_has_overall_and_lab_shares(results: dict) -> None:
    fig = charts.tat_histogram_figure(results)
    overall, lab = fig.data
    _close(overall.x, results["tat_histogram"]["x"])
    _close(overall.y, results["tat_histogram"]["y"])
    _close(lab.y, results["lab_tat_histogram"]["y"])
    _close(overall.error_y.array,
           np.subtract(results["tat_histogram"]["ymax"], results["tat_histogram"]["y"]))
    assert fig.layout.xaxis.title.text.startswith("Turnaround time (days")
    assert fig.layout.yaxis.title.text == "Share of completed specimens (%)"
    assert sum(overall.y) == pytest.approx(1.0)


def test_figures_fit_a_1280_by_800_screen(results: dict) -> None:
    for builder in (charts.tat_by_stage_figure, charts.utilisation_figure,
                    charts.hourly_utilisation_figure, charts.wip_figure,
                    charts.allocation_figure, charts.queue_length_figure,
                    charts.tat_histogram_figure):
        fig = builder(results)
        assert fig.layout.width <= 1280 and fig.layout.height <= 800
        assert fig.layout.title.text


def test_machine_time_figure_shows_running_held_idle_with_ci(results: dict) -> None:
    from hospital_twin.charts import machine_time_figure

    fig = machine_time_figure(results)
    assert [t.name.split(" ")[0] for t in fig.data] == ["Running", "Finished,", "Idle"]
    machines = list(results["machine_time"])
    assert list(fig.data[0].x) == machines
    for trace, part in zip(fig.data, ("running", "held", "idle"), strict=True):
        est = [results["machine_time"][m][part] for m in machines]
        _close(trace.y, [100 * e["mean"] for e in est])
        # the 95 % CI of each share as error bars (2 replications)
        _close(trace.error_y.array, [100 * (e["max"] - e["mean"]) for e in est])
        _close(trace.error_y.arrayminus, [100 * (e["mean"] - e["min"]) for e in est])
        assert "95% CI" in trace.hovertemplate
    for i in range(len(machines)):
        assert sum(trace.y[i] for trace in fig.data) == pytest.approx(100.0)


def test_machine_time_figure_without_ci_has_no_error_bars(results: dict) -> None:
    from hospital_twin.charts import machine_time_figure

    one = {**results, "run": {**results.get("run", {}), "replications": 1},
           "machine_time": {m: {p: {"mean": e["mean"], "min": None, "max": None}
                                for p, e in parts.items()}
                            for m, parts in results["machine_time"].items()}}
    fig = machine_time_figure(one)
    assert all(trace.error_y.array is None for trace in fig.data)
    assert "1 replication, no CI" in fig.layout.title.text


def _dated(results: dict, start: str) -> dict:
    """``results`` as a run whose calendar starts at ``start`` would carry it."""
    config = dict(results["config"], calendar={"start": start})
    return dict(results, config=config)


def test_hourly_charts_of_a_dated_run_tick_its_dates(results: dict) -> None:
    """Hour 0 of a dated run is its calendar's start (here a Wednesday 07:30), so ticks sit
    at the run's midnights and name their dates; without a calendar they name weekdays from
    Monday 00:00."""
    plain = charts.hourly_utilisation_figure(results)
    assert plain.layout.xaxis.ticktext[:2] == ("Mon 0 h", "Tue 24 h")
    dated = _dated(results, "2026-12-09T07:30:00")
    for fig in (charts.hourly_utilisation_figure(dated), charts.wip_figure(dated),
                charts.allocation_figure(dated)):
        axis = fig.layout.xaxis
        assert axis.tickvals[:2] == (16.5, 40.5)  # the first two midnights after 07:30
        assert axis.ticktext[:2] == ("Thu 10 Dec", "Fri 11 Dec")
        assert "Wed 09 Dec 2026 07:30" in axis.title.text


def test_compare_hourly_chart_names_dates_only_for_a_shared_start(results: dict) -> None:
    monday = "2026-12-07T00:00:00"
    same = {"a": _dated(results, monday), "b": _dated(results, monday)}
    fig = charts.hourly_utilisation_comparison_figure(same, "QC staff")
    assert fig.layout.xaxis.ticktext[0] == "Mon 07 Dec"
    mixed = {"a": results, "b": _dated(results, "2026-12-09T00:00:00")}
    fig = charts.hourly_utilisation_comparison_figure(mixed, "QC staff")
    assert "each scenario's own start" in fig.layout.xaxis.title.text
    assert not any(day in " ".join(fig.layout.xaxis.ticktext) for day in ("Mon", "Wed"))
