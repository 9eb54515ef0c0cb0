"""Testing helpers for search spaces (needs Hypothesis: ``pip install typedspace[testing]``).

* ``spaces()``: a Hypothesis strategy of random valid search spaces of every node kind;
* ``values(space)`` / ``assignments(space)``: strategies of points of a given space;
* ``check_distribution(dist)``: the conformance check for a user-defined distribution.

>>> from hypothesis import given
>>> from typedspace import sample
>>> @given(spaces(max_depth=2))
... def test_reproducible(space):
...     assert sample(space, seed=1) == sample(space, seed=1)
>>> test_reproducible()
"""

from typedspace._exports import publish
from typedspace.errors import DistributionCheckError
from typedspace.testing._conformance import CHECKS, check_distribution
from typedspace.testing.strategies import ALL_KINDS, assignments, spaces, values

__all__ = [
    "ALL_KINDS",
    "CHECKS",
    "DistributionCheckError",
    "assignments",
    "check_distribution",
    "spaces",
    "values",
]

publish("typedspace.testing", globals(), __all__)
