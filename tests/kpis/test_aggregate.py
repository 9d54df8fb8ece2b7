"""Means and Student-t intervals across replications (11.C24)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from hospital_twin.kpis.aggregate import aggregate_tree, mean_ci, mean_ci_rows, split_tree


def test_ci_matches_hand_computation() -> None:
    est = mean_ci([10.0, 12.0, 17.0])
    # mean 13, s² = (9 + 1 + 16) / 2 = 13
    half = stats.t.ppf(0.975, 2) * math.sqrt(13) / math.sqrt(3)
    assert est.n == 3
    assert est.mean == pytest.approx(13.0)
    assert est.low == pytest.approx(13 - half)
    assert est.high == pytest.approx(13 + half)


def test_single_value_has_no_interval() -> None:
    est = mean_ci([4.5])
    assert (est.mean, est.low, est.high, est.n) == (4.5, None, None, 1)


def test_undefined_values_are_left_out() -> None:
    est = mean_ci([None, 2.0, math.nan, 4.0])
    half = stats.t.ppf(0.975, 1) * math.sqrt(2) / math.sqrt(2)  # s = √2, n = 2
    assert est.n == 2
    assert (est.low, est.high) == pytest.approx((3 - half, 3 + half))
    assert mean_ci([None, None]).mean is None


def test_rows_columnwise() -> None:
    mean, low, high, n = mean_ci_rows(np.array([[1.0, 5.0, np.nan], [3.0, 5.0, 2.0]]))
    half = stats.t.ppf(0.975, 1) * math.sqrt(2) / math.sqrt(2)
    assert mean[:2] == pytest.approx([2.0, 5.0]) and mean[2] == 2.0
    assert low[:2] == pytest.approx([2 - half, 5.0])
    assert high[:2] == pytest.approx([2 + half, 5.0])
    assert np.isnan(low[2]) and np.isnan(high[2])
    assert n.tolist() == [2, 2, 1]


def test_tree_aggregation_and_split() -> None:
    tree = aggregate_tree([{"7": 0.5, "10": 1.0}, {"7": 0.7, "10": 1.0}])
    means, lows, highs = split_tree(tree)
    half = stats.t.ppf(0.975, 1) * math.sqrt(0.02) / math.sqrt(2)
    assert means == pytest.approx({"7": 0.6, "10": 1.0})
    assert lows == pytest.approx({"7": 0.6 - half, "10": 1.0})
    assert highs == pytest.approx({"7": 0.6 + half, "10": 1.0})
