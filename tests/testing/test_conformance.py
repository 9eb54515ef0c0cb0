"""The distribution conformance check: shipped distributions pass, broken ones fail."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import pytest

from typedspace.distributions import (
    Beta,
    BoundedPoisson,
    ContinuousDistribution,
    DiscreteDistribution,
    TruncatedExponential,
)
from typedspace.distributions._base import FloatArray, IntArray
from typedspace.errors import DistributionCheckError
from typedspace.testing._conformance import CHECKS, Distribution, check_distribution

SHIPPED: list[Distribution] = [
    Beta(2.0, 5.0),
    Beta(0.5, 0.5),
    TruncatedExponential(scale=0.1, upper=1.0),
    TruncatedExponential(scale=5.0, upper=2.0),
    BoundedPoisson(mean=3.0, low=1, high=10),
    BoundedPoisson(mean=40.0, low=0, high=100),
]


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("dist", SHIPPED, ids=repr)
def test_shipped_distributions_pass_every_check(dist: Distribution, check: str) -> None:
    CHECKS[check](dist)


# -- deliberately broken distributions: each must fail, on the property it breaks ------------


@attrs.frozen
class OutOfSupport(Beta):
    """Samples spill past 1 (about 2% of them for Beta(2, 5))."""

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        spilled: FloatArray = rng.beta(self.a, self.b, size=n) * 1.5
        return spilled


@attrs.frozen
class WrongCdf(Beta):
    """The CDF of another Beta."""

    def cdf(self, x: FloatArray) -> FloatArray:
        return Beta(self.a + 1.0, self.b).cdf(x)

    def ppf(self, u: FloatArray) -> FloatArray:
        return Beta(self.a + 1.0, self.b).ppf(u)


@attrs.frozen
class WrongDensity(Beta):
    """A log-density off by a constant factor (not normalized)."""

    def logpdf(self, x: FloatArray) -> FloatArray:
        doubled: FloatArray = super().logpdf(x) + np.log(2.0)
        return doubled


@attrs.frozen
class Unseeded(Beta):
    """Ignores the generator it is given."""

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        fresh: FloatArray = np.random.default_rng().beta(self.a, self.b, size=n)
        return fresh


@attrs.frozen
class FloatCounts(BoundedPoisson):
    """A discrete distribution that samples floats."""

    def sample(self, rng: np.random.Generator, n: int) -> IntArray:
        # mypy cannot see the dtype change: exactly the bug the checker must catch at run time
        return super().sample(rng, n).astype(np.float64)


@attrs.frozen
class WrongMass(BoundedPoisson):
    """A mass function of another mean."""

    def logpmf(self, k: IntArray) -> FloatArray:
        return BoundedPoisson(self.mean * 1.5, self.low, self.high).logpmf(k)


@attrs.frozen
class ShortBatch(TruncatedExponential):
    """Returns one value fewer than asked."""

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return super().sample(rng, n)[:-1]


BROKEN: list[tuple[Distribution, str, str]] = [
    (OutOfSupport(2.0, 5.0), "support", "outside the support"),
    (WrongCdf(2.0, 5.0), "goodness of fit", "do not follow cdf"),
    (WrongDensity(2.0, 5.0), "density matches cdf", "integrates to"),
    (Unseeded(2.0, 5.0), "seed reproduces", "seed 7 gave"),
    (FloatCounts(3.0, 1, 10), "type", "must sample ints"),
    (WrongMass(3.0, 1, 10), "goodness of fit", "do not follow logpmf"),
    (ShortBatch(0.1, 1.0), "sample shape", "shape"),
]


@pytest.mark.parametrize(("dist", "check", "message"), BROKEN, ids=lambda v: type(v).__name__)
def test_broken_distributions_fail_with_a_clear_message(
    dist: Distribution, check: str, message: str
) -> None:
    with pytest.raises(DistributionCheckError, match=message) as raised:
        check_distribution(dist)
    assert raised.value.check == check
    assert type(dist).__name__ in str(raised.value)


def test_each_broken_distribution_fails_only_what_it_breaks() -> None:
    # WrongDensity samples correctly: the sampling checks pass, the density check fails.
    passing: list[Callable[[Distribution], None]] = [
        CHECKS["support and type"],
        CHECKS["goodness of fit"],
    ]
    for check in passing:
        check(WrongDensity(2.0, 5.0))


def test_not_a_distribution() -> None:
    with pytest.raises(TypeError, match="ContinuousDistribution"):
        check_distribution("beta")  # type: ignore[arg-type]


class _Abstract(ContinuousDistribution):
    pass


def test_missing_methods_are_caught_by_the_base_class() -> None:
    with pytest.raises(TypeError, match="abstract"):
        _Abstract()  # type: ignore[abstract]


def test_discrete_base_is_exported() -> None:
    assert issubclass(BoundedPoisson, DiscreteDistribution)


# -- distributions that sample well but cannot be stored (issue 14, item 5) ------------------


class PlainBeta(ContinuousDistribution):
    """A plain class: it samples correctly, but compares (and prints) by identity."""

    def __init__(self, a: float, b: float) -> None:
        self.beta = Beta(a, b)

    def support(self) -> tuple[float, float]:
        return self.beta.support()

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return self.beta.sample(rng, n)

    def logpdf(self, x: FloatArray) -> FloatArray:
        return self.beta.logpdf(x)

    def cdf(self, x: FloatArray) -> FloatArray:
        return self.beta.cdf(x)

    def ppf(self, u: FloatArray) -> FloatArray:
        return self.beta.ppf(u)


class ComparableBeta(PlainBeta):
    """Equal and hashable by its parameters, but printed with its address (no __repr__)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ComparableBeta) and self.beta == other.beta

    def __hash__(self) -> int:
        return hash(self.beta)


@attrs.define
class MutableBeta(ContinuousDistribution):
    """An attrs class that is not frozen: equal when rebuilt, but not hashable."""

    a: float
    b: float

    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return Beta(self.a, self.b).sample(rng, n)

    def logpdf(self, x: FloatArray) -> FloatArray:
        return Beta(self.a, self.b).logpdf(x)

    def cdf(self, x: FloatArray) -> FloatArray:
        return Beta(self.a, self.b).cdf(x)

    def ppf(self, u: FloatArray) -> FloatArray:
        return Beta(self.a, self.b).ppf(u)


@attrs.frozen
class HoldsAnObject(Beta):
    """A field holding an object printed with its address (and not a JSON constant)."""

    source: object = attrs.field(factory=object, eq=False)


@attrs.frozen
class SetField(Beta):
    """A field that is no JSON constant (a frozenset)."""

    tags: frozenset[str] = frozenset({"a"})


UNSTORABLE: list[tuple[Distribution, str, str]] = [
    (PlainBeta(2.0, 5.0), "equal when rebuilt", "copied .* is not equal to it"),
    (ComparableBeta(2.0, 5.0), "equal when rebuilt", "object address"),
    (MutableBeta(2.0, 5.0), "equal when rebuilt", "not hashable"),
    (HoldsAnObject(2.0, 5.0), "equal when rebuilt", "object address"),
    (SetField(2.0, 5.0), "serializes", "cannot be serialized"),
]


@pytest.mark.parametrize(("dist", "check", "message"), UNSTORABLE, ids=lambda v: type(v).__name__)
def test_a_distribution_that_breaks_resume_fails_the_check(
    dist: Distribution, check: str, message: str
) -> None:
    # Each one passes every statistical check: before, check_distribution passed them all,
    # and the first resume of a stored study raised StudyMismatch (or to_json refused them).
    with pytest.raises(DistributionCheckError, match=message) as raised:
        check_distribution(dist)
    assert raised.value.check == check
    text = str(raised.value)
    assert type(dist).__name__ in text
    assert "attrs" in text or "JSON" in text  # says what to do


def test_the_message_says_how_to_fix_a_plain_class() -> None:
    with pytest.raises(DistributionCheckError) as raised:
        CHECKS["equal when rebuilt"](PlainBeta(2.0, 5.0))
    text = str(raised.value)
    assert text.startswith("PlainBeta fails 'equal when rebuilt'")
    assert "@attrs.frozen" in text and "__eq__ and __hash__" in text


def test_a_local_class_does_not_serialize() -> None:
    @attrs.frozen
    class LocalBeta(Beta):
        pass

    CHECKS["equal when rebuilt"](LocalBeta(2.0, 5.0))  # a value: it is equal when rebuilt
    with pytest.raises(DistributionCheckError, match="define it at module level") as raised:
        CHECKS["serializes"](LocalBeta(2.0, 5.0))
    assert raised.value.check == "serializes" and "LocalBeta" in str(raised.value)


def test_a_class_made_by_exec_is_checked_by_its_fields() -> None:
    # Code run outside any module (a docs page, a notebook runner) has no importable path;
    # its fields still have to round-trip.
    namespace: dict[str, object] = {"__name__": "not_a_module", "attrs": attrs, "Beta": Beta}
    exec("@attrs.frozen\nclass ExecBeta(Beta):\n    pass\n", namespace)
    made: Any = namespace["ExecBeta"]
    CHECKS["serializes"](made(2.0, 5.0))


@pytest.mark.parametrize("dist", SHIPPED, ids=repr)
def test_shipped_distributions_round_trip_through_json(dist: Distribution) -> None:
    from typedspace import Custom, from_json, to_json

    assert from_json(to_json(Custom(dist))) == Custom(dist)
