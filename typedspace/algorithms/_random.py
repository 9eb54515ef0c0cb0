"""Random search: every proposal is a draw from the space's prior (a batch without
duplicates, see ``_distinct``)."""

from __future__ import annotations

from collections.abc import Sequence

import attrs
import numpy as np

from typedspace.algorithms._distinct import distinct_prior
from typedspace.backends._table import Assignment, ParamTable


@attrs.frozen
class RandomSearch:
    """Propose independent draws from the prior (a strong baseline, trivially parallel).

    >>> from typedspace import Uniform, flatten
    >>> import numpy as np
    >>> proposer = RandomSearch().start(flatten(Uniform(0.0, 1.0)).table, np.random.default_rng(0))
    >>> len(proposer.propose(3, pending=[]))
    3
    """

    def start(self, table: ParamTable, rng: np.random.Generator) -> _RandomProposer:
        return _RandomProposer(table, rng)


@attrs.define
class _RandomProposer:
    table: ParamTable
    rng: np.random.Generator

    def tell(self, number: int, assignment: Assignment, loss: float | None) -> None:
        """Random search ignores results."""

    def tell_outcome(
        self,
        number: int,
        assignment: Assignment,
        losses: tuple[float, ...] | None,
        violation: float,
    ) -> None:
        """Random search ignores results, of any number of objectives."""

    def propose(self, n: int, pending: Sequence[Assignment]) -> list[dict[str, float | int]]:
        return distinct_prior(self.table, self.rng, n, pending)
