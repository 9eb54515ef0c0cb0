"""Pareto dominance, non-dominated sorting and exact hypervolume (``_pareto``), checked against
brute force: every pair for ranks, a fine grid count for volumes, every subset for the greedy
hypervolume selection's first step."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from typedspace.algorithms import hypervolume, nondominated_ranks
from typedspace.algorithms._pareto import (
    dominates,
    domination_counts,
    pareto_mask,
    reference_point,
    select_by_hypervolume,
)


def _brute_ranks(points: np.ndarray) -> list[int]:
    """Peel fronts one by one, with ``dominates`` on every pair."""
    left = set(range(len(points)))
    ranks = [0] * len(points)
    rank = 0
    while left:
        front = {i for i in left if not any(dominates(points[j], points[i]) for j in left)}
        for i in front:
            ranks[i] = rank
        left -= front
        rank += 1
    return ranks


def _grid_volume(points: np.ndarray, ref: np.ndarray, cells: int) -> float:
    """The dominated volume counted on a grid aligned with every coordinate: points with
    coordinates on multiples of 1/cells make the count exact."""
    axes = [np.arange(cells) / cells + 0.5 / cells] * len(ref)
    centres = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(ref))
    centres = centres[np.all(centres < ref, axis=1)]
    covered = np.any(np.all(points[None, :, :] <= centres[:, None, :], axis=2), axis=1)
    return float(np.count_nonzero(covered)) / float(cells ** len(ref))


@pytest.mark.parametrize("m", [2, 3, 4])
def test_ranks_match_peeling_fronts_by_hand(m: int) -> None:
    rng = np.random.default_rng(m)
    for _ in range(20):
        # Few distinct values, so that ties and duplicates are common.
        points = rng.integers(0, 4, size=(int(rng.integers(1, 25)), m)).astype(float)
        assert nondominated_ranks(points).tolist() == _brute_ranks(points)
        assert pareto_mask(points).tolist() == [r == 0 for r in _brute_ranks(points)]


def test_ranks_stop_once_enough_rows_are_ranked() -> None:
    points = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])
    assert nondominated_ranks(points, limit=2).tolist() == [0, 1, 2, 2]


def test_equal_points_do_not_dominate_each_other() -> None:
    assert not dominates([1.0, 1.0], [1.0, 1.0])
    assert domination_counts([[1.0, 1.0]], [[1.0, 1.0], [0.0, 1.0]]).tolist() == [1]
    assert nondominated_ranks([[1.0, 1.0], [1.0, 1.0]]).tolist() == [0, 0]


@pytest.mark.parametrize("m", [2, 3, 4, 5])
def test_hypervolume_is_exact_on_a_grid(m: int) -> None:
    rng = np.random.default_rng(10 + m)
    cells = {2: 40, 3: 20, 4: 10, 5: 6}[m]
    for _ in range(8):
        points = rng.integers(0, cells, size=(int(rng.integers(1, 9)), m)) / cells
        ref = rng.integers(cells // 2, cells + 1, size=m) / cells
        assert hypervolume(points, ref) == pytest.approx(_grid_volume(points, ref, cells))


def test_hypervolume_ignores_points_beyond_the_reference_and_dominated_points() -> None:
    assert hypervolume([[2.0, 0.0], [0.5, 0.5]], [1.0, 1.0]) == pytest.approx(0.25)
    assert hypervolume([[0.5, 0.5], [0.6, 0.6]], [1.0, 1.0]) == pytest.approx(0.25)
    assert hypervolume(np.zeros((0, 2)), [1.0, 1.0]) == 0.0


def test_hypervolume_refuses_a_reference_of_the_wrong_size() -> None:
    with pytest.raises(ValueError, match="one per objective"):
        hypervolume([[0.0, 0.0]], [1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="finite"):
        hypervolume([[0.0, 0.0]], [1.0, np.inf])


@pytest.mark.parametrize("m", [2, 3])
def test_greedy_selection_is_greedy(m: int) -> None:
    rng = np.random.default_rng(20 + m)
    for _ in range(15):
        n = int(rng.integers(3, 9))
        if m == 2:  # a mutually non-dominated set takes the O(kn) path
            x = np.sort(rng.random(n))
            points = np.c_[x, 1.0 - x**0.5]
        else:
            points = rng.random((n, m))
        ref = np.full(m, 1.1)
        k = int(rng.integers(1, n))
        chosen = select_by_hypervolume(points, k, ref).tolist()
        assert len(set(chosen)) == k
        # Each step adds the most hypervolume of all rows left (ties within rounding).
        for step in range(k):
            before = list(chosen[:step])
            gains = [hypervolume(points[[*before, i]], ref) for i in range(n) if i not in before]
            assert hypervolume(points[chosen[: step + 1]], ref) == pytest.approx(max(gains))


def test_greedy_selection_of_one_point_is_the_best_single_point() -> None:
    points = np.array([[0.0, 3.0], [1.0, 1.0], [3.0, 0.0], [1.1, 1.1]])
    best = max(range(4), key=lambda i: hypervolume(points[[i]], [4.0, 4.0]))
    assert select_by_hypervolume(points, 1, [4.0, 4.0]).tolist() == [best]
    pairs = {
        frozenset(c): hypervolume(points[list(c)], [4.0, 4.0])
        for c in itertools.combinations(range(4), 2)
    }
    greedy = frozenset(select_by_hypervolume(points, 2, [4.0, 4.0]).tolist())
    assert pairs[greedy] >= 0.9 * max(pairs.values())


def test_reference_point_is_beyond_the_worst_losses() -> None:
    losses = np.array([[1.0, -2.0], [0.0, -4.0], [0.0, 0.0]])
    ref = reference_point(losses)
    assert np.all(ref > losses.max(axis=0))


@pytest.mark.parametrize("m", [2, 3, 5])
def test_fronts_of_many_rows_span_several_blocks(m: int) -> None:
    # More rows than one block of the front peeling (64), with ties and duplicates.
    rng = np.random.default_rng(30 + m)
    points = np.round(rng.random((300, m)), 1)
    ranks = nondominated_ranks(points)
    left = np.arange(len(points))
    rank = 0
    while left.size:  # the O(n^2) definition: not dominated by any remaining row
        front = left[domination_counts(points[left], points[left]) == 0]
        assert (ranks[front] == rank).all() and (ranks[np.setdiff1d(left, front)] > rank).all()
        left = np.setdiff1d(left, front)
        rank += 1
    assert pareto_mask(points).tolist() == (ranks == 0).tolist()
