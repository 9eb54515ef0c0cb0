"""The Gaussian process behind ``GP``: a Matérn-5/2 kernel with one lengthscale per
parameter, fitted by maximizing the log marginal likelihood plus weak log-normal priors, and
the logarithm of expected improvement, with gradients for both.

Inputs are the encoded points of ``_gp`` (numeric parameters on [0, 1], categorical ones
one-hot scaled by ``1 / sqrt(2)`` so that two different options are at distance 1); ``dims``
maps each input column to its parameter, whose lengthscale it shares.  Targets are
standardized losses; the kernel's variance is fixed at 1 (as BoTorch's default since 0.12:
one hyperparameter less to fit from a handful of points).

>>> import numpy as np
>>> x = np.linspace(0.0, 1.0, 8)[:, None]
>>> y = np.sin(6 * x[:, 0])
>>> gp = Posterior.fit(x, (y - y.mean()) / y.std(), np.array([0]), starts=[])
>>> mean, var = gp.predict(np.array([[0.3]]))
>>> bool(abs(mean[0] * y.std() + y.mean() - np.sin(1.8)) < 0.05), bool(var[0] < 0.05)
(True, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.linalg
import scipy.optimize
from scipy.special import erfcx, log_ndtr

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

SQRT5 = math.sqrt(5.0)
#: Added to the kernel's diagonal besides the fitted noise, so that the Cholesky
#: factorization succeeds even for repeated points.
JITTER = 1e-6
#: The noise variance (of standardized losses) is fitted inside these bounds.
NOISE_BOUNDS = (1e-6, 1.0)
#: Lengthscales (inputs on [0, 1]) are fitted inside these bounds.
LENGTHSCALE_BOUNDS = (1e-2, 1e2)
#: The log-normal prior on the noise variance: median exp(-4) ~ 0.018 (BoTorch's default).
NOISE_PRIOR = (-4.0, 1.0)
#: L-BFGS-B's tolerances for the hyperparameters: a relative change of the log posterior
#: below 1e-7 or a gradient below 1e-3 moves nothing that matters for the acquisition.
FIT_FTOL, FIT_GTOL = 1e-7, 1e-3
_LOG_2PI_HALF = 0.5 * math.log(2 * math.pi)


def lengthscale_prior(d: int) -> tuple[float, float]:
    """The log-normal prior on each lengthscale: location ``log(d) / 2``, scale ``sqrt(3)``.

    The ``sqrt(d)`` growth is Hvarfner, Hellsten and Nardi's ("Vanilla Bayesian optimization
    performs great in high dimensions", ICML 2024; BoTorch's default): longer lengthscales in
    more dimensions keep the model from calling every unexplored corner promising.  Their
    location adds ``sqrt(2)`` (a median 4.1 times longer); without it, on Hartmann-6 the mean
    regret after 32 evaluations was 0.49 instead of 0.78 (30 seeds, standard errors about
    0.1 and 0.12), with no difference on Branin (0.22 against 0.16, errors 0.1) or on the
    mixed conditional problem of ``benchmarks/problems.py`` (0.071 against 0.073)."""
    return 0.5 * math.log(max(d, 1)), math.sqrt(3.0)


def prior_mode(n_dims: int) -> FloatArray:
    """The hyperparameters (log lengthscales, log noise variance) the priors favour."""
    return np.append(np.full(n_dims, lengthscale_prior(n_dims)[0]), NOISE_PRIOR[0])


def _matern(r2: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """k(r), and the two factors the gradients need: ``(1 + sqrt5 r) exp(-sqrt5 r)``, r."""
    r = np.sqrt(np.maximum(r2, 0.0))
    e = np.exp(-SQRT5 * r)
    poly = 1.0 + SQRT5 * r
    return (poly + (5.0 / 3.0) * r2) * e, poly * e, r


def _matern_only(r2: FloatArray) -> FloatArray:
    """k(r) alone, overwriting ``r2`` (fewer passes and temporaries than ``_matern``)."""
    s = np.sqrt(np.maximum(r2, 0.0, out=r2), out=r2)
    s *= SQRT5  # sqrt5 r
    e = np.exp(-s)
    k = s * s
    k *= 1.0 / 3.0
    k += s
    k += 1.0
    k *= e  # (1 + sqrt5 r + 5 r^2 / 3) exp(-sqrt5 r)
    return k


def _sq_dist(a: FloatArray, b: FloatArray) -> FloatArray:
    d2 = (a * a).sum(1)[:, None] + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
    out: FloatArray = np.maximum(d2, 0.0)
    return out


def per_dim_sq_dist(x: FloatArray, dims: IntArray, n_dims: int) -> FloatArray:
    """``(n_dims, n, n)``: each parameter's squared distance between the rows of ``x``."""
    diff2 = (x[:, None, :] - x[None, :, :]) ** 2
    out = np.zeros((n_dims, len(x), len(x)))
    for column, dim in enumerate(dims.tolist()):
        out[dim] += diff2[:, :, column]
    return out


class Posterior:
    """A GP conditioned on ``(x, y)`` with fixed hyperparameters ``theta`` (log lengthscales
    per parameter, then log noise variance)."""

    def __init__(self, x: FloatArray, y: FloatArray, dims: IntArray, theta: FloatArray) -> None:
        self.x, self.y, self.dims, self.theta = x, y, dims, theta
        n_dims = len(theta) - 1
        self.lengthscales = np.exp(theta[:n_dims])
        self.noise = float(np.exp(theta[n_dims]))
        self.inv_ls2 = 1.0 / self.lengthscales[dims] ** 2  # per column
        self.xs = x / self.lengthscales[dims]
        k, _, _ = _matern(_sq_dist(self.xs, self.xs))
        k[np.diag_indices_from(k)] += self.noise + JITTER
        self.chol = _cholesky(k)
        # L^-1, once: the predictions and gradients at many candidates are then plain
        # matrix products (v = L^-1 k = k L^-T) instead of a triangular solve per call.
        self.chol_inv = _tri_inv(self.chol)
        self.alpha = self.chol_inv.T @ (self.chol_inv @ y)

    @classmethod
    def fit(
        cls, x: FloatArray, y: FloatArray, dims: IntArray, starts: Sequence[FloatArray]
    ) -> Posterior:
        """Hyperparameters by L-BFGS-B on the log posterior from each of ``starts`` (the
        prior's mode without any); the best optimum wins."""
        theta = fit_hyperparameters(x, y, dims, starts)
        return cls(x, y, dims, theta)

    def condition(self, x_new: FloatArray, y_new: FloatArray) -> Posterior:
        """The same hyperparameters, conditioned on more points (the kriging believer)."""
        return Posterior(
            np.concatenate([self.x, x_new]), np.concatenate([self.y, y_new]), self.dims, self.theta
        )

    def predict(self, c: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The latent function's posterior mean and variance at the rows of ``c``."""
        k = _matern_only(_sq_dist(c / self.lengthscales[self.dims], self.xs))
        mean = k @ self.alpha
        v = k @ self.chol_inv.T
        var = np.maximum(1.0 - (v * v).sum(1), 1e-12)
        return mean, var

    def log_ei(self, c: FloatArray, best: float) -> FloatArray:
        """log expected improvement below ``best`` at the rows of ``c``."""
        mean, var = self.predict(c)
        sd = np.sqrt(var)
        return np.log(sd) + log_h((best - mean) / sd)

    def log_ei_grad(self, c: FloatArray, best: float) -> tuple[FloatArray, FloatArray]:
        """log EI at the rows of ``c`` and its gradient with respect to ``c``."""
        k, poly_e, _ = _matern(_sq_dist(c / self.lengthscales[self.dims], self.xs))
        mean = k @ self.alpha
        v = k @ self.chol_inv.T
        kinv_k = v @ self.chol_inv  # K^-1 k per row
        var = np.maximum(1.0 - (v * v).sum(1), 1e-12)
        sd = np.sqrt(var)
        z = (best - mean) / sd
        lh = log_h(z)
        value = np.log(sd) + lh
        # dk_i/dc = -(5/3) (1 + sqrt5 r) exp(-sqrt5 r) (c - x_i) / l^2, per column.
        g = -(5.0 / 3.0) * poly_e  # (m, n)

        def contract(w: FloatArray) -> FloatArray:
            """sum_i w_i dk_i/dc for each row: (m, columns)."""
            gw = g * w
            out: FloatArray = (gw.sum(1)[:, None] * c - gw @ self.x) * self.inv_ls2
            return out

        d_mean = contract(np.broadcast_to(self.alpha, g.shape))
        d_var = -2.0 * contract(kinv_k)
        d_sd = d_var / (2.0 * sd[:, None])
        ratio = np.exp(log_ndtr(z) - lh)  # h'(z) / h(z) = Phi(z) / h(z)
        d_z = (-d_mean - z[:, None] * d_sd) / sd[:, None]
        return value, d_sd / sd[:, None] + ratio[:, None] * d_z


def _cholesky(k: FloatArray) -> FloatArray:
    """The lower Cholesky factor, with growing jitter if ``k`` is numerically singular."""
    for extra in (0.0, 1e-6, 1e-4, 1e-2):
        try:
            return np.asarray(np.linalg.cholesky(k + extra * np.eye(len(k))), dtype=np.float64)
        except np.linalg.LinAlgError:
            continue
    return np.asarray(np.linalg.cholesky(k + np.eye(len(k))), dtype=np.float64)


def _tri_inv(chol: FloatArray) -> FloatArray:
    """The inverse of a lower triangular factor (LAPACK's ``trtri``)."""
    inv, info = scipy.linalg.lapack.dtrtri(chol, lower=1)
    if info != 0:
        return np.asarray(
            scipy.linalg.solve_triangular(chol, np.eye(len(chol)), lower=True), dtype=np.float64
        )
    return np.asarray(np.tril(inv), dtype=np.float64)


def log_h(z: FloatArray) -> FloatArray:
    """``log(z Phi(z) + phi(z))``, accurate for very negative ``z`` (Ament et al., "Unexpected
    improvements to expected improvement", NeurIPS 2023, eq. 9).

    >>> [round(float(v), 4) for v in log_h(np.array([-50.0, -1.0, 0.0, 3.0]))]
    [-1258.7442, -2.4851, -0.9189, 1.0987]
    """
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    upper = z > -1.0
    zu = z[upper]
    out[upper] = np.log(zu * np.exp(log_ndtr(zu)) + np.exp(-0.5 * zu * zu - _LOG_2PI_HALF))
    zl = z[~upper]
    very = zl < -1e6  # erfcx(-z / sqrt2) |z| -> sqrt(2 / pi): log1mexp loses everything
    inner = np.log(erfcx(-zl / math.sqrt(2.0)) * np.abs(zl)) + 0.5 * math.log(math.pi / 2)
    tail = -0.5 * zl * zl - _LOG_2PI_HALF
    with np.errstate(divide="ignore"):
        lower = tail + _log1mexp(np.minimum(inner, -1e-300))
    out[~upper] = np.where(very, tail - 2.0 * np.log(np.abs(zl)), lower)
    return out


def _log1mexp(x: FloatArray) -> FloatArray:
    """``log(1 - exp(x))`` for ``x < 0``."""
    return np.where(x > -math.log(2.0), np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


def fit_hyperparameters(
    x: FloatArray, y: FloatArray, dims: IntArray, starts: Sequence[FloatArray]
) -> FloatArray:
    """The MAP hyperparameters (log lengthscales, log noise variance): L-BFGS-B with
    analytic gradients from each of ``starts``, or from the prior's mode without any."""
    n_dims = int(dims.max()) + 1 if len(dims) else 0
    n = len(y)
    d2 = per_dim_sq_dist(x, dims, n_dims).reshape(n_dims, n * n)
    ls_mu, ls_sigma = lengthscale_prior(n_dims)
    mu = np.append(np.full(n_dims, ls_mu), NOISE_PRIOR[0])
    sigma = np.append(np.full(n_dims, ls_sigma), NOISE_PRIOR[1])
    potrf, potri = scipy.linalg.lapack.dpotrf, scipy.linalg.lapack.dpotri

    def objective(theta: FloatArray) -> tuple[float, FloatArray]:
        inv_ls2 = np.exp(-2.0 * theta[:n_dims])
        noise = math.exp(theta[n_dims])
        r2 = (inv_ls2 @ d2).reshape(n, n)
        k, poly_e, _ = _matern(r2)
        k[np.diag_indices_from(k)] += noise + JITTER
        chol, info = potrf(k, lower=1, clean=0, overwrite_a=1)
        if info != 0:
            return 1e10, np.zeros_like(theta)
        # K^-1 from the factor (potri), then mirrored: cheaper than solving for the identity.
        kinv, info = potri(chol, lower=1)
        if info != 0:
            return 1e10, np.zeros_like(theta)
        kinv = np.tril(kinv) + np.tril(kinv, -1).T
        alpha = kinv @ y
        nll = 0.5 * float(y @ alpha) + float(np.log(np.diag(chol)).sum()) + n * _LOG_2PI_HALF
        w = np.outer(alpha, alpha) - kinv  # d(log lik)/dK
        grad = np.empty_like(theta)
        # dK/dlog l_j = (5/3) (1 + sqrt5 r) exp(-sqrt5 r) D2_j / l_j^2
        grad[:n_dims] = -0.5 * (5.0 / 3.0) * inv_ls2 * (d2 @ (w * poly_e).ravel())
        grad[n_dims] = -0.5 * noise * float(np.trace(w))
        z = (theta - mu) / sigma
        return nll + 0.5 * float(z @ z), grad + z / sigma

    bounds = [(math.log(LENGTHSCALE_BOUNDS[0]), math.log(LENGTHSCALE_BOUNDS[1]))] * n_dims
    bounds.append((math.log(NOISE_BOUNDS[0]), math.log(NOISE_BOUNDS[1])))
    low, high = np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds])
    best_theta, best_value = np.clip(mu, low, high), math.inf
    for start in [np.clip(s, low, high) for s in starts] or [np.clip(mu, low, high)]:
        result = scipy.optimize.minimize(
            objective, start, jac=True, method="L-BFGS-B", bounds=bounds,
            options={"maxiter": 200, "ftol": FIT_FTOL, "gtol": FIT_GTOL},
        )  # fmt: skip
        if result.fun < best_value:
            best_theta, best_value = np.asarray(result.x, dtype=np.float64), float(result.fun)
    return np.asarray(best_theta, dtype=np.float64)
