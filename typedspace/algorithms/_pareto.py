"""Pareto dominance, non-dominated sorting and hypervolume, on loss vectors (numpy only).

Every function here takes losses to *minimize*: an ``(n, m)`` array, one row per trial, one
column per objective (``Objectives.losses`` turns maximized values into losses).  A point
dominates another when it is no worse in every objective and better in at least one; equal
points do not dominate each other, so duplicates share their rank.

The hypervolume of a set of points for a reference point ``r`` is the volume of the region
that some point dominates and that dominates ``r``: larger is better.  It is exact here: a
sweep in 2-D (O(n log n)), a grid of running minima in 3-D (O(n^2)), and for 4 objectives
or more the inclusion-exclusion-free recursion of WFG (While, Bradstreet & Barone, 2012).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def _as_points(points: Any, what: str = "points") -> FloatArray:
    array = np.asarray(points, dtype=float)
    if array.ndim == 1 and array.size == 0:
        array = array.reshape(0, 0)
    if array.ndim != 2:
        raise ValueError(f"{what} must be a 2-D array (one row per point), got shape {array.shape}")
    return array


def dominates(a: Any, b: Any) -> bool:
    """Whether loss vector ``a`` Pareto-dominates ``b`` (no worse everywhere, better somewhere).

    >>> dominates([1.0, 2.0], [1.0, 3.0]), dominates([1.0, 2.0], [1.0, 2.0])
    (True, False)
    """
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return bool(np.all(x <= y) and np.any(x < y))


def domination_counts(losses: Any, others: Any) -> IntArray:
    """For each row of ``losses``, how many rows of ``others`` dominate it.

    >>> domination_counts([[1.0, 1.0], [3.0, 3.0]], [[2.0, 2.0], [0.0, 5.0]]).tolist()
    [0, 1]
    """
    a, b = _as_points(losses, "losses"), _as_points(others, "others")
    if len(a) == 0 or len(b) == 0:
        return np.zeros(len(a), dtype=np.int64)
    no_worse = np.all(b[None, :, :] <= a[:, None, :], axis=2)
    better = np.any(b[None, :, :] < a[:, None, :], axis=2)
    counts: IntArray = np.count_nonzero(no_worse & better, axis=1).astype(np.int64)
    return counts


def nondominated_ranks(losses: Any, *, limit: int | None = None) -> IntArray:
    """The non-domination rank of each row: 0 for the Pareto front, 1 for the front of the
    rest, and so on (fronts peeled one after the other).  With ``limit``, ranks stop being
    computed once at least ``limit`` rows are ranked: the others get the next rank.

    >>> nondominated_ranks([[1.0, 4.0], [2.0, 2.0], [3.0, 3.0], [4.0, 4.0]]).tolist()
    [0, 0, 1, 2]
    """
    points = _as_points(losses, "losses")
    n = len(points)
    ranks = np.full(n, -1, dtype=np.int64)
    remaining = np.arange(n)
    rank, ranked = 0, 0
    while remaining.size:
        front = remaining[_front_mask(points[remaining])]
        ranks[front] = rank
        ranked += front.size
        rank += 1
        if limit is not None and ranked >= limit:
            break
        remaining = remaining[ranks[remaining] < 0]
    ranks[ranks < 0] = rank
    return ranks


#: Rows examined together when a front is peeled: large enough to vectorize, small enough
#: that the block x (front + block) comparison stays cheap.
_BLOCK = 64


def _front_mask(points: FloatArray) -> BoolArray:
    """Which rows no other row dominates, in O(n * front) comparisons.

    Rows are visited by increasing sum of losses: a row can only be dominated by one with a
    smaller sum, and dominance is transitive, so a dominated row is always dominated by a row
    of the front found so far or of its own block.
    """
    n = len(points)
    if points.shape[1] == 2:
        return _front_mask_2d(points)
    mask = np.zeros(n, dtype=bool)
    # Ties of the (rounded) sum are broken lexicographically: a dominating row still comes
    # first when rounding makes two sums equal.
    order = np.lexsort((*points.T[::-1], points.sum(axis=1)))
    front = np.zeros((0, points.shape[1]))
    for start in range(0, n, _BLOCK):
        block = order[start : start + _BLOCK]
        candidates = points[block]
        others = np.concatenate([front, candidates])
        no_worse = np.all(others[None, :, :] <= candidates[:, None, :], axis=2)
        better = np.any(others[None, :, :] < candidates[:, None, :], axis=2)
        kept = block[~np.any(no_worse & better, axis=1)]
        mask[kept] = True
        front = np.concatenate([front, points[kept]])
    return mask


def _front_mask_2d(points: FloatArray) -> BoolArray:
    """``_front_mask`` for two losses in O(n log n): sorted by the first loss (then the
    second), a row is dominated when an earlier row has a smaller second loss, or an equal
    one with a smaller first loss (an equal row does not dominate)."""
    n = len(points)
    order = np.lexsort((points[:, 1], points[:, 0]))
    x, y = points[order, 0], points[order, 1]
    running = np.minimum.accumulate(y)
    # The row that set each running minimum (the first to reach it: the smallest first loss).
    setter = np.maximum.accumulate(np.where(np.r_[True, y[1:] < running[:-1]], np.arange(n), 0))
    before = np.r_[np.inf, running[:-1]]
    before_setter = np.r_[0, setter[:-1]]
    dominated = (before < y) | ((before == y) & (x[before_setter] < x))
    mask = np.zeros(n, dtype=bool)
    mask[order] = ~dominated
    return mask


def pareto_mask(losses: Any) -> BoolArray:
    """Which rows are on the Pareto front (dominated by no other row).

    >>> pareto_mask([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0]]).tolist()
    [True, True, False]
    """
    points = _as_points(losses, "losses")
    return _front_mask(points)


def hypervolume(front: Any, reference: Any) -> float:
    """The volume dominated by the loss vectors ``front`` and bounded by ``reference``
    (points that do not dominate the reference add nothing).

    >>> hypervolume([[1.0, 2.0], [2.0, 1.0]], [3.0, 3.0])
    3.0
    >>> hypervolume([[0.0, 0.0, 0.0]], [1.0, 2.0, 3.0])
    6.0
    """
    ref = np.asarray(reference, dtype=float)
    points = _as_points(front, "front")
    if ref.ndim != 1 or (points.size and points.shape[1] != ref.size):
        raise ValueError(
            f"hypervolume: the reference point has {ref.size} values, the points "
            f"{points.shape[1] if points.size else 0}: one per objective is needed"
        )
    if not np.all(np.isfinite(ref)):
        raise ValueError(f"hypervolume: the reference point must be finite, got {ref.tolist()}")
    if points.size == 0:
        return 0.0
    points = points[np.all(points < ref, axis=1)]
    if len(points) == 0:
        return 0.0
    points = points[pareto_mask(points)]
    return float(_volume(np.unique(points, axis=0), ref))


def _volume(points: FloatArray, ref: FloatArray) -> float:
    """Hypervolume of non-dominated ``points``, all strictly dominating ``ref``."""
    m = points.shape[1]
    if m == 1:
        return float(ref[0] - points[:, 0].min())
    if m == 2:
        return _volume_2d(points, ref)
    if m == 3:
        return _volume_3d(points, ref)
    return _volume_wfg(points, ref)


def _volume_2d(points: FloatArray, ref: FloatArray) -> float:
    order = np.lexsort((points[:, 1], points[:, 0]))
    x, y = points[order, 0], points[order, 1]
    # Sorted by the first loss, the second of a non-dominated set decreases; a running minimum
    # makes any set work (dominated points add a zero-height strip).
    y = np.minimum.accumulate(y)
    widths = np.diff(np.append(x, ref[0]))
    return float(np.sum(widths * (ref[1] - y)))


def _volume_3d(points: FloatArray, ref: FloatArray) -> float:
    # On the grid of the points' x and y coordinates, each cell is dominated from the lowest
    # z of the points at or below-left of it up to the reference: a 2-D running minimum
    # gives that z for every cell at once (O(n^2), vectorized).
    xs = np.unique(points[:, 0])
    ys = np.unique(points[:, 1])
    ix = np.searchsorted(xs, points[:, 0])
    iy = np.searchsorted(ys, points[:, 1])
    lowest = np.full((len(xs), len(ys)), ref[2])
    np.minimum.at(lowest, (ix, iy), points[:, 2])
    lowest = np.minimum.accumulate(np.minimum.accumulate(lowest, axis=0), axis=1)
    dx = np.diff(np.append(xs, ref[0]))
    dy = np.diff(np.append(ys, ref[1]))
    return float(dx @ (ref[2] - lowest) @ dy)


def _volume_wfg(points: FloatArray, ref: FloatArray) -> float:
    # WFG: the volume of a set is the sum of each point's exclusive volume against the points
    # after it, computed on the points "limited" by it (their componentwise max with it).
    order = np.argsort(points[:, 0], kind="stable")
    points = points[order]
    total = 0.0
    for k in range(len(points)):
        point = points[k]
        box = float(np.prod(ref - point))
        rest = np.maximum(points[k + 1 :], point)
        if len(rest):
            rest = rest[np.all(rest < ref, axis=1)]
        if len(rest):
            rest = np.unique(rest[pareto_mask(rest)], axis=0)
            box -= _volume(rest, ref)
        total += box
    return total


def reference_point(losses: Any) -> FloatArray:
    """A reference point just beyond the worst of ``losses`` on each objective (Optuna's
    rule for the TPE split: ``max(1.1 * worst, 0.9 * worst)``, and not 0).

    >>> reference_point([[1.0, -2.0], [0.0, -4.0]]).tolist()
    [1.1, -1.8]
    """
    points = _as_points(losses, "losses")
    worst = points.max(axis=0)
    ref: FloatArray = np.maximum(1.1 * worst, 0.9 * worst)
    ref[ref == 0] = 1e-12
    return ref


def select_by_hypervolume(losses: Any, k: int, reference: Any) -> IntArray:
    """``k`` rows chosen greedily to maximize the hypervolume of the chosen set (the
    hypervolume subset selection of MOTPE: each next row is the one that adds the most;
    ties: the earliest row), in the order chosen.

    The hypervolume is submodular, so a row's last computed gain bounds its gain later:
    only rows whose bound beats the best fresh gain are recomputed ("lazy greedy"), and a
    mutually non-dominated set in 2-D updates each row's gain rectangle in O(1) instead.

    >>> select_by_hypervolume([[0.0, 3.0], [1.0, 1.0], [3.0, 0.0], [1.1, 1.1]], 1, [4.0, 4.0])
    array([1])
    """
    points = _as_points(losses, "losses")
    ref = np.asarray(reference, dtype=float)
    n = len(points)
    if k >= n:
        return np.arange(n, dtype=np.int64)
    if points.shape[1] == 2 and bool(np.all(pareto_mask(points))):
        return _select_2d(points, k, ref)
    boxes = np.prod(np.clip(ref - points, 0.0, None), axis=1)
    bounds = boxes.copy()
    available = np.ones(n, dtype=bool)
    chosen: list[int] = []
    for _ in range(k):
        fresh = np.zeros(n, dtype=bool)
        while True:
            i = int(np.argmax(np.where(available, bounds, -np.inf)))
            if fresh[i] or not chosen:
                break
            limited = np.maximum(points[chosen], points[i])
            inside = limited[np.all(limited < ref, axis=1)]
            bounds[i] = boxes[i] - (_volume(inside, ref) if len(inside) else 0.0)
            fresh[i] = True
        chosen.append(i)
        available[i] = False
    return np.array(chosen, dtype=np.int64)


def _select_2d(points: FloatArray, k: int, ref: FloatArray) -> IntArray:
    """Greedy hypervolume selection of ``k`` mutually non-dominated 2-D points: sorted by the
    first loss, each point's gain is the rectangle from it to the nearest chosen neighbours
    (or the reference), updated as points are chosen (O(k n))."""
    order = np.lexsort((points[:, 1], points[:, 0]))
    sorted_points = points[order]
    corner = np.repeat(ref[None, :], len(points), axis=0)
    available = np.ones(len(points), dtype=bool)
    chosen: list[int] = []
    for _ in range(k):
        gains = np.prod(np.clip(corner - sorted_points, 0.0, None), axis=1)
        gains[~available] = -np.inf
        # Ties: the earliest row of the caller's order.
        best = np.flatnonzero(gains == gains.max())
        j = int(best[np.argmin(order[best])])
        chosen.append(int(order[j]))
        available[j] = False
        corner[:j, 0] = np.minimum(corner[:j, 0], sorted_points[j, 0])
        corner[j + 1 :, 1] = np.minimum(corner[j + 1 :, 1], sorted_points[j, 1])
    return np.array(chosen, dtype=np.int64)
