"""The protocol for user-defined distributions: subclass one of these two base classes.

A distribution is a value: make it a frozen attrs class with its parameters as fields, so
spaces stay hashable and serializable and a stored study recognizes its space when resumed
(``typedspace.testing.check_distribution`` checks all of it).  Every backend handles it through these methods only:

* the sampler calls ``sample``;
* TPE models the parameter on the unit interval through ``cdf`` (and ``ppf`` back), so a
  custom leaf gets the same adaptive Parzen estimator as a built-in one;
* the printer shows ``describe()``; the serializer stores the class's import path and fields.
"""

from __future__ import annotations

import abc

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class ContinuousDistribution(abc.ABC):
    """A distribution over floats with a CDF and its inverse.

    Subclasses implement ``support``, ``sample``, ``logpdf``, ``cdf`` and ``ppf``;
    use them in a space with ``Custom(dist)`` (a ``Space[float]``).
    """

    @abc.abstractmethod
    def support(self) -> tuple[float, float]:
        """The smallest and largest possible values (may be infinite)."""

    @abc.abstractmethod
    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` independent draws, as one vectorized call."""

    @abc.abstractmethod
    def logpdf(self, x: FloatArray) -> FloatArray:
        """The log-density at each of ``x``."""

    @abc.abstractmethod
    def cdf(self, x: FloatArray) -> FloatArray:
        """P(X <= x) at each of ``x``."""

    @abc.abstractmethod
    def ppf(self, u: FloatArray) -> FloatArray:
        """The inverse of ``cdf`` at each probability in ``u``."""

    def describe(self) -> str:
        """One line for the pretty-printer (defaults to the repr)."""
        return repr(self)


class DiscreteDistribution(abc.ABC):
    """A distribution over a bounded range of ints.

    Subclasses implement ``support`` (finite bounds), ``sample``, ``logpmf`` and ``cdf``;
    use them in a space with ``Custom(dist)`` (a ``Space[int]``).
    """

    @abc.abstractmethod
    def support(self) -> tuple[int, int]:
        """The smallest and largest possible values, both included."""

    @abc.abstractmethod
    def sample(self, rng: np.random.Generator, n: int) -> IntArray:
        """``n`` independent draws, as one vectorized call."""

    @abc.abstractmethod
    def logpmf(self, k: IntArray) -> FloatArray:
        """The log-probability of each of ``k``."""

    @abc.abstractmethod
    def cdf(self, k: IntArray) -> FloatArray:
        """P(X <= k) at each of ``k``."""

    def describe(self) -> str:
        """One line for the pretty-printer (defaults to the repr)."""
        return repr(self)
