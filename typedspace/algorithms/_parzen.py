"""Adaptive Parzen estimators on the internal axes of a group of parameters.

A ``Mixture`` is a weighted set of product kernels, one per observation plus one for the
prior: a truncated Gaussian on each numeric axis ``z`` and a smoothed one-hot distribution on
each categorical axis.  Fitting, sampling and evaluating are vectorized over components,
axes and candidates; nothing loops over observations in Python.  ``SubsetMixture`` keeps the
estimator of a changing subset of a growing table's rows up to date, for TPE's bad trials.

>>> import numpy as np
>>> axes = Axes.of(low=[0.0], high=[1.0], prior_mu=[0.5], prior_sigma=[1.0], categorical=[])
>>> l = Mixture.fit(axes, np.array([[0.2], [0.25]]), np.empty((2, 0), dtype=np.int64),
...                 prior_weight=1.0, min_fraction=0.03)
>>> z, cats = l.sample(np.random.default_rng(0), 5)
>>> z.shape, bool(np.all((0 <= z) & (z <= 1))), l.log_pdf(z, cats).shape
((5, 1), True, (5,))
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from scipy.special import ndtr, ndtri
from threadpoolctl import ThreadpoolController

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


@functools.cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()  # inspects the loaded libraries once (about 2 ms)


def one_blas_thread() -> AbstractContextManager[Any]:
    """Run the enclosed products on one BLAS thread.

    ``log_pdf``'s products are small (24 candidates x 2d by one column per observation): a
    multi-threaded BLAS spends more on waking its threads than on the work, and on 2 cores
    one proposal at 3,600 trials took 15 ms instead of 3.5 ms.  Entering costs ~20 us.
    """
    limiter: AbstractContextManager[Any] = _blas().limit(limits=1, user_api="blas")
    return limiter


@attrs.frozen
class Axes:
    """The axes of a group: numeric bounds (possibly infinite) and prior ``N(mu, sigma)`` per
    numeric axis (for a uniform prior, mu is the midpoint and sigma the width, as in
    Hyperopt), and the prior probabilities of each categorical axis' options."""

    low: FloatArray
    high: FloatArray
    prior_mu: FloatArray
    prior_sigma: FloatArray
    categorical: tuple[FloatArray, ...]

    @classmethod
    def of(
        cls,
        *,
        low: Sequence[float],
        high: Sequence[float],
        prior_mu: Sequence[float],
        prior_sigma: Sequence[float],
        categorical: Sequence[Sequence[float]],
    ) -> Axes:
        def floats(xs: Sequence[float]) -> FloatArray:
            return np.asarray(xs, dtype=np.float64).reshape(-1)

        priors = tuple(floats(p) / sum(p) for p in categorical)
        return cls(floats(low), floats(high), floats(prior_mu), floats(prior_sigma), priors)

    @property
    def n_numeric(self) -> int:
        return len(self.low)


def bandwidths(centers: FloatArray, min_sigma: FloatArray, max_sigma: FloatArray) -> FloatArray:
    """Adaptive bandwidths for every axis at once: each kernel is as wide as the larger gap to
    its neighbours on its axis (the outermost kernels have one neighbour, a lone kernel none),
    clipped to ``[min_sigma, max_sigma]``.  ``centers`` has shape (n, axes).

    This is Hyperopt's rule except that, as in Optuna, the prior's mean does not count as a
    neighbour: it would widen the outermost good kernels towards the middle of the space
    (measured: clearly worse on Hartmann-6 and Styblinski-Tang, see the TPE docstring).
    """
    # One row per axis: sorting contiguous rows is several times faster than sorting columns.
    points = np.ascontiguousarray(centers.T)
    order = np.argsort(points, axis=1)
    return sorted_bandwidths(np.take_along_axis(points, order, axis=1), order, min_sigma, max_sigma)


def sorted_bandwidths(
    values: FloatArray, positions: IntArray, min_sigma: FloatArray, max_sigma: FloatArray
) -> FloatArray:
    """``bandwidths`` from each axis' sorted values (axes, n) and the rows they belong to."""
    d, n = values.shape
    if n < 2:
        return np.broadcast_to(max_sigma, (n, d)).copy()
    gaps = np.diff(values, axis=1)
    widest = np.maximum(
        np.concatenate([gaps[:, :1], gaps], axis=1), np.concatenate([gaps, gaps[:, -1:]], axis=1)
    )
    # A flat-index scatter is faster than put_along_axis.
    widths = np.empty(d * n)
    widths[(positions + n * np.arange(d)[:, None]).ravel()] = widest.ravel()
    # np.minimum/np.maximum: np.clip's Python-level overhead shows on small groups.
    result: FloatArray = np.minimum(np.maximum(widths.reshape(d, n).T, min_sigma), max_sigma)
    return result


class AxisOrder:
    """For a table of rows grown one at a time, each axis' values in sorted order and the rows
    they come from, kept sorted by insertion (linear in the rows, once per new row), so that
    fitting a model to any subset of the rows needs no sort.

    >>> order = AxisOrder(1)
    >>> for value in (0.5, 0.1, 0.3):
    ...     order.insert(np.array([value]))
    >>> values, positions = order.subset(np.array([True, False, True]))
    >>> values.tolist(), positions.tolist()
    ([[0.3, 0.5]], [[1, 0]])
    """

    def __init__(self, axes: int) -> None:
        self.values = np.empty((axes, 16))
        self.rows = np.empty((axes, 16), dtype=np.int64)
        self.size = 0

    def insert(self, row: FloatArray) -> None:
        n = self.size
        if n == self.values.shape[1]:
            self.values = np.concatenate([self.values, np.empty_like(self.values)], axis=1)
            self.rows = np.concatenate([self.rows, np.empty_like(self.rows)], axis=1)
        # After equal values, so ties keep the order in which rows arrived.
        where = (self.values[:, :n] <= row[:, None]).sum(axis=1).tolist()
        for k, at in enumerate(where):
            self.values[k, at + 1 : n + 1] = self.values[k, at:n]
            self.rows[k, at + 1 : n + 1] = self.rows[k, at:n]
            self.values[k, at], self.rows[k, at] = row[k], n
        self.size += 1

    def positions(self, rows: IntArray, values: FloatArray) -> IntArray:
        """Where the rows ``rows`` (whose values are the rows of ``values``) are on each
        axis: (rows, axes)."""
        n, (m, d) = self.size, values.shape
        out = np.empty((m, d), dtype=np.int64)
        for k in range(d):
            out[:, k] = np.searchsorted(self.values[k, :n], values[:, k])
        # Equal values are in row order (a new row goes after them): where another row
        # comes first, search among them.
        others = np.nonzero(self.rows[np.arange(d), out] != rows[:, None])
        for i, k in zip(*(index.tolist() for index in others), strict=True):
            end = np.searchsorted(self.values[k, :n], values[i, k], side="right")
            out[i, k] += np.searchsorted(self.rows[k, out[i, k] : end], rows[i])
        return out

    def subset(self, mask: npt.NDArray[np.bool_]) -> tuple[FloatArray, IntArray]:
        """Each axis' sorted values among the rows in ``mask`` and those rows' positions
        within the subset, both of shape (axes, rows in mask)."""
        rows = self.rows[:, : self.size]
        keep = mask[rows]
        shape = (len(rows), int(np.count_nonzero(mask)))
        positions = (np.cumsum(mask) - 1)[rows[keep]]
        return self.values[:, : self.size][keep].reshape(shape), positions.reshape(shape)


def _log_prod(factors: FloatArray) -> FloatArray:
    """``log(factors).sum(axis=1)`` with one log per 16 columns instead of one per entry.
    Factors are in [1e-6 / 3, 1] (kernel width over prior width, times a mass of at least
    1/3), so a product of 16 never underflows."""
    total = np.zeros(len(factors))
    for start in range(0, factors.shape[1], 16):
        total += np.log(factors[:, start : start + 16].prod(axis=1))
    return total


def kernel_terms(axes: Axes, mus: FloatArray, sigmas: FloatArray) -> tuple[FloatArray, ...]:
    """Per kernel (rows of ``mus``, ``sigmas``): 1 / sigma**2, mu / sigma**2 and the log of
    its normalizer (over the prior's, see ``Mixture``'s ``const``)."""
    # Each kernel's normalizer: sigma times its mass inside the bounds, 1 minus the tails
    # below and above.  Only kernels within 6 sigma of a bound lose more than 1e-9 of
    # their mass, so only their tails are computed (a kernel's mean is inside its bounds,
    # so the tails sum to at most 2/3 for kernels no wider than the prior, and 1 - tails
    # is accurate).  Transcendental functions dominate the cost on large g models, hence
    # the tails only where needed and one log per 16 axes (see _log_prod).
    inv_sigma = 1.0 / sigmas
    tails = np.zeros(mus.size)
    for distance in ((mus - axes.low) * inv_sigma, (axes.high - mus) * inv_sigma):
        # Integer indices of the few near kernels: boolean-mask updates cost more here.
        flat = distance.reshape(-1)
        near = np.flatnonzero(flat < 6.0)
        if len(near):
            tails[near] += ndtr(-flat[near])
    factor = sigmas / axes.prior_sigma * (1.0 - tails.reshape(mus.shape))
    inv_var = inv_sigma * inv_sigma
    return inv_var, mus * inv_var, _log_prod(factor)


def option_smoothing(n: int, prior: FloatArray) -> float:
    """The share of the prior in a categorical kernel of a model of ``n`` observations."""
    pseudo = 2.0 * len(prior)
    return pseudo / (n + pseudo)


def option_tables(axes: Axes, cats: IntArray, n: int) -> tuple[FloatArray, ...]:
    """Per categorical axis, the kernels of observations ``cats`` in a model of ``n``
    observations, then the prior's: (len(cats) + 1, options)."""
    # A kernel puts most mass on its observed option and spreads the rest like the prior:
    # n parts on the observation against 2 parts per option, so it sharpens as
    # observations accumulate (as Optuna's kernel, which gives each option 1 part).  The
    # wide spread keeps branches of a Cond in play: with 1 part per option the model
    # locked onto a branch that looked good early in 15 of 80 mixed conditional runs, with
    # 2 parts in 5 (and 1 of 80 on fresh seeds), at no cost on the SVC problem.
    probs = []
    rows = len(cats)
    for j, prior in enumerate(axes.categorical):
        smoothing = option_smoothing(n, prior)
        table = np.empty((rows + 1, len(prior)))
        table[:rows] = smoothing * prior
        table[np.arange(rows), cats[:, j]] += 1.0 - smoothing
        table[rows] = prior
        probs.append(table)
    return tuple(probs)


@attrs.frozen
class Mixture:
    """Weighted product kernels: truncated Gaussians on numeric axes, tables on categorical ones.

    ``mus``/``sigmas`` have shape (components, numeric axes); ``probs`` holds one
    (components, options) table per categorical axis; ``weights`` sum to 1 (except in the
    small part of a ``SubsetModel``, weighted with the rest).
    """

    axes: Axes
    mus: FloatArray
    sigmas: FloatArray
    probs: tuple[FloatArray, ...]
    weights: FloatArray
    #: ``log_pdf`` is one matrix product: [z**2, z] @ coef + const (then a log-sum-exp).
    coef: FloatArray = attrs.field(init=False)
    const: FloatArray = attrs.field(init=False)
    log_probs: tuple[FloatArray, ...] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        inv_var, scaled, log_norm = kernel_terms(self.axes, self.mus, self.sigmas)
        const = (
            np.log(self.weights)
            - log_norm
            - 0.5 * (self.mus * scaled).sum(axis=1)
            - (np.log(self.axes.prior_sigma).sum() + LOG_SQRT_2PI * self.axes.n_numeric)
        )
        object.__setattr__(self, "coef", np.concatenate([-0.5 * inv_var, scaled], axis=1).T)
        object.__setattr__(self, "const", const)
        object.__setattr__(self, "log_probs", tuple(np.log(table) for table in self.probs))

    @classmethod
    def fit(
        cls,
        axes: Axes,
        z: FloatArray,
        cats: IntArray,
        *,
        prior_weight: float,
        min_fraction: float,
        presorted: tuple[FloatArray, IntArray] | None = None,
        weights: FloatArray | None = None,
    ) -> Mixture:
        """The estimator of observations ``z`` (n, numeric) and ``cats`` (n, categorical),
        each of weight 1 (or ``weights``, positive, one per observation), plus the prior of
        weight ``prior_weight``.  Kernels are at least ``min_fraction`` and at most 1 times
        the prior's width on each numeric axis.  ``presorted`` is ``z`` sorted per axis, if
        known (see ``AxisOrder.subset``)."""
        n = len(z)
        low, high = axes.prior_sigma * min_fraction, axes.prior_sigma
        if presorted is None:
            sigmas = bandwidths(z, low, high)
        else:
            sigmas = sorted_bandwidths(*presorted, low, high)
        every = np.ones(n + 1)
        if weights is not None:
            every[:n] = weights
        every[n] = prior_weight
        return cls(
            axes,
            np.concatenate([z, axes.prior_mu[None, :]]),
            np.concatenate([sigmas, axes.prior_sigma[None, :]]),
            option_tables(axes, cats, n),
            every / every.sum(),
        )

    def sample(self, rng: np.random.Generator, size: int) -> tuple[FloatArray, IntArray]:
        """``size`` points: numeric coordinates (size, numeric) and options (size, categorical)."""
        component = np.minimum(
            np.searchsorted(np.cumsum(self.weights), rng.random(size), side="right"),
            len(self.weights) - 1,
        )
        mu, sigma = self.mus[component], self.sigmas[component]
        low, high = self.axes.low, self.axes.high
        # Inverse-CDF sampling of each truncated Gaussian, all axes at once.
        lo, hi = ndtr((low - mu) / sigma), ndtr((high - mu) / sigma)
        u = np.minimum(np.maximum(lo + rng.random(mu.shape) * (hi - lo), 1e-300), 1 - 1e-16)
        z = np.minimum(np.maximum(mu + sigma * ndtri(u), low), high)
        cats = np.empty((size, len(self.probs)), dtype=np.int64)
        for j, table in enumerate(self.probs):
            cumulative = np.cumsum(table[component], axis=1)
            draws = rng.random(size)[:, None] * cumulative[:, -1:]
            cats[:, j] = np.minimum((cumulative < draws).sum(axis=1), table.shape[1] - 1)
        return z, cats

    def log_terms(self, z: FloatArray, cats: IntArray) -> FloatArray:
        """Each component's weighted log-density at each point: (points, components)."""
        # sum_j -(z_j - mu_j)^2 / (2 sigma_j^2) for every (point, component): one product.
        total = np.concatenate([z * z, z], axis=1) @ self.coef + self.const
        for j, log_table in enumerate(self.log_probs):
            total += log_table[:, cats[:, j]].T
        return total

    def log_pdf(self, z: FloatArray, cats: IntArray) -> FloatArray:
        """The log-density of each point (rows of ``z`` and ``cats``)."""
        total = self.log_terms(z, cats)
        top = total.max(axis=1)
        # Single-precision exp is several times faster (SIMD on AVX2); its relative error of
        # 1e-7 is far below what separates candidates.
        shifted = (total - top[:, None]).astype(np.float32)
        # Summed in single precision too: the largest term is 1, so the sum is accurate to
        # 1e-7 relative; a float64 accumulator would cost a slow casting reduction.
        result: FloatArray = top + np.log(np.exp(shifted).sum(axis=1)).astype(np.float64)
        return result
