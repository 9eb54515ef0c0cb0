"""Ready-made custom distributions, built only on the public protocol (and scipy)."""

from __future__ import annotations

import math

import attrs
import numpy as np
from scipy import stats

from typedspace.distributions._base import (
    ContinuousDistribution,
    DiscreteDistribution,
    FloatArray,
    IntArray,
)


def _positive(owner: str, field: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{owner}: {field} must be a positive finite number, got {value!r}")


@attrs.frozen
class Beta(ContinuousDistribution):
    """Beta(a, b) on ``[0, 1]``: a prior for rates (dropout, momentum ...).

    >>> from typedspace import Custom, sample
    >>> 0.0 <= sample(Custom(Beta(2.0, 5.0)), seed=0) <= 1.0
    True
    """

    a: float
    b: float

    def __attrs_post_init__(self) -> None:
        _positive("Beta", "a", self.a)
        _positive("Beta", "b", self.b)

    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return rng.beta(self.a, self.b, size=n)

    def logpdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(stats.beta.logpdf(x, self.a, self.b), dtype=np.float64)

    def cdf(self, x: FloatArray) -> FloatArray:
        return np.asarray(stats.beta.cdf(x, self.a, self.b), dtype=np.float64)

    def ppf(self, u: FloatArray) -> FloatArray:
        return np.asarray(stats.beta.ppf(u, self.a, self.b), dtype=np.float64)

    def describe(self) -> str:
        return f"beta(a={self.a:g}, b={self.b:g}) on [0, 1]"


@attrs.frozen
class TruncatedExponential(ContinuousDistribution):
    """An exponential with the given ``scale``, truncated to ``[0, upper]``.

    Small values are most likely, e.g. a warm-up fraction or a decay rate.

    >>> from typedspace import Custom, sample
    >>> 0.0 <= sample(Custom(TruncatedExponential(scale=0.1, upper=1.0)), seed=0) <= 1.0
    True
    """

    scale: float
    upper: float

    def __attrs_post_init__(self) -> None:
        _positive("TruncatedExponential", "scale", self.scale)
        _positive("TruncatedExponential", "upper", self.upper)

    @property
    def _mass(self) -> float:
        return -math.expm1(-self.upper / self.scale)  # P(X <= upper) before truncation

    def support(self) -> tuple[float, float]:
        return (0.0, self.upper)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return self.ppf(rng.uniform(0.0, 1.0, size=n))

    def logpdf(self, x: FloatArray) -> FloatArray:
        x = np.asarray(x, dtype=np.float64)
        inside = (x >= 0) & (x <= self.upper)
        density = -x / self.scale - math.log(self.scale) - math.log(self._mass)
        return np.where(inside, density, -np.inf)

    def cdf(self, x: FloatArray) -> FloatArray:
        x = np.clip(np.asarray(x, dtype=np.float64), 0.0, self.upper)
        return -np.expm1(-x / self.scale) / self._mass

    def ppf(self, u: FloatArray) -> FloatArray:
        u = np.clip(np.asarray(u, dtype=np.float64), 0.0, 1.0)
        return np.minimum(-self.scale * np.log1p(-u * self._mass), self.upper)

    def describe(self) -> str:
        return f"exponential(scale={self.scale:g}) truncated to [0, {self.upper:g}]"


@attrs.frozen
class BoundedPoisson(DiscreteDistribution):
    """Poisson(mean) restricted to ``[low, high]`` (renormalized): a count such as a number
    of layers or of estimators in hundreds.

    >>> from typedspace import Custom, sample
    >>> 1 <= sample(Custom(BoundedPoisson(mean=3.0, low=1, high=10)), seed=0) <= 10
    True
    """

    mean: float
    low: int
    high: int

    def __attrs_post_init__(self) -> None:
        _positive("BoundedPoisson", "mean", self.mean)
        if isinstance(self.low, bool) or not isinstance(self.low, int) or self.low < 0:
            raise ValueError(f"BoundedPoisson: low must be a non-negative int, got {self.low!r}")
        if isinstance(self.high, bool) or not isinstance(self.high, int) or self.high <= self.low:
            raise ValueError(
                f"BoundedPoisson: high must be an int above low ({self.low}), got {self.high!r}"
            )

    @property
    def _bounds_mass(self) -> tuple[float, float]:
        below = float(stats.poisson.cdf(self.low - 1, self.mean))
        return below, float(stats.poisson.cdf(self.high, self.mean)) - below

    def support(self) -> tuple[int, int]:
        return (self.low, self.high)

    def sample(self, rng: np.random.Generator, n: int) -> IntArray:
        below, mass = self._bounds_mass
        u = below + rng.uniform(0.0, 1.0, size=n) * mass
        k = stats.poisson.ppf(u, self.mean)
        clipped: IntArray = np.clip(np.asarray(k), self.low, self.high).astype(np.int64)
        return clipped

    def logpmf(self, k: IntArray) -> FloatArray:
        k = np.asarray(k)
        _, mass = self._bounds_mass
        inside = (k >= self.low) & (k <= self.high)
        return np.where(inside, stats.poisson.logpmf(k, self.mean) - math.log(mass), -np.inf)

    def cdf(self, k: IntArray) -> FloatArray:
        below, mass = self._bounds_mass
        k = np.clip(np.asarray(k), self.low - 1, self.high)
        return np.asarray((stats.poisson.cdf(k, self.mean) - below) / mass, dtype=np.float64)

    def describe(self) -> str:
        return f"poisson(mean={self.mean:g}) on [{self.low}, {self.high}]"
