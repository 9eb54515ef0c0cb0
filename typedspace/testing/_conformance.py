"""``check_distribution``: the conformance check for a user-defined distribution.

Each property is a small function that raises ``DistributionCheckError`` naming the property
and the offending value.  ``check_distribution(dist)`` runs them all (one call in a test);
``CHECKS`` lets a test suite parametrize over them to see each result separately.
"""

from __future__ import annotations

import copy
import json
import math
import sys
from collections.abc import Callable
from typing import Any, cast

import attrs
import numpy as np
from scipy import integrate, stats

from typedspace.distributions import ContinuousDistribution, DiscreteDistribution
from typedspace.errors import DistributionCheckError, SerializationError

Distribution = ContinuousDistribution | DiscreteDistribution

#: Samples drawn for the statistical checks.
SAMPLES = 4000
#: Significance of the goodness-of-fit test: with fixed seeds a correct distribution fails it
#: with probability 1e-6, so the check is stable, while a wrong CDF at this sample size is
#: detected unless it differs from the samples' law by less than about 0.04 in KS distance.
ALPHA = 1e-6


def _draw(dist: Distribution, seed: int, n: int = SAMPLES) -> np.ndarray[Any, Any]:
    values = dist.sample(np.random.default_rng(seed), n)
    if not isinstance(values, np.ndarray) or values.shape != (n,):
        raise DistributionCheckError(
            "sample shape",
            dist,
            f"sample(rng, {n}) must return an array of shape ({n},), got {values!r:.80}",
        )
    return values


def check_support_and_type(dist: Distribution) -> None:
    """Samples lie in the support and have the declared type (int for discrete)."""
    low, high = dist.support()
    values = _draw(dist, 0)
    discrete = isinstance(dist, DiscreteDistribution)
    if discrete and not np.issubdtype(values.dtype, np.integer):
        raise DistributionCheckError(
            "type", dist, f"a discrete distribution must sample ints, got dtype {values.dtype}"
        )
    if not discrete and not np.issubdtype(values.dtype, np.floating):
        raise DistributionCheckError(
            "type", dist, f"a continuous distribution must sample floats, got dtype {values.dtype}"
        )
    outside = values[~((values >= low) & (values <= high))]
    if outside.size:
        raise DistributionCheckError(
            "support", dist, f"sampled {outside[0]!r}, outside the support [{low}, {high}]"
        )
    from typedspace import Custom, sample_many

    for value in sample_many(Custom(dist), 50, seed=1):
        expected = int if discrete else float
        if type(value) is not expected:
            raise DistributionCheckError(
                "type", dist, f"the sampler returned {value!r} of type {type(value).__name__}"
            )


def check_seed_reproduces(dist: Distribution) -> None:
    """The same seed gives the same samples."""
    a, b = _draw(dist, 7, 100), _draw(dist, 7, 100)
    differ = np.flatnonzero(a != b)
    if differ.size:
        i = differ[0]
        raise DistributionCheckError(
            "seed reproduces", dist, f"seed 7 gave {a[i]!r} then {b[i]!r} at draw {i}"
        )


def check_goodness_of_fit(dist: Distribution) -> None:
    """Samples follow the declared CDF (KS) or mass function (chi-square)."""
    values = _draw(dist, 11)
    if isinstance(dist, ContinuousDistribution):
        result = stats.kstest(values, lambda x: dist.cdf(np.asarray(x, dtype=np.float64)))
        if result.pvalue < ALPHA:
            raise DistributionCheckError(
                "goodness of fit",
                dist,
                f"samples do not follow cdf (KS statistic {result.statistic:.4f}, "
                f"p = {result.pvalue:.2e}, worst near x = {result.statistic_location!r})",
            )
        return
    low, high = dist.support()
    ks = np.arange(low, high + 1)
    probs = np.exp(dist.logpmf(ks))
    observed = np.array([np.sum(values == k) for k in ks], dtype=float)
    expected = probs * len(values)
    # Pool values expected fewer than 5 times (the chi-square approximation needs it).
    small = expected < 5
    obs = np.append(observed[~small], observed[small].sum())
    exp = np.append(expected[~small], expected[small].sum())
    keep = exp > 0
    if np.any(obs[~keep] > 0):
        bad = ks[(probs == 0) & (observed > 0)]
        raise DistributionCheckError(
            "goodness of fit", dist, f"sampled {int(bad[0]) if bad.size else '?'} which has mass 0"
        )
    obs, exp = obs[keep], exp[keep] * obs[keep].sum() / exp[keep].sum()
    if len(obs) > 1:
        chi2 = stats.chisquare(obs, exp)
        if chi2.pvalue < ALPHA:
            worst = int(ks[np.argmax(np.abs(observed - expected))])
            raise DistributionCheckError(
                "goodness of fit",
                dist,
                f"samples do not follow logpmf (chi-square p = {chi2.pvalue:.2e}, worst at k = {worst})",
            )


def check_density_matches_cdf(dist: Distribution) -> None:
    """The log-density integrates (or the mass sums) to the CDF's increments."""
    if isinstance(dist, DiscreteDistribution):
        low, high = dist.support()
        ks = np.arange(low, high + 1)
        mass = np.exp(dist.logpmf(ks))
        cdf = np.asarray(dist.cdf(ks))
        cumulative = np.cumsum(mass)
        i = int(np.argmax(np.abs(cumulative - cdf)))
        if abs(cumulative[i] - cdf[i]) > 1e-6:
            raise DistributionCheckError(
                "density matches cdf",
                dist,
                f"sum of pmf up to k = {int(ks[i])} is {cumulative[i]:.6g} but cdf({int(ks[i])}) = {cdf[i]:.6g}",
            )
        return
    for u_low, u_high in ((0.05, 0.3), (0.3, 0.7), (0.6, 0.95)):
        a, b = (float(v) for v in dist.ppf(np.array([u_low, u_high])))
        area, _ = integrate.quad(
            lambda x: float(np.exp(dist.logpdf(np.array([x]))[0])), a, b, limit=200
        )
        increment = float(dist.cdf(np.array([b]))[0] - dist.cdf(np.array([a]))[0])
        if not math.isclose(area, increment, rel_tol=1e-3, abs_tol=1e-6):
            raise DistributionCheckError(
                "density matches cdf",
                dist,
                f"exp(logpdf) integrates to {area:.6g} on [{a:.6g}, {b:.6g}] but the cdf rises by {increment:.6g}",
            )
    u = np.linspace(0.02, 0.98, 25)
    back = np.asarray(dist.cdf(dist.ppf(u)))
    i = int(np.argmax(np.abs(back - u)))
    if abs(back[i] - u[i]) > 1e-6:
        raise DistributionCheckError(
            "ppf inverts cdf", dist, f"cdf(ppf({u[i]:.3f})) = {back[i]:.6g}"
        )


def check_tpe_suggests(dist: Distribution) -> None:
    """The default optimizer models the leaf and proposes values in its support."""
    from typedspace import Custom, Optimizer

    low, high = dist.support()
    optimizer = Optimizer(Custom(dist), seed=3)
    for _ in range(40):
        trial = optimizer.ask()
        value = trial.value
        expected = int if isinstance(dist, DiscreteDistribution) else float
        if type(value) is not expected or not low <= value <= high:
            raise DistributionCheckError(
                "optimizer suggests",
                dist,
                f"trial {trial.number} proposed {value!r}, not a {expected.__name__} in [{low}, {high}]",
            )
        optimizer.tell(
            trial,
            float((value - (low + high) / 2) ** 2)
            if math.isfinite(low + high)
            else float(value**2),
        )


def _rebuilt(dist: Distribution) -> Distribution:
    """An instance made again from ``dist``'s arguments: its attrs fields, or for another
    class a deep copy of its state (what a new run, or a stored study read back, holds)."""
    cls = type(dist)
    if attrs.has(cls):
        fields = {f.alias: getattr(dist, f.name) for f in attrs.fields(cls) if f.init}
        # attrs.has narrows cls to an attrs class, losing that it makes distributions
        return cast(Distribution, cls(**fields))
    return copy.deepcopy(dist)


def _equal(a: object, b: object) -> bool:
    try:
        return bool(a == b)
    except Exception:  # e.g. an array field: "the truth value of an array is ambiguous"
        return False


_MAKE_IT_A_VALUE = (
    "make {name} a frozen attrs class (@attrs.frozen) with its parameters as fields, or "
    "define __eq__ and __hash__ over its parameters"
)


def check_rebuilt_equal(dist: Distribution) -> None:
    """An instance rebuilt from the same arguments is equal, has the same hash, and gives
    the space the same fingerprint: what resuming a stored study relies on."""
    from typedspace import Custom, flatten

    name = type(dist).__qualname__
    todo = _MAKE_IT_A_VALUE.format(name=name)
    rebuilt = _rebuilt(dist)
    if not _equal(rebuilt, dist):
        made = "rebuilt from its fields" if attrs.has(type(dist)) else "copied (copy.deepcopy)"
        raise DistributionCheckError(
            "equal when rebuilt",
            dist,
            f"an instance {made} is not equal to it (it compares by identity, or a field is "
            f"not comparable), so the instance of a new run is never the stored one: {todo}",
        )
    try:
        hashes = hash(dist), hash(rebuilt)
    except TypeError as error:
        raise DistributionCheckError(
            "equal when rebuilt",
            dist,
            f"it is not hashable ({error}), so a space holding it is not either: make {name} "
            "a frozen attrs class (@attrs.frozen), or define __hash__",
        ) from None
    if hashes[0] != hashes[1]:
        raise DistributionCheckError(
            "equal when rebuilt",
            dist,
            f"an equal instance rebuilt from the same arguments has another hash: {todo}",
        )
    try:
        prints = [flatten(Custom(d)).table.fingerprint() for d in (dist, rebuilt)]
    except TypeError as error:  # its description holds an object address
        raise DistributionCheckError("equal when rebuilt", dist, str(error)) from None
    if prints[0] != prints[1]:
        raise DistributionCheckError(
            "equal when rebuilt",
            dist,
            f"its repr {dist!r:.120} and its rebuilt copy's {rebuilt!r:.120} differ, so a "
            f"stored study could not recognize its space when resumed: {todo}",
        )


def check_serializes(dist: Distribution) -> None:
    """The space ``Custom(dist)`` goes through ``to_json`` and back through ``from_json``
    (with ``allow=[type(dist)]``) to an equal distribution: a stored study keeps its space."""
    from typedspace import Custom, from_json, to_json
    from typedspace.backends._serialize import dump_distribution, load_distribution

    cls = type(dist)
    try:
        if cls.__module__ in sys.modules:
            back = from_json(to_json(Custom(dist)), allow=[cls])
            assert isinstance(back, Custom)
            loaded: object = back.dist
        else:  # defined by code run outside any module (exec): its path cannot be checked
            document = json.loads(json.dumps(dump_distribution(dist, "value", check_path=False)))
            loaded = load_distribution(document, allow=[cls])
    except (SerializationError, TypeError, ValueError) as error:
        raise DistributionCheckError(
            "serializes",
            dist,
            f"to_json/from_json(allow=[{cls.__qualname__}]) failed: {error}; {_STORABLE}",
        ) from None
    if not _equal(loaded, dist):
        raise DistributionCheckError(
            "serializes",
            dist,
            f"it was read back from JSON as {loaded!r:.120}, which is not equal to it; "
            + _STORABLE,
        )


_STORABLE = (
    "a distribution is stored as its class's import path and its attrs fields: make it a "
    "frozen attrs class defined at module level, whose fields are its constructor's "
    "arguments, each a JSON constant (a number, str, bool, None, a numpy scalar, or a list, "
    "tuple or str-keyed dict of them)"
)


#: Every check by name, for ``pytest.mark.parametrize``.
CHECKS: dict[str, Callable[[Distribution], None]] = {
    "equal when rebuilt": check_rebuilt_equal,
    "serializes": check_serializes,
    "support and type": check_support_and_type,
    "seed reproduces": check_seed_reproduces,
    "goodness of fit": check_goodness_of_fit,
    "density matches cdf": check_density_matches_cdf,
    "optimizer suggests": check_tpe_suggests,
}


def check_distribution(dist: Distribution) -> None:
    """Run every conformance check on ``dist``; raise ``DistributionCheckError`` on the first
    property that fails, naming the property and the offending value.

    >>> from typedspace.distributions import Beta
    >>> check_distribution(Beta(2.0, 5.0))
    """
    if not isinstance(dist, ContinuousDistribution | DiscreteDistribution):
        raise TypeError(f"expected a ContinuousDistribution or DiscreteDistribution, got {dist!r}")
    for check in CHECKS.values():
        check(dist)
