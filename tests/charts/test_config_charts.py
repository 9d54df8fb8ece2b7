"""Configuration figures show the workbook's arrivals, rosters and duration curves."""

from __future__ import annotations

import numpy as np
import pytest

from hospital_twin import charts
from hospital_twin.config import LabConfig, TaskDuration


@pytest.mark.parametrize("pathway", ["cancer", "noncancer"])
def test_arrival_heatmap_is_the_weekly_schedule(config_2024: LabConfig, pathway: str) -> None:
    fig = charts.arrival_heatmap(config_2024, pathway)
    (heat,) = fig.data
    values = getattr(config_2024.arrivals, pathway)
    z = np.asarray(heat.z, dtype=float)
    assert z.shape == (7, 24)
    np.testing.assert_array_equal(z.ravel(), values)
    assert heat.y[0] == "Monday" and heat.x[9] == "09:00"
    assert fig.layout.xaxis.title.text == "Hour of day (start of hour)"
    assert heat.colorbar.title.text == "Specimens per hour"
    assert f"{sum(values):.0f} per week" in fig.layout.title.text


def test_arrival_heatmap_rejects_unknown_pathway(config_2024: LabConfig) -> None:
    with pytest.raises(ValueError):
        charts.arrival_heatmap(config_2024, "dermatology")


def test_roster_heatmap_switches_between_resources(config_2024: LabConfig) -> None:
    fig = charts.roster_heatmap(config_2024, ["Histopathologist", "Processing machine"])
    histo, machine = fig.data
    assert np.asarray(histo.z).shape == (7, 48)
    np.testing.assert_array_equal(np.ravel(histo.z),
                                  config_2024.resources["Histopathologist"].weekly_capacity())
    np.testing.assert_array_equal(np.ravel(machine.z),
                                  config_2024.resources["Processing machine"].weekly_capacity())
    assert (histo.visible, machine.visible) == (True, False)
    buttons = fig.layout.updatemenus[0].buttons
    assert [b.label for b in buttons] == ["Histopathologist", "Processing machine"]
    assert buttons[1].args[0]["visible"] == [False, True]
    assert "Rostered machines: Processing machine" in buttons[1].args[1]["title.text"]
    assert fig.layout.xaxis.title.text == "Time of day (start of half hour)"


def test_roster_heatmap_defaults_to_all_resources(config_2024: LabConfig) -> None:
    fig = charts.roster_heatmap(config_2024)
    assert [t.name for t in fig.data] == list(config_2024.resources)


@pytest.mark.parametrize("spec", [
    TaskDuration(distribution="Triangular", low=2, mode=3, high=7, unit="min"),
    TaskDuration(distribution="PERT", low=10, mode=30, high=120, unit="sec"),
    TaskDuration(distribution="PERT", low=0.5, mode=1, high=3, unit="hour"),
])
def test_duration_pdf_is_a_density_in_minutes(spec: TaskDuration) -> None:
    scale = spec.hours_per_unit * 60
    x = np.linspace(spec.low * scale, spec.high * scale, 20001)
    pdf = charts.duration_pdf(spec, x)
    assert np.trapezoid(pdf, x) == pytest.approx(1.0, abs=1e-3)
    assert np.trapezoid(x * pdf, x) == pytest.approx(spec.mean_hours() * 60, rel=1e-3)
    assert x[np.argmax(pdf)] == pytest.approx(spec.mode * scale, abs=(x[1] - x[0]) * 2)


def test_duration_curves_for_workbook_tasks(config_2024: LabConfig) -> None:
    tasks = ["Labelling", "Processing machine (small surgicals)"]
    fig = charts.duration_curves(config_2024, tasks)
    curve, constant = fig.data
    spec = config_2024.task_durations["Labelling"]
    scale = spec.hours_per_unit * 60
    assert curve.x[0] == pytest.approx(spec.low * scale)
    assert curve.x[-1] == pytest.approx(spec.high * scale)
    fixed = config_2024.task_durations["Processing machine (small surgicals)"]
    assert fixed.distribution == "Constant"
    assert list(constant.x) == [fixed.mode * fixed.hours_per_unit * 60] * 2
    assert constant.y[1] == pytest.approx(max(curve.y) * 1.05)
    assert fig.layout.xaxis.title.text == "Task duration (minutes)"
    assert fig.layout.yaxis.title.text == "Probability density (per minute)"
