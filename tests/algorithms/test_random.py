"""RandomSearch: valid prior draws, seeded, blind to results."""

from __future__ import annotations

import numpy as np
from scipy import stats

from tests.algorithms.test_tpe import EVERY_LEAF
from typedspace import Uniform, flatten
from typedspace.algorithms import Algorithm, Proposer, RandomSearch


def test_random_search_implements_the_interface() -> None:
    algo = RandomSearch()
    assert isinstance(algo, Algorithm)
    assert isinstance(algo.start(flatten(EVERY_LEAF).table, np.random.default_rng(0)), Proposer)


def test_proposals_are_valid_and_seeded() -> None:
    table = flatten(EVERY_LEAF).table
    first = RandomSearch().start(table, np.random.default_rng(1)).propose(50, [])
    again = RandomSearch().start(table, np.random.default_rng(1)).propose(50, [])
    other = RandomSearch().start(table, np.random.default_rng(2)).propose(50, [])
    assert len(first) == 50
    assert first == again != other
    for point in first:
        assert table.validate(point) == point


def test_results_do_not_change_the_proposals() -> None:
    table = flatten(EVERY_LEAF).table
    told = RandomSearch().start(table, np.random.default_rng(3))
    blind = RandomSearch().start(table, np.random.default_rng(3))
    for number, point in enumerate(told.propose(5, [])):
        told.tell(number, point, 0.0 if number % 2 else None)
    blind.propose(5, [])
    assert told.propose(5, []) == blind.propose(5, [])


def test_proposals_follow_the_prior() -> None:
    table = flatten({"x": Uniform(2.0, 4.0)}).table
    xs = [p["x"] for p in RandomSearch().start(table, np.random.default_rng(0)).propose(2000, [])]
    # Kolmogorov-Smirnov against U(2, 4): a correct sampler fails with probability 1e-3.
    assert stats.kstest(xs, stats.uniform(2.0, 2.0).cdf).pvalue > 1e-3
