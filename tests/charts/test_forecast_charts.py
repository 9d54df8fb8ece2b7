"""Forecast figures: dates on the x axes, bands from the replications' range, the cleared
date marked, the 7-day target drawn."""

from __future__ import annotations

import datetime as dt

import pytest

from hospital_twin import charts
from hospital_twin.config import default_config
from hospital_twin.forecast import forecast
from hospital_twin.state import SnapshotRow

START = dt.datetime(2026, 12, 7)


@pytest.fixture(scope="module")
def result() -> dict:
    rows = [SnapshotRow(specimen_id=f"S{i}", arrived_at=START - dt.timedelta(hours=5),
                        pathway="cancer", priority="Cancer", stage="qc") for i in range(50)]
    return forecast(default_config(), rows, START, 5, 2)


def test_every_forecast_figure_has_dates_on_its_x_axis(result: dict) -> None:
    for build in (charts.forecast_wip_figure, charts.forecast_reports_figure,
                  charts.forecast_share_figure, charts.forecast_stage_figure):
        fig = build(result)
        assert fig.layout.xaxis.type == "date"
        assert "Date" in fig.layout.xaxis.title.text
        xs = [x for trace in fig.data for x in trace.x]
        assert set(xs) <= set(result["dates"]) and "2026-12-07" in xs


def test_wip_figure_shows_band_steady_level_and_cleared_date(result: dict) -> None:
    fig = charts.forecast_wip_figure(result)
    names = [t.name for t in fig.data]
    assert "Forecast WIP" in names and "Steady level (normal running)" in names
    band = next(t for t in fig.data if t.fill == "toself")
    assert list(band.y[:5]) == result["wip_total"]["max"]
    assert "range" in band.name and "2 replications" in fig.layout.title.text
    assert result["backlog_cleared"]["date"] is not None
    assert any(result["backlog_cleared"]["date"] in a.text for a in fig.layout.annotations)


def test_share_figure_is_in_percent_with_the_target(result: dict) -> None:
    fig = charts.forecast_share_figure(result)
    line = next(t for t in fig.data if t.name == "Within 7 days")
    means = result["share_within_7_days"]["mean"]
    for plotted, mean in zip(line.y, means, strict=True):
        assert (plotted is None and mean is None) or plotted == pytest.approx(100 * mean)
    assert any(m is not None for m in means)
    assert any(s.y0 == 80.0 for s in fig.layout.shapes)


def test_stage_figure_has_one_line_per_stage(result: dict) -> None:
    fig = charts.forecast_stage_figure(result)
    assert len(fig.data) == 9
    qc = next(t for t in fig.data if t.name == "QC")
    assert list(qc.y) == result["wip_by_stage"]["qc"]["mean"]


def test_band_is_one_shape_per_run_of_days_with_values() -> None:
    """Days without reports (None) split the band: no shape joins values across a gap."""
    dates = [f"2026-12-{d:02d}" for d in range(7, 16)]  # Mon 7 .. Tue 15
    share = [0.6, 0.5, 0.9, 0.8, 0.85, None, None, 0.9, None]
    result = {"dates": dates, "share_within_7_days": {
        "mean": share,
        "min": [None if v is None else v - 0.05 for v in share],
        "max": [None if v is None else v + 0.05 for v in share]}}
    fig = charts.forecast_share_figure(result)
    bands = [t for t in fig.data if t.name == "Within 7 days (range of replications)"]
    assert [list(t.x) for t in bands] == [dates[0:5] + dates[0:5][::-1], dates[7:8] * 2]
    for trace in bands:
        assert None not in trace.y
    weekdays = bands[0]
    assert list(weekdays.y) == pytest.approx([65, 55, 95, 85, 90, 80, 75, 85, 45, 55])
    assert weekdays.fill == "toself" and bands[1].fill is None  # a lone day: a bar
