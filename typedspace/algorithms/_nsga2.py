"""NSGA-II (Deb et al., 2002) on the flattened parameter table, with constrained domination.

The population is the ``population`` best finished trials, by constrained domination (Deb's
rule, as Optuna's ``NSGAIISampler`` with ``constraints_func``): a feasible trial beats an
infeasible one, two infeasible ones are ordered by their total violation, two feasible ones
by non-domination rank; within a rank, the larger crowding distance (the less crowded part
of the front) wins.  A child takes two parents chosen by binary tournament, mixes them
(simulated binary crossover on numeric parameters in their internal coordinates, a fair coin
per categorical parameter) and mutates each parameter with probability ``1 / n_params``
(polynomial mutation of a bounded numeric parameter, as Deb's NSGA-II; a draw from the prior
for the others).  Until ``population`` trials have finished, proposals are drawn
from the prior (the first generation).

The selection is steady-state: every proposal looks at all finished trials, instead of
waiting for a whole generation to finish; so parallel workers never idle, and a run resumed
from storage continues as if it had not stopped.  Conditional parameters come for free: a
child's parameter is taken from the parents in which it was active, or drawn from the prior
when neither had it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs
import numpy as np

from typedspace.algorithms._distinct import REDRAWS, distinct_prior, key
from typedspace.algorithms._pareto import FloatArray, IntArray, nondominated_ranks
from typedspace.backends._table import Assignment, CategoricalParam, NumericParam, ParamTable


@attrs.frozen
class NSGA2:
    """NSGA-II settings: for several objectives and large budgets (thousands of trials).

    * ``population`` (50, Optuna's default): finished trials in the population, and the
      number of prior draws before the first children.
    * ``crossover_prob`` (0.9): the chance that a child mixes two parents (else it copies
      the first, then mutates).
    * ``eta`` (20): the distribution index of simulated binary crossover: larger keeps
      children closer to their parents.
    * ``mutation_prob`` (None: ``1 / n_params``): the chance that each parameter of a child is
      mutated: a numeric parameter with a bounded prior by polynomial mutation (same
      ``eta``), any other drawn from the prior.

    >>> from typedspace import Uniform, flatten
    >>> import numpy as np
    >>> table = flatten({"x": Uniform(0.0, 1.0), "y": Uniform(0.0, 1.0)}).table
    >>> proposer = NSGA2(population=8).start(table, np.random.default_rng(0))
    >>> for number in range(30):
    ...     (point,) = proposer.propose(1, pending=[])
    ...     proposer.tell_outcome(number, point, (point["x"], 1 - point["x"] + point["y"]), 0.0)
    >>> len(proposer.propose(4, pending=[]))
    4
    """

    population: int = attrs.field(default=50, validator=attrs.validators.ge(2))
    crossover_prob: float = attrs.field(
        default=0.9, validator=[attrs.validators.ge(0), attrs.validators.le(1)]
    )
    eta: float = attrs.field(default=20.0, validator=attrs.validators.gt(0))
    mutation_prob: float | None = attrs.field(
        default=None,
        validator=attrs.validators.optional([attrs.validators.ge(0), attrs.validators.le(1)]),
    )

    def start(self, table: ParamTable, rng: np.random.Generator) -> NSGA2Proposer:
        return NSGA2Proposer(self, table, rng)


def crowding_distance(losses: FloatArray) -> FloatArray:
    """The crowding distance of each row of one front: the sum over objectives of the gap
    between its neighbours, normalized by the front's range (the ends get infinity).

    >>> crowding_distance(np.array([[0.0, 2.0], [1.0, 1.0], [2.0, 0.0]])).tolist()
    [inf, 2.0, inf]
    """
    n, m = losses.shape
    distance = np.zeros(n)
    if n <= 2:
        return np.full(n, np.inf)
    for k in range(m):
        order = np.argsort(losses[:, k], kind="stable")
        values = losses[order, k]
        span = values[-1] - values[0]
        distance[order[0]] = distance[order[-1]] = np.inf
        if span > 0:
            distance[order[1:-1]] += (values[2:] - values[:-2]) / span
    return distance


def constrained_ranks(losses: FloatArray, violation: FloatArray) -> IntArray:
    """Ranks by constrained domination: feasible rows by non-domination rank, then the
    infeasible ones, each distinct total violation a rank of its own (smaller first)."""
    ranks = np.zeros(len(losses), dtype=np.int64)
    feasible = violation <= 0
    if feasible.any():
        ranks[feasible] = nondominated_ranks(losses[feasible])
    after = int(ranks[feasible].max()) + 1 if feasible.any() else 0
    if (~feasible).any():
        levels = np.unique(violation[~feasible], return_inverse=True)[1]
        ranks[~feasible] = after + levels.reshape(-1)
    return ranks


class NSGA2Proposer:
    """The state of NSGA-II for one study: every finished trial's assignment, losses and
    total violation."""

    def __init__(self, settings: NSGA2, table: ParamTable, rng: np.random.Generator) -> None:
        self.settings = settings
        self.table = table
        self.rng = rng
        self.assignments: list[Assignment] = []
        self.losses: list[tuple[float, ...]] = []
        self.violation: list[float] = []
        self._told: set[int] = set()
        self._cache: tuple[int, IntArray, IntArray, FloatArray] | None = None
        n = len(table.params)
        self.mutation_prob = (
            settings.mutation_prob if settings.mutation_prob is not None else 1.0 / max(n, 1)
        )

    def tell(self, number: int, assignment: Assignment, loss: float | None) -> None:
        """A trial of a single loss (failed, pruned: left out)."""
        if loss is not None and not math.isnan(loss):
            self.tell_outcome(number, assignment, (loss,), 0.0)

    def tell_outcome(
        self,
        number: int,
        assignment: Assignment,
        losses: tuple[float, ...] | None,
        violation: float,
    ) -> None:
        if losses is None or number in self._told:
            return
        if self.losses and len(losses) != len(self.losses[0]):
            raise ValueError(
                f"NSGA2: trial {number} has {len(losses)} losses, earlier ones "
                f"{len(self.losses[0])}"
            )
        self._told.add(number)
        self.assignments.append(dict(assignment))
        self.losses.append(tuple(losses))
        self.violation.append(violation)

    def propose(self, n: int, pending: Sequence[Assignment]) -> list[dict[str, float | int]]:
        if len(self.losses) < self.settings.population:
            return distinct_prior(self.table, self.rng, n, pending)
        members, ranks, crowding = self._population()
        taken = {key(a) for a in pending}
        proposals: list[dict[str, float | int]] = []
        for _ in range(n):
            child: dict[str, float | int] = {}
            for _ in range(REDRAWS):
                first = self._tournament(members, ranks, crowding)
                second = self._tournament(members, ranks, crowding)
                child = self._child(self.assignments[first], self.assignments[second])
                if key(child) not in taken:
                    break
            taken.add(key(child))
            proposals.append(child)
        return proposals

    def _population(self) -> tuple[IntArray, IntArray, FloatArray]:
        """The surviving trials (indices), their constrained ranks and crowding distances.

        As NSGA-II's (mu + lambda) survival: the previous population and the trials finished
        since compete for its places, so a proposal costs O(population^2), not O(trials^2).
        """
        count = len(self.losses)
        if self._cache is not None and self._cache[0] == count:
            return self._cache[1:]
        seen = self._cache[0] if self._cache is not None else 0
        previous = self._cache[1] if self._cache is not None else np.zeros(0, dtype=np.int64)
        pool = np.concatenate([previous, np.arange(seen, count, dtype=np.int64)])
        losses = np.array([self.losses[i] for i in pool], dtype=float)
        violation = np.array([self.violation[i] for i in pool], dtype=float)
        ranks = constrained_ranks(losses, violation)
        crowding = np.zeros(len(pool))
        for rank in np.unique(ranks):
            front = np.flatnonzero(ranks == rank)
            crowding[front] = crowding_distance(losses[front])
        # Elitist survival: best rank first, then the least crowded; ties: the earliest.
        order = np.lexsort((pool, -crowding, ranks))[: self.settings.population]
        self._cache = (count, pool[order], ranks[order], crowding[order])
        return self._cache[1:]

    def _tournament(self, members: IntArray, ranks: IntArray, crowding: FloatArray) -> int:
        a, b = self.rng.integers(len(members), size=2)
        if ranks[a] != ranks[b]:
            winner = a if ranks[a] < ranks[b] else b
        elif crowding[a] != crowding[b]:
            winner = a if crowding[a] > crowding[b] else b
        else:
            winner = a
        return int(members[winner])

    def _child(self, first: Assignment, second: Assignment) -> dict[str, float | int]:
        cross = self.rng.random() < self.settings.crossover_prob
        child: dict[str, float | int] = {}
        for p in self.table.params:  # selectors come before what they condition
            if not self.table.is_active(p, child):
                continue
            sources = [a[p.name] for a in (first, second) if p.name in a]
            if not sources:
                child[p.name] = p.sample(self.rng, 1).tolist()[0]
                continue
            if len(sources) == 1 or not cross:
                value = sources[0]
            elif isinstance(p, CategoricalParam):
                value = sources[int(self.rng.integers(2))]
            else:
                value = self._sbx(p, float(sources[0]), float(sources[1]))
            if self.rng.random() < self.mutation_prob:
                value = self._mutate(p, value)
            child[p.name] = value
        return child

    def _mutate(self, p: NumericParam | CategoricalParam, value: float | int) -> float | int:
        """Polynomial mutation (Deb & Goyal 1996) of a numeric parameter with a bounded
        prior, in internal coordinates; any other parameter is drawn from the prior."""
        if isinstance(p, CategoricalParam) or p.prior != "uniform":
            drawn: float | int = p.sample(self.rng, 1).tolist()[0]
            return drawn
        z = float(p.to_internal([value])[0])
        low, high = p.z_low, p.z_high
        u = self.rng.random()
        power = 1.0 / (self.settings.eta + 1.0)
        if u < 0.5:
            delta = (
                2.0 * u
                + (1.0 - 2.0 * u) * (1.0 - (z - low) / (high - low)) ** (self.settings.eta + 1.0)
            ) ** power - 1.0
        else:
            delta = (
                1.0
                - (
                    2.0 * (1.0 - u)
                    + 2.0
                    * (u - 0.5)
                    * (1.0 - (high - z) / (high - low)) ** (self.settings.eta + 1.0)
                )
                ** power
            )
        z = min(max(z + delta * (high - low), low), high)
        mutated = p.to_value(np.array([z])).tolist()[0]
        return int(mutated) if p.is_int else float(mutated)

    def _sbx(self, p: NumericParam, a: float, b: float) -> float | int:
        """Simulated binary crossover of two values (one child, in internal coordinates,
        bounded by the parameter's range; Deb & Agrawal 1995)."""
        za, zb = (float(z) for z in p.to_internal([a, b]))
        u = self.rng.random()
        power = 1.0 / (self.settings.eta + 1.0)
        beta = (2.0 * u) ** power if u <= 0.5 else (1.0 / (2.0 * (1.0 - u))) ** power
        half = abs(zb - za) / 2.0 * (beta if self.rng.random() < 0.5 else -beta)
        z = (za + zb) / 2.0 + half
        if p.prior == "uniform":  # the range in internal coordinates; to_value clips others
            z = min(max(z, p.z_low), p.z_high)
        value = p.to_value(np.array([z])).tolist()[0]
        return int(value) if p.is_int else float(value)
