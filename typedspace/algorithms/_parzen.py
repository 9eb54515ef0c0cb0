"""Parzen estimators on the internal axes of a group of parameters.

A ``Mixture`` is a weighted set of product kernels, one per observation plus one for the
prior: a truncated Gaussian on each numeric axis ``z`` and a smoothed one-hot distribution on
each categorical axis.  Everything is vectorized over components and candidates.
"""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt
from scipy.special import ndtr, ndtri

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


@attrs.frozen
class NumericAxis:
    """A numeric parameter's internal axis: bounds (possibly infinite) and prior N(mu, sigma)
    (for a uniform prior, mu is the midpoint and sigma the width, as in Hyperopt)."""

    low: float
    high: float
    prior_mu: float
    prior_sigma: float


@attrs.frozen
class CategoricalAxis:
    """A categorical parameter: the prior probability of each option."""

    prior: FloatArray


def bandwidths(
    centers: FloatArray, prior_mu: FloatArray, prior_sigma: FloatArray, min_fraction: float
) -> FloatArray:
    """Hyperopt's adaptive bandwidths, for every axis at once: each kernel is as wide as the
    larger gap to its neighbours on that axis (the prior's mean counts as a neighbour),
    clipped to ``[prior_sigma * min_fraction, prior_sigma]`` so that kernels neither collapse
    nor grow wider than the prior.  ``centers`` has shape (n, axes)."""
    n = centers.shape[0]
    if n == 0:
        return np.empty((0, centers.shape[1]))
    # One row per axis: sorting contiguous rows is several times faster than sorting columns.
    points = np.hstack([centers.T, prior_mu[:, None]])
    order = np.argsort(points, axis=1)
    gaps = np.diff(np.take_along_axis(points, order, axis=1), axis=1)
    widest = np.maximum(
        np.concatenate([gaps[:, :1], gaps], axis=1), np.concatenate([gaps, gaps[:, -1:]], axis=1)
    )
    widths = np.empty_like(points)
    np.put_along_axis(widths, order, widest, axis=1)
    return np.clip(widths[:, :n].T, prior_sigma * min_fraction, prior_sigma)


@attrs.frozen
class Mixture:
    """Weighted product kernels over numeric axes (truncated Gaussians) and categorical axes.

    ``mus``/``sigmas`` have shape (components, numeric axes); ``probs`` is a list, one
    (components, options) array per categorical axis; ``log_weights`` has one entry per
    component.
    """

    numeric: tuple[NumericAxis, ...]
    categorical: tuple[CategoricalAxis, ...]
    mus: FloatArray
    sigmas: FloatArray
    probs: tuple[FloatArray, ...]
    log_weights: FloatArray
    #: Per component: log weight minus the log-normalizers of its truncated Gaussians.
    log_norm: FloatArray = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        low = np.array([axis.low for axis in self.numeric])
        high = np.array([axis.high for axis in self.numeric])
        reach = 8.0 * self.sigmas
        # Every kernel's mean lies inside its bounds, so Phi(b) - Phi(a) is never a difference
        # of two nearly equal tail values: plain ndtr is accurate.  Most kernels are narrow
        # and far from both bounds (mass 1 to 1e-15): only the others need ndtr.
        near = (self.mus - low < reach) | (high - self.mus < reach)
        log_mass = np.zeros_like(self.mus)
        if near.any():
            mu, sigma = self.mus[near], self.sigmas[near]
            lo, hi = np.broadcast_to(low, near.shape)[near], np.broadcast_to(high, near.shape)[near]
            mass = ndtr((hi - mu) / sigma) - ndtr((lo - mu) / sigma)
            log_mass[near] = np.log(np.maximum(mass, 1e-300))
        terms = np.log(self.sigmas).sum(axis=1) + log_mass.sum(axis=1)
        norm = self.log_weights - terms - _LOG_SQRT_2PI * self.mus.shape[1]
        object.__setattr__(self, "log_norm", norm)

    @classmethod
    def fit(
        cls,
        numeric: tuple[NumericAxis, ...],
        categorical: tuple[CategoricalAxis, ...],
        z: FloatArray,
        cats: IntArray,
        *,
        prior_weight: float,
        min_fraction: float,
    ) -> Mixture:
        """The estimator of observations ``z`` (n, numeric) and ``cats`` (n, categorical),
        each with weight 1, plus the prior with weight ``prior_weight``."""
        n = z.shape[0] if numeric else cats.shape[0]
        prior_mu = np.array([axis.prior_mu for axis in numeric])
        prior_sigma = np.array([axis.prior_sigma for axis in numeric])
        mus = np.vstack([z.reshape(n, len(numeric)), prior_mu[None, :]])
        sigmas = np.vstack(
            [
                bandwidths(z.reshape(n, len(numeric)), prior_mu, prior_sigma, min_fraction),
                prior_sigma[None, :],
            ]
        )
        probs = []
        # A kernel puts most mass on its observed option and smooths the rest like the prior;
        # the smoothing shrinks as observations accumulate.
        smoothing = 1.0 / (n + 1)
        for j, options in enumerate(categorical):
            table = np.empty((n + 1, len(options.prior)))
            table[:n] = smoothing * options.prior
            table[np.arange(n), cats[:, j]] += 1.0 - smoothing
            table[n] = options.prior
            probs.append(table)
        weights = np.append(np.ones(n), prior_weight)
        return cls(numeric, categorical, mus, sigmas, tuple(probs), np.log(weights / weights.sum()))

    def sample(self, rng: np.random.Generator, size: int) -> tuple[FloatArray, IntArray]:
        """``size`` points: numeric coordinates (size, numeric) and options (size, categorical)."""
        weights = np.exp(self.log_weights)
        component = np.minimum(
            np.searchsorted(np.cumsum(weights), rng.random(size) * weights.sum(), side="right"),
            len(weights) - 1,
        )
        mu, sigma = self.mus[component], self.sigmas[component]
        low = np.array([axis.low for axis in self.numeric])
        high = np.array([axis.high for axis in self.numeric])
        # Inverse-CDF sampling of each truncated Gaussian, all axes at once.
        lo, hi = ndtr((low - mu) / sigma), ndtr((high - mu) / sigma)
        u = np.clip(lo + rng.random(mu.shape) * (hi - lo), 1e-300, 1 - 1e-16)
        z = np.clip(mu + sigma * ndtri(u), low, high)
        cats = np.empty((size, len(self.categorical)), dtype=np.int64)
        for j, table in enumerate(self.probs):
            cumulative = np.cumsum(table[component], axis=1)
            draws = rng.random(size)[:, None] * cumulative[:, -1:]
            cats[:, j] = np.minimum((cumulative < draws).sum(axis=1), table.shape[1] - 1)
        return z, cats

    def log_pdf(self, z: FloatArray, cats: IntArray) -> FloatArray:
        """The log-density of each point (rows of ``z`` and ``cats``)."""
        inv_var = 1.0 / self.sigmas**2
        # sum_j (z_j - mu_j)^2 / sigma_j^2 for every (point, component), as matrix products.
        quadratic = (
            (z**2) @ inv_var.T
            - 2.0 * z @ (self.mus * inv_var).T
            + (self.mus**2 * inv_var).sum(axis=1)
        )
        total = self.log_norm - 0.5 * quadratic
        for j, table in enumerate(self.probs):
            total = total + np.log(table[:, cats[:, j]].T)
        top = total.max(axis=1, keepdims=True)
        result: FloatArray = (top + np.log(np.exp(total - top).sum(axis=1, keepdims=True)))[:, 0]
        return result
