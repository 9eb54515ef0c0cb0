"""User-defined distributions: the protocol, and ready-made examples built on it.

>>> from typedspace import Custom, sample
>>> from typedspace.distributions import Beta
>>> 0.0 <= sample({"dropout": Custom(Beta(2.0, 5.0))}, seed=0)["dropout"] <= 1.0
True
"""

from typedspace._exports import publish
from typedspace.distributions._base import ContinuousDistribution, DiscreteDistribution
from typedspace.distributions._examples import Beta, BoundedPoisson, TruncatedExponential

__all__ = [
    "Beta",
    "BoundedPoisson",
    "ContinuousDistribution",
    "DiscreteDistribution",
    "TruncatedExponential",
]

publish("typedspace.distributions", globals(), __all__)
