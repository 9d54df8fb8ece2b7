"""Welch's method: the moving average, daily throughput from the event log, the warm-up."""

from __future__ import annotations

import numpy as np
import pytest

from hospital_twin import charts
from hospital_twin.analysis import daily_throughput, recommend_warmup, welch_moving_average


def test_welch_moving_average_by_hand() -> None:
    y = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]
    # window 2: i=1 -> y1; i=2 -> mean(y1..y3); i=3 -> mean(y1..y5); i=4 -> mean(y2..y6)
    expected = [1.0, 7 / 3, 31 / 5, 62 / 5]
    np.testing.assert_allclose(welch_moving_average(y, 2), expected)
    with pytest.raises(ValueError):
        welch_moving_average(y, 0)
    with pytest.raises(ValueError):
        welch_moving_average([1.0, 2.0], 2)


def test_recommended_warmup_on_a_known_transient() -> None:
    days = 40
    level = np.full(days, 100.0)
    level[:8] = np.linspace(0, 100, 8, endpoint=False)  # ramps up over the first 8 days
    reps = np.vstack([level, level])
    result = recommend_warmup(reps, window=1, tolerance=0.05)
    # the first window-smoothed value inside ±5 % of 100 for good
    curve = welch_moving_average(level, 1)
    assert result.level == pytest.approx(100.0)
    assert np.all(np.abs(curve[result.days:] - 100) <= 5)
    assert abs(curve[result.days - 1] - 100) > 5
    # day 7 averages 75, 87.5 and 100 (87.5, outside); day 8 averages 87.5, 100, 100 (95.8)
    assert result.days == 8 and result.hours == 8 * 24 and result.settled


def test_flat_series_needs_no_warmup() -> None:
    result = recommend_warmup(np.full((3, 21), 50.0))
    assert result.days == 0 and result.settled


def test_daily_throughput_counts_reports_per_day(base_run) -> None:
    outputs, _ = base_run
    counts = daily_throughput(outputs)
    assert counts.shape == (len(outputs), 7)
    for out, row in zip(outputs, counts, strict=True):
        ends = out.specimens["report_end"].dropna().to_numpy(dtype=float)
        for day in range(7):
            assert row[day] == np.count_nonzero((ends >= 24 * day) & (ends < 24 * (day + 1)))
    assert counts[:, 0].sum() < counts[:, 2].sum()  # the lab starts empty


def test_recommendation_from_model_outputs_and_its_figure(base_run) -> None:
    outputs, _ = base_run
    result = recommend_warmup(outputs, window=2)
    np.testing.assert_allclose(result.daily_mean, daily_throughput(outputs).mean(axis=0))
    assert 1 <= result.days <= len(result.moving_average)
    fig = charts.warmup_figure(result)
    np.testing.assert_allclose(fig.data[1].y, result.moving_average)
    assert fig.layout.yaxis.title.text == "Specimens reported per day (count)"


def test_with_warmup_changes_only_the_kpi_window(base_run) -> None:
    from hospital_twin.analysis import with_warmup
    from hospital_twin.kpis import build_results

    outputs, _ = base_run
    later = with_warmup(outputs, 48.0)
    assert [o.warmup_hours for o in later] == [48.0, 48.0]
    assert [o.warmup_hours for o in outputs] == [24.0, 24.0]
    assert later[0].specimens is outputs[0].specimens
    assert build_results(later, None, 0)["run"]["time_window"] == [48.0, 168.0]
    with pytest.raises(ValueError):
        with_warmup(outputs, 168.0)


def test_usable_warmup_is_capped_to_leave_a_measured_period() -> None:
    result = recommend_warmup(np.vstack([np.r_[np.zeros(10), np.full(11, 80.0)]] * 2),
                              window=1, tolerance=0.05)
    assert result.days == 11
    assert result.usable_hours(21 * 24) == 10 * 24  # half of 21 days, whole days
    assert result.usable_hours(60 * 24) == 11 * 24  # the recommendation itself
