"""Duration and count distributions (spec section 4, 11.C27, 11.C28)."""

from __future__ import annotations

import numpy as np
import pytest

from hospital_twin.config.models import TaskDuration
from hospital_twin.model.distributions import (
    CountDistribution,
    DurationSampler,
    draw_continuous,
    pert_shape,
)

N = 200_000


def rng(seed: int = 1) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_pert_shape_follows_the_spec() -> None:
    assert pert_shape(1.0, 2.0, 5.0) == pytest.approx((1 + 4 * 1 / 4, 1 + 4 * 3 / 4))


@pytest.mark.parametrize(("low", "mode", "high"), [(30, 60, 90), (5, 10, 30), (2, 5, 10)])
def test_pert_mean_and_range(low: float, mode: float, high: float) -> None:
    x = draw_continuous("PERT", low, mode, high, rng(), N)
    mean = (low + 4 * mode + high) / 6
    sd = np.std(x)
    assert abs(x.mean() - mean) < 4 * sd / np.sqrt(N)
    assert x.min() >= low and x.max() <= high
    # The spread reaches well into both tails.
    assert x.min() < low + 0.1 * (high - low) and x.max() > high - 0.2 * (high - low)


def test_triangular_mean_and_range() -> None:
    x = draw_continuous("Triangular", 1.0, 2.0, 6.0, rng(), N)
    assert abs(x.mean() - 3.0) < 4 * np.std(x) / np.sqrt(N)
    assert 1.0 <= x.min() and x.max() <= 6.0


@pytest.mark.parametrize("kind", ["PERT", "Triangular"])
def test_low_equal_high_is_constant(kind: str) -> None:
    assert np.all(draw_continuous(kind, 4.0, 4.0, 4.0, rng(), 100) == 4.0)
    spec = TaskDuration(distribution=kind, low=4, mode=4, high=4, unit="min")
    sampler = DurationSampler(spec, rng())
    assert sampler() == pytest.approx(4 / 60)


def test_constant_uses_the_mode_only() -> None:
    spec = TaskDuration(distribution="Constant", mode=24, unit="hour")
    assert DurationSampler(spec, rng())() == 24.0
    spec = TaskDuration(distribution="Constant", low=1, mode=3, high=2, unit="min")
    assert DurationSampler(spec, rng())() == pytest.approx(0.05)


def test_duration_sampler_converts_units_and_keeps_its_stream_order() -> None:
    spec = TaskDuration(distribution="PERT", low=30, mode=60, high=90, unit="sec")
    a = DurationSampler(spec, rng(7), block=16)
    b = DurationSampler(spec, rng(7), block=1000)
    first = [a() for _ in range(50)]
    assert first == pytest.approx([b() for _ in range(50)])
    assert all(30 / 3600 <= x <= 90 / 3600 for x in first)
    values = np.array([a() for _ in range(20_000)])
    assert values.mean() == pytest.approx(60 / 3600, rel=0.01)
    c = DurationSampler(spec, rng(7))
    total = c.sum_of(5)
    assert total == pytest.approx(sum(first[:5]))


@pytest.mark.parametrize(
    ("params", "mean"),
    [((1, 2, 5), 2.333), ((1, 3, 6), 3.166), ((5, 10, 20), 10.833), ((1, 10, 50), 15.167)],
)
def test_int_pert_means_follow_11c27(params: tuple[int, int, int], mean: float) -> None:
    dist = CountDistribution("IntPERT", *params)
    assert dist.mean() == pytest.approx(mean, abs=1e-3)
    x = dist.sample(rng(), N)
    assert abs(x.mean() - dist.mean()) < 4 * x.std() / np.sqrt(N)
    assert x.min() >= params[0] and x.max() <= params[2]


@pytest.mark.parametrize("params", [(1, 2, 5), (1, 3, 6)])
def test_int_pert_reaches_both_ends(params: tuple[int, int, int]) -> None:
    low, _, high = params
    dist = CountDistribution("IntPERT", *params)
    assert dist.pmf[0] > 0.0105 and dist.pmf[-1] > 0.0105  # "about 1.1 %"
    literal = dist.sample(rng(3), 20_000)
    assert literal.min() == low and literal.max() == high
    generator = rng(4)
    by_cdf = np.array([dist.from_uniform(u) for u in generator.random(20_000)])
    assert by_cdf.min() == low and by_cdf.max() == high


def test_inverse_cdf_draws_match_literal_rounding() -> None:
    dist = CountDistribution("IntPERT", 1, 3, 6)
    literal = np.bincount(dist.sample(rng(5), N), minlength=7)[1:] / N
    by_cdf = np.bincount(
        [dist.from_uniform(u) for u in rng(6).random(N)], minlength=7
    )[1:] / N
    tolerance = 4 * np.sqrt(dist.pmf * (1 - dist.pmf) / N) + 1e-4
    assert np.all(np.abs(literal - dist.pmf) < tolerance)
    assert np.all(np.abs(by_cdf - dist.pmf) < tolerance)


def test_equal_width_bins_not_truncation() -> None:
    """The earlier model truncated toward zero, doubling the mode's bin (P(3) = 0.585)."""
    dist = CountDistribution("IntPERT", 1, 3, 6)
    assert dist.pmf[2] < 0.45


def test_large_surgical_block_count_stays_in_range() -> None:
    dist = CountDistribution("IntPERT", 1, 10, 50)
    x = dist.sample(rng(), N)
    assert x.min() >= 1 and x.max() <= 50
    assert all(1 <= dist.from_uniform(u) <= 50 for u in (0.0, 1e-12, 0.5, 1 - 1e-12))


def test_int_triangular_and_constant_counts() -> None:
    tri = CountDistribution("IntTriangular", 1, 2, 5)
    assert tri.pmf.sum() == pytest.approx(1.0)
    x = tri.sample(rng(), N)
    assert x.min() == 1 and x.max() == 5
    assert abs(x.mean() - tri.mean()) < 4 * x.std() / np.sqrt(N)
    const = CountDistribution("Constant", 2, 3, 6)
    assert const.from_uniform(0.99) == 3 and np.all(const.sample(rng(), 10) == 3)


def test_count_needs_one_at_least() -> None:
    with pytest.raises(ValueError, match="1 <= low"):
        CountDistribution("IntPERT", 0, 1, 3)
