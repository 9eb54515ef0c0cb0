"""Batches without duplicates: an assignment equal to a running one, or to an earlier one of
the same batch, would evaluate the same configuration twice at once.  Only integer,
quantized and categorical parameters make that likely; continuous draws never repeat."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from typedspace.backends._table import Assignment, ParamTable

#: An assignment as a hashable value (numbers compare by value: 3 == 3.0 == np.int64(3)).
Key = tuple[tuple[str, float | int], ...]

#: Prior draws tried to replace a duplicate before accepting it (the grid is then taken
#: almost surely: 64 draws miss a free point with probability (taken / size) ** 64).
REDRAWS = 64


def key(assignment: Assignment) -> Key:
    return tuple(sorted(assignment.items()))


def distinct_prior(
    table: ParamTable, rng: np.random.Generator, n: int, pending: Sequence[Assignment]
) -> list[dict[str, float | int]]:
    """``n`` draws from the prior, each different from ``pending`` and from the others while
    the grid allows.  Without duplicates to replace, the draws are exactly
    ``table.sample_assignments(rng, n)``.

    >>> from typedspace import IntUniform, flatten
    >>> table = flatten(IntUniform(1, 4)).table
    >>> draws = distinct_prior(table, np.random.default_rng(0), 4, pending=[])
    >>> sorted(a["value"] for a in draws)
    [1, 2, 3, 4]
    """
    taken = {key(a) for a in pending}
    drawn = table.sample_assignments(rng, n)
    for i, assignment in enumerate(drawn):
        if key(assignment) in taken:
            fresh = (a for a in table.sample_assignments(rng, REDRAWS) if key(a) not in taken)
            drawn[i] = next(fresh, assignment)
        taken.add(key(drawn[i]))
    return drawn
