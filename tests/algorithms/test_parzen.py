"""Parzen estimators: normalized densities, samples in bounds, presorted = sorted bandwidths."""

from __future__ import annotations

import numpy as np
from scipy import stats

from typedspace.algorithms._parzen import Axes, AxisOrder, Mixture, bandwidths, sorted_bandwidths

BOUNDED = Axes.of(low=[0.0], high=[1.0], prior_mu=[0.5], prior_sigma=[1.0], categorical=[[1, 3]])


def fitted(axes: Axes, n: int, seed: int) -> Mixture:
    rng = np.random.default_rng(seed)
    z = rng.uniform(axes.low, axes.high, size=(n, axes.n_numeric))
    cats = np.stack([rng.integers(0, len(p), n) for p in axes.categorical], axis=1)
    return Mixture.fit(axes, z, cats.reshape(n, -1), prior_weight=1.0, min_fraction=0.03)


def test_density_integrates_to_one_with_truncation_and_categories() -> None:
    # Kernels near 0 and 1 lose mass outside the bounds; the normalizers must put it back.
    mixture = fitted(BOUNDED, 30, 0)
    grid = np.linspace(0.0, 1.0, 20001)
    total = 0.0
    for option in (0, 1):
        cats = np.full((len(grid), 1), option)
        total += float(np.trapezoid(np.exp(mixture.log_pdf(grid[:, None], cats)), grid))
    # The trapezoid rule's error on this grid is far below 1e-4 for kernels >= 0.03 wide.
    assert abs(total - 1.0) < 1e-4


def test_samples_follow_the_density() -> None:
    mixture = fitted(BOUNDED, 10, 1)
    z, cats = mixture.sample(np.random.default_rng(2), 4000)
    assert np.all((z >= 0.0) & (z <= 1.0))
    grid = np.linspace(0.0, 1.0, 4001)
    density = np.exp(mixture.log_pdf(grid[:, None], np.zeros((len(grid), 1), dtype=np.int64)))
    density += np.exp(mixture.log_pdf(grid[:, None], np.ones((len(grid), 1), dtype=np.int64)))
    cdf = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) / 2 * np.diff(grid))])
    # Kolmogorov-Smirnov against the mixture's own CDF: a correct sampler fails w.p. 1e-3.
    assert stats.kstest(z[:, 0], lambda x: np.interp(x, grid, cdf)).pvalue > 1e-3
    # The option's frequency against its marginal probability: a binomial test, same level.
    p_second = float(mixture.weights @ mixture.probs[0][:, 1])
    assert stats.binomtest(int(cats[:, 0].sum()), len(cats), p_second).pvalue > 1e-3


def test_unbounded_axes_use_the_normal_prior() -> None:
    axes = Axes.of(low=[-np.inf], high=[np.inf], prior_mu=[3.0], prior_sigma=[2.0], categorical=[])
    prior_only = Mixture.fit(axes, np.empty((0, 1)), np.empty((0, 0), dtype=np.int64),
                             prior_weight=1.0, min_fraction=0.03)  # fmt: skip
    x = np.array([[-1.0], [3.0], [8.0]])
    expected = stats.norm(3.0, 2.0).logpdf(x[:, 0])
    np.testing.assert_allclose(prior_only.log_pdf(x, np.empty((3, 0), dtype=np.int64)), expected)


def test_incrementally_sorted_rows_give_the_same_bandwidths() -> None:
    rng = np.random.default_rng(3)
    z = rng.normal(size=(200, 4))
    order = AxisOrder(4)
    for row in z:
        order.insert(row)
    mask = rng.random(200) < 0.7
    low, high = np.full(4, 0.01), np.full(4, 5.0)
    np.testing.assert_array_equal(
        sorted_bandwidths(*order.subset(mask), low, high), bandwidths(z[mask], low, high)
    )


def test_bandwidths_are_the_wider_neighbour_gap_clipped() -> None:
    centers = np.array([[0.0], [0.1], [0.5], [0.52]])
    widths = bandwidths(centers, np.array([0.05]), np.array([0.3]))
    # Gaps 0.1, 0.4, 0.02: the ends take their one gap, inner points the wider one, then clip.
    np.testing.assert_allclose(widths[:, 0], [0.1, 0.3, 0.3, 0.05])


def test_one_blas_thread_limits_and_restores() -> None:
    from threadpoolctl import threadpool_info

    from typedspace.algorithms._parzen import one_blas_thread

    def blas_threads() -> list[int]:
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    before = blas_threads()
    assert before, "numpy's BLAS is loaded"
    with one_blas_thread():
        assert blas_threads() == [1] * len(before)
    assert blas_threads() == before
