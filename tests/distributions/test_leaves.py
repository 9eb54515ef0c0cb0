"""Each leaf's samples follow its documented distribution (compared with scipy.stats).

Continuous leaves get a Kolmogorov-Smirnov test, discrete ones a chi-square test against the
exact probability of every value.  Seeds are fixed, so every run sees the same samples.

Why ``ALPHA = 1e-4``: it is the probability that a correct sampler fails one test for a given
seed, i.e. the chance that changing a seed (or numpy's bit stream) makes a correct
implementation fail; over the ~12 tests here that is about 1e-3 in total.  The power stays
high: with N = 20 000 samples the KS test rejects any CDF that is off by more than
sqrt(ln(2 / ALPHA) / (2 N)) ~ 0.016 anywhere, and the ``*_power`` tests show that the chi-square
tests reject the classic rounding mistakes (half mass at the end values).
"""

from __future__ import annotations

import collections
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest
from scipy import stats

from typedspace import (
    Choice,
    IntLogUniform,
    IntUniform,
    LogNormal,
    LogUniform,
    Normal,
    Space,
    Uniform,
    sample_many,
)

ALPHA = 1e-4
N = 20_000
#: Chi-square bins need about 5 expected counts for the chi-square approximation to hold;
#: values with less are pooled into one bin.
MIN_EXPECTED = 5.0


def draw(space: Space[Any], seed: int) -> list[Any]:
    return sample_many(space, N, seed=seed)


def ks_pvalue(values: list[float], cdf: Callable[[Any], Any]) -> float:
    return float(stats.kstest(np.asarray(values, dtype=np.float64), cdf).pvalue)


def chi_square_pvalue(values: list[Any], pmf: Mapping[Any, float]) -> float:
    """Chi-square p-value of ``values`` against the probabilities ``pmf`` (values outside
    ``pmf`` and the mass ``pmf`` leaves over share one bin)."""
    counts = collections.Counter(values)
    observed: list[float] = []
    expected: list[float] = []
    pooled_observed = sum(c for v, c in counts.items() if v not in pmf)
    pooled_expected = N * (1.0 - sum(pmf.values()))
    for value, p in pmf.items():
        if N * p < MIN_EXPECTED:
            pooled_observed += counts[value]
            pooled_expected += N * p
        else:
            observed.append(counts[value])
            expected.append(N * p)
    if pooled_observed or pooled_expected > 1e-9 * N:
        observed.append(pooled_observed)
        expected.append(max(pooled_expected, 1e-12))  # any draw outside the pmf fails
    return float(stats.chisquare(observed, expected).pvalue)


# --- Continuous leaves: Kolmogorov-Smirnov ---

CONTINUOUS: list[tuple[str, Space[float], Callable[[Any], Any]]] = [
    ("uniform", Uniform(-2.0, 5.0), stats.uniform(loc=-2.0, scale=7.0).cdf),
    ("loguniform", LogUniform(1e-4, 1e-1), stats.loguniform(1e-4, 1e-1).cdf),
    ("normal", Normal(3.0, 2.0), stats.norm(loc=3.0, scale=2.0).cdf),
    ("lognormal", LogNormal(0.5, 0.8), stats.lognorm(s=0.8, scale=math.exp(0.5)).cdf),
]


@pytest.mark.parametrize(
    ("seed", "space", "cdf"),
    # One seed per case: with a shared seed, monotone transforms of the same uniform draws
    # give the very same KS statistic, and the cases would not be independent checks.
    [(11 + i, s, c) for i, (_, s, c) in enumerate(CONTINUOUS)],
    ids=[i for i, _, _ in CONTINUOUS],
)
def test_continuous_leaf_matches_scipy(
    seed: int, space: Space[float], cdf: Callable[[Any], Any]
) -> None:
    values = draw(space, seed=seed)
    assert {type(v) for v in values} == {float}
    assert ks_pvalue(values, cdf) > ALPHA


def test_ks_rejects_a_wrong_scale() -> None:
    """Power check: log-uniform draws are not uniform on the same bounds."""
    values = draw(LogUniform(1e-4, 1e-1), seed=19)
    assert ks_pvalue(values, stats.uniform(loc=1e-4, scale=1e-1 - 1e-4).cdf) < ALPHA


# --- Discrete leaves: chi-square against exact masses ---


def int_uniform_pmf(low: int, high: int) -> dict[int, float]:
    return {k: 1.0 / (high - low + 1) for k in range(low, high + 1)}


def int_log_uniform_pmf(low: int, high: int) -> dict[int, float]:
    """round(x) for x log-uniform on [low - 1/2, high + 1/2]: exact masses from its CDF."""
    dist = stats.loguniform(low - 0.5, high + 0.5)
    return {k: float(dist.cdf(k + 0.5) - dist.cdf(k - 0.5)) for k in range(low, high + 1)}


def test_int_uniform_gives_every_integer_equal_mass() -> None:
    values = draw(IntUniform(-3, 6), seed=21)
    assert {type(v) for v in values} == {int}
    assert chi_square_pvalue(values, int_uniform_pmf(-3, 6)) > ALPHA


def test_int_uniform_endpoints_have_full_mass() -> None:
    """The end values get 1/n each, as often as the inner values (not half as often)."""
    values = draw(IntUniform(0, 4), seed=22)
    counts = collections.Counter(values)
    pmf = {0: 0.2, 4: 0.2}  # the two end values against the rest
    assert chi_square_pvalue([v if v in (0, 4) else "inner" for v in values], pmf) > ALPHA
    assert set(counts) == {0, 1, 2, 3, 4}


def test_int_uniform_power_against_half_mass_endpoints() -> None:
    """round(Uniform(low, high)) gives the end values half mass: the test must see it."""
    values = draw(IntUniform(0, 4), seed=23)
    half = {0: 0.125, 1: 0.25, 2: 0.25, 3: 0.25, 4: 0.125}
    assert chi_square_pvalue(values, half) < ALPHA


def test_int_log_uniform_matches_exact_masses() -> None:
    values = draw(IntLogUniform(1, 100), seed=31)
    assert {type(v) for v in values} == {int}
    assert chi_square_pvalue(values, int_log_uniform_pmf(1, 100)) > ALPHA


def test_int_log_uniform_power_against_log_uniform_on_the_bare_bounds() -> None:
    """Rounding a log-uniform on [low, high] (not widened by 1/2) gives other masses."""
    values = draw(IntLogUniform(1, 100), seed=32)
    dist = stats.loguniform(1, 100)
    bare = {
        k: float(dist.cdf(min(k + 0.5, 100)) - dist.cdf(max(k - 0.5, 1))) for k in range(1, 101)
    }
    assert chi_square_pvalue(values, bare) < ALPHA


@pytest.mark.parametrize(
    ("space", "grid"),
    [
        (Uniform(0.0, 1.0, q=0.25), [0.0, 0.25, 0.5, 0.75, 1.0]),
        # Bounds off the grid: only the multiples inside count, still equally likely.
        (Uniform(0.1, 1.1, q=0.25), [0.25, 0.5, 0.75, 1.0]),
        (Uniform(-3.0, 7.0, q=2.0), [-2.0, 0.0, 2.0, 4.0, 6.0]),
    ],
    ids=["aligned", "offset", "negative"],
)
def test_quantized_uniform_gives_each_multiple_equal_mass(
    space: Space[float], grid: list[float]
) -> None:
    values = draw(space, seed=41)
    assert chi_square_pvalue(values, {g: 1.0 / len(grid) for g in grid}) > ALPHA


def test_quantized_uniform_power_against_half_mass_endpoints() -> None:
    values = draw(Uniform(0.0, 1.0, q=0.25), seed=42)
    half = {0.0: 0.125, 0.25: 0.25, 0.5: 0.25, 0.75: 0.25, 1.0: 0.125}
    assert chi_square_pvalue(values, half) < ALPHA


def test_quantized_lognormal_matches_exact_masses() -> None:
    """exp(N(mu, sigma)) rounded to multiples of q; everything below 1.5 q becomes q."""
    mu, sigma, q = 1.0, 0.5, 0.5
    values = draw(LogNormal(mu, sigma, q=q), seed=51)
    cdf = stats.lognorm(s=sigma, scale=math.exp(mu)).cdf
    pmf = {q: float(cdf(1.5 * q))}
    pmf |= {k * q: float(cdf((k + 0.5) * q) - cdf((k - 0.5) * q)) for k in range(2, 200)}
    assert chi_square_pvalue(values, pmf) > ALPHA


@pytest.mark.parametrize(
    ("weights", "probabilities"),
    [
        (None, [0.25, 0.25, 0.25, 0.25]),
        ([1.0, 2.0, 3.0, 4.0], [0.1, 0.2, 0.3, 0.4]),
        ([5, 0, 15, 0], [0.25, 0.0, 0.75, 0.0]),
    ],
    ids=["uniform", "weighted", "zero-weights"],
)
def test_choice_follows_its_weights(
    weights: list[float] | None, probabilities: list[float]
) -> None:
    options = ("a", "b", "c", "d")
    values = draw(Choice(*options, weights=weights), seed=61)
    pmf = {o: p for o, p in zip(options, probabilities, strict=True) if p > 0}
    assert chi_square_pvalue(values, pmf) > ALPHA
    never = {o for o, p in zip(options, probabilities, strict=True) if p == 0}
    assert never.isdisjoint(values)  # an option of weight zero is never drawn


def test_choice_power_against_unweighted() -> None:
    values = draw(Choice("a", "b", "c", "d", weights=[1, 2, 3, 4]), seed=62)
    assert chi_square_pvalue(values, dict.fromkeys("abcd", 0.25)) < ALPHA
