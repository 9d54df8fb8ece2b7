"""Exact time-weighted means and hourly bins of step series, against hand computations."""

from __future__ import annotations

import numpy as np
import pytest
from kpi_builders import step

from hospital_twin.kpis import timeweighted as tw

# level 2 on [0, 1.5), 4 on [1.5, 3), 0 from 3 on
SERIES = step((0, 2), (1.5, 4), (3, 0))


def test_window_mean_whole_run() -> None:
    # ∫_0^4 = 2·1.5 + 4·1.5 + 0·1 = 9
    assert tw.integral(SERIES, 0, 4) == pytest.approx(9.0)
    assert tw.window_mean(SERIES, 0, 4) == pytest.approx(9 / 4)


def test_window_mean_after_warmup() -> None:
    # ∫_1^4 = 2·0.5 + 4·1.5 = 7 over 3 h
    assert tw.window_mean(SERIES, 1, 4) == pytest.approx(7 / 3)


def test_hourly_bins_with_a_step_inside_a_bin() -> None:
    # [1,2): half an hour at 2, half at 4 → 3
    assert tw.hourly_means(SERIES, 4.0) == pytest.approx([2.0, 3.0, 4.0, 0.0])


def test_last_partial_bin_and_last_value_holding_on() -> None:
    series = step((0, 1), (3.25, 3))
    edges = tw.hour_edges(3.5)
    assert edges == pytest.approx([0, 1, 2, 3, 3.5])
    # last bin [3, 3.5]: 0.25 h at 1 and 0.25 h at 3 → mean 2
    assert tw.hourly_means(series, 3.5) == pytest.approx([1, 1, 1, 2])
    # the last value holds after its time: ∫_3.25^10 = 3·6.75
    assert tw.integral(series, 3.25, 10) == pytest.approx(20.25)


def test_simultaneous_changes_keep_the_last_value() -> None:
    series = step((0, 1), (2, 5), (2, 7))
    assert tw.value_at(series, 2.0) == pytest.approx(7.0)
    assert tw.integral(series, 0, 3) == pytest.approx(2 * 1 + 1 * 7)


def test_empty_window_is_an_error() -> None:
    with pytest.raises(ValueError, match="empty time window"):
        tw.window_mean(SERIES, 2, 2)


def test_utilisation_parts_with_overtime() -> None:
    cap = step((0, 2), (2, 1), (3, 0))
    busy = step((0, 1), (1, 2), (3, 1))
    used, avail, over = tw.utilisation_parts(busy, cap, np.array([0.0, 1, 2, 3, 4]))
    assert used == pytest.approx([1, 2, 1, 0])
    assert avail == pytest.approx([2, 2, 1, 0])
    assert over == pytest.approx([0, 0, 1, 1])
    assert tw.utilisation_ratio(used, avail) == pytest.approx([0.5, 1.0, 1.0, 0.0])
