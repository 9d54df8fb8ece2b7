"""Task durations and integer counts (spec section 4, 11.C27, 11.C28).

Durations: Constant (mode), Triangular or PERT(low, mode, high) with
alpha = 1 + 4(mode - low)/(high - low), beta = 1 + 4(high - mode)/(high - low); when
low == high either is that constant. Samplers pre-draw blocks of values from their own stream,
which keeps per-task overhead low while the sequence of values stays that of the stream.

Counts (blocks per specimen, slides per block): ``Constant`` gives the mode; ``IntTriangular``
and ``IntPERT`` are the continuous distribution on [low - 0.5, high + 0.5] (same mode) rounded
to the nearest integer, so each integer in [low, high] owns an equal-width bin. The model draws
them by inverse CDF from one uniform (exact, and one uniform per decision keeps the attribute
stream aligned across scenarios); :meth:`CountDistribution.sample` draws them literally.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Iterator

import numpy as np
from scipy.special import betainc

from hospital_twin.config.models import CountDistribution as CountSpec
from hospital_twin.config.models import TaskDuration


def pert_shape(low: float, mode: float, high: float) -> tuple[float, float]:
    """The Beta shape parameters (alpha, beta) of PERT(low, mode, high), low < high."""
    width = high - low
    return 1 + 4 * (mode - low) / width, 1 + 4 * (high - mode) / width


def draw_continuous(
    kind: str, low: float, mode: float, high: float, rng: np.random.Generator, size: int
) -> np.ndarray:
    """``size`` draws of Constant / Triangular / PERT in the parameters' own unit."""
    if kind == "Constant":
        return np.full(size, float(mode))
    if low == high:
        return np.full(size, float(low))
    if kind == "Triangular":
        return rng.triangular(low, mode, high, size)
    if kind == "PERT":
        a, b = pert_shape(low, mode, high)
        return low + (high - low) * rng.beta(a, b, size)
    raise ValueError(f"unknown distribution {kind!r}")




class DurationSampler:
    """Draws one TaskDurations row's durations in hours from that row's own stream.

    Values are drawn a block at a time (the block doubles with each refill up to
    ``MAX_BLOCK``: a busy task pays little per draw, a rare one draws little ahead); calling
    the sampler, or its :attr:`draw` (a C-level callable, no Python frame per value),
    returns the next one. The values are those of the stream in order, whatever the block
    sizes (NumPy draws a block value by value).
    """

    MAX_BLOCK = 8192

    __slots__ = ("_values", "_constant", "draw")

    def __init__(self, spec: TaskDuration, rng: np.random.Generator, block: int = 256) -> None:
        self._constant: float | None = None
        if spec.distribution == "Constant" or spec.low == spec.high:
            value = spec.mode if spec.distribution == "Constant" else spec.low
            self._constant = float(value) * spec.hours_per_unit
            self._values: Iterator[float] = itertools.repeat(self._constant)
        else:
            self._values = itertools.chain.from_iterable(_blocks(spec, rng, block))
        self.draw: Callable[[], float] = self._values.__next__

    def __call__(self) -> float:
        return self.draw()

    def sum_of(self, n: int) -> float:
        """Total of the next ``n`` draws (a task done ``n`` times in a row)."""
        if self._constant is not None:
            return self._constant * n
        return math.fsum(itertools.islice(self._values, n))


def _blocks(spec: TaskDuration, rng: np.random.Generator, block: int) -> Iterator[list[float]]:
    """Successive blocks of a task's durations in hours, each twice the last (to a limit)."""
    while True:
        values = draw_continuous(spec.distribution, spec.low, spec.mode, spec.high, rng, block)
        yield (values * spec.hours_per_unit).tolist()
        block = min(2 * block, DurationSampler.MAX_BLOCK)


def _triangular_cdf(x: np.ndarray, a: float, c: float, b: float) -> np.ndarray:
    x = np.clip(x, a, b)
    left = (x - a) ** 2 / ((b - a) * (c - a)) if c > a else np.zeros_like(x)
    right = 1 - (b - x) ** 2 / ((b - a) * (b - c)) if b > c else np.ones_like(x)
    return np.where(x <= c, left, right)


class CountDistribution:
    """An integer count distribution on [low, high] (spec 11.C27) with its exact pmf."""

    __slots__ = ("kind", "low", "mode", "high", "pmf", "_cdf")

    def __init__(self, kind: str, low: int, mode: int, high: int) -> None:
        if not 1 <= low <= mode <= high:
            raise ValueError(f"expected 1 <= low <= mode <= high, got {low}, {mode}, {high}")
        self.kind, self.low, self.mode, self.high = kind, int(low), int(mode), int(high)
        edges = np.arange(self.low - 0.5, self.high + 1.0, 1.0)  # bin edges k +- 0.5
        a, b = self.low - 0.5, self.high + 0.5
        if kind == "Constant":
            pmf = np.zeros(self.high - self.low + 1)
            pmf[self.mode - self.low] = 1.0
        elif kind == "IntTriangular":
            pmf = np.diff(_triangular_cdf(edges, a, float(self.mode), b))
        elif kind == "IntPERT":
            alpha, beta = pert_shape(a, float(self.mode), b)
            pmf = np.diff(betainc(alpha, beta, (edges - a) / (b - a)))
        else:
            raise ValueError(f"unknown count distribution {kind!r}")
        self.pmf: np.ndarray = pmf / pmf.sum()
        cdf = np.cumsum(self.pmf)
        cdf[-1] = 1.0
        self._cdf: list[float] = cdf.tolist()

    @classmethod
    def from_spec(cls, spec: CountSpec) -> CountDistribution:
        """Build from the configuration's count row."""
        return cls(spec.distribution, spec.low, spec.mode, spec.high)

    def from_uniform(self, u: float) -> int:
        """The count whose CDF bin holds ``u`` in [0, 1) (inverse-CDF draw)."""
        return self.low + bisect.bisect_right(self._cdf, u)

    def mean(self) -> float:
        """Exact mean of the count."""
        return float(np.dot(np.arange(self.low, self.high + 1), self.pmf))

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Literal draws: continuous on [low - 0.5, high + 0.5], rounded to the nearest int."""
        if self.kind == "Constant":
            return np.full(size, self.mode, dtype=np.int64)
        kind = "Triangular" if self.kind == "IntTriangular" else "PERT"
        x = draw_continuous(kind, self.low - 0.5, self.mode, self.high + 0.5, rng, size)
        return np.clip(np.rint(x), self.low, self.high).astype(np.int64)
