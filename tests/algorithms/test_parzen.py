"""Parzen estimators: normalized densities, samples in bounds, presorted = sorted bandwidths,
the incrementally kept subset model = a refit."""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.special import logsumexp

from typedspace.algorithms._parzen import (
    Axes,
    AxisOrder,
    Mixture,
    bandwidths,
    sorted_bandwidths,
)
from typedspace.algorithms._subset import SubsetMixture

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


def refit(
    axes: Axes, z: np.ndarray, cats: np.ndarray, prior_weight: float, min_fraction: float = 0.03
) -> Mixture:
    """``Mixture.fit`` with equal values in row order (SubsetMixture's order for ties)."""
    points = np.ascontiguousarray(z.T)
    order = np.argsort(points, axis=1, kind="stable")
    presorted = (np.take_along_axis(points, order, axis=1), order)
    return Mixture.fit(
        axes, z, cats, prior_weight=prior_weight, min_fraction=min_fraction, presorted=presorted
    )


def test_subset_mixture_equals_a_refit_as_rows_join_and_leave() -> None:
    # Quantized axes (ties between rows, and between rows and extra observations), an
    # unbounded one, two categorical axes, single changes and mass changes (a refit), from
    # 0 members up, extra observations (the constant liar's) or none.
    axes = Axes.of(
        low=[0.0, -np.inf, -2.0],
        high=[1.0, np.inf, 3.0],
        prior_mu=[0.5, 1.0, 0.5],
        prior_sigma=[1.0, 2.0, 5.0],
        categorical=[[1, 2, 3], [1, 1]],
    )
    rng = np.random.default_rng(0)

    def draw(m: int) -> tuple[np.ndarray, np.ndarray]:
        z = np.column_stack(
            [np.round(rng.random(m), 1), rng.normal(1, 2, m), np.round(rng.uniform(-2, 3, m), 2)]
        )
        return z, np.column_stack([rng.integers(0, 3, m), rng.integers(0, 2, m)])

    order = AxisOrder(3)
    subset = SubsetMixture(axes, order, min_fraction=0.03)
    z, cats = np.empty((0, 3)), np.empty((0, 2), dtype=np.int64)
    members = np.zeros(0, dtype=bool)
    for _ in range(300):
        row, row_cats = draw(1)
        order.insert(row[0])
        z, cats = np.concatenate([z, row]), np.concatenate([cats, row_cats])
        members = np.append(members, rng.random() < 0.9)
        flips = rng.integers(
            0, len(members), rng.choice([0, 1, 2, 3, 40], p=[0.3, 0.3, 0.2, 0.15, 0.05])
        )
        members[flips] = ~members[flips]
        subset.sync(z, cats, members)
        extra, extra_cats = draw(int(rng.integers(0, 4)))
        if len(extra) and rng.random() < 0.5:
            extra[0] = z[rng.integers(len(z))]  # equal to a row on every axis
        model = subset.model(extra, extra_cats, prior_weight=0.7)
        expected = refit(
            axes,
            np.concatenate([z[members], extra]),
            np.concatenate([cats[members], extra_cats]),
            0.7,
        )
        points, options = draw(24)
        points[:5] = z[rng.integers(len(z), size=5)]  # on kernels' centers
        # In float64, so that only the kernels' own rounding shows.
        np.testing.assert_allclose(
            logsumexp(np.concatenate(model.log_terms(points, options), axis=1), axis=1),
            logsumexp(expected.log_terms(points, options), axis=1),
            rtol=0,
            atol=1e-9,
        )
        # log_pdf sums in float32, as Mixture's.
        np.testing.assert_allclose(
            model.log_pdf(points, options), expected.log_pdf(points, options), rtol=0, atol=1e-5
        )
