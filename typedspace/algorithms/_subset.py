"""TPE's bad model kept between proposals: ``Mixture.fit`` of a subset of a growing table,
updated where rows join or leave instead of refitted (see ``SubsetMixture``)."""

from __future__ import annotations

import attrs
import numpy as np
import numpy.typing as npt

from typedspace.algorithms._parzen import (
    LOG_SQRT_2PI,
    Axes,
    AxisOrder,
    FloatArray,
    IntArray,
    Mixture,
    kernel_terms,
    option_smoothing,
    option_tables,
    sorted_bandwidths,
)

BoolArray = npt.NDArray[np.bool_]


class SubsetMixture:
    """``Mixture.fit`` of the rows of a growing table that are *members* (TPE's bad trials),
    kept up to date as rows join and leave instead of refitted.

    Late in a study TPE's bad model has a kernel per trial, yet between two proposals one
    row is added and a row or two cross the good/bad split; refitting it cost 15 ms per
    proposal at 10,000 trials.  Here every row keeps its kernel (bandwidths, normalizer and
    the coefficients of log_pdf's product, in ``kernels``) across ``sync`` calls, and only the
    kernels whose neighbours on some axis changed are recomputed: each kernel's width on an
    axis is the larger gap to its neighbouring *members* there.  Non-members stay in the
    arrays and are masked out of the sum.  Extra observations (the constant liar's) and the
    prior are added by ``model`` as a small ``Mixture``, with the members next to them.

    The kernels are those of ``Mixture.fit`` on the members (in row order) and the extra
    observations, with equal values ordered rows first, then extra observations, each in
    their order; the one difference is the floor on the bandwidths, fixed here at
    ``min_fraction`` times the prior's width, so TPE uses this model only where its floor,
    which depends on the number of observations, has reached that value.
    """

    def __init__(self, axes: Axes, order: AxisOrder, min_fraction: float) -> None:
        self.axes = axes
        self.order = order  # shared with the table: it has every row, members or not
        self.min_sigma = axes.prior_sigma * min_fraction
        d = axes.n_numeric
        self.log_prior_norm = np.log(axes.prior_sigma).sum() + LOG_SQRT_2PI * d
        self.members = np.zeros(0, dtype=bool)
        self.sigmas = np.empty((0, d))
        #: Per row: -1 / (2 sigma**2) and mu / sigma**2 per axis, then the log of the
        #: unweighted kernel's constant factor, so that one product [z**2, z, 1] @ kernels.T
        #: gives every row's log-density but for the categorical axes and the weight.
        self.kernels = np.empty((0, 2 * d + 1))
        self.z = np.empty((0, d))
        self.cats = np.empty((0, len(axes.categorical)), dtype=np.int64)
        #: Reused for log_pdf's (points, rows) matrices (see SubsetModel.log_pdf).
        self.workspace = np.empty(0)
        self.near = np.empty(0, dtype=bool)
        self.prior: Mixture | None = None  # the extra mixture without extra observations

    def sync(self, z: FloatArray, cats: IntArray, members: BoolArray) -> None:
        """Follow the table to its rows ``z``, ``cats`` (all of them, in the order they
        were inserted into ``order``) and their membership ``members``."""
        n = len(members)
        if n > len(self.sigmas):  # capacity grown by doubling, as the table's
            grow = max(n, 2 * len(self.sigmas)) - len(self.sigmas)
            self.sigmas = np.concatenate([self.sigmas, np.ones((grow, self.sigmas.shape[1]))])
            # Zeros: rows never members are masked out but still multiplied, and garbage
            # there could be NaN (a warning, and slow).
            self.kernels = np.concatenate([self.kernels, np.zeros((grow, self.kernels.shape[1]))])
        old = np.zeros(n, dtype=bool)
        old[: len(self.members)] = self.members
        self.z, self.cats = z, cats
        changed = np.flatnonzero(old != members)
        # Each changed row costs a few binary searches and windows of (non-members + 1)
        # positions per axis: past a few dozen, one refit of everything is as fast.
        outside = n - int(np.count_nonzero(members))
        if len(changed) > 32 or outside > 256 or not self.members.any():
            self._refit(members)
        elif len(changed):
            self._update(members, changed)
        self.members = members.copy()

    def _refit(self, members: BoolArray) -> None:
        rows = np.flatnonzero(members)
        widths = sorted_bandwidths(
            *self.order.subset(members), self.min_sigma, self.axes.prior_sigma
        )
        self.sigmas[rows] = widths
        self._compute_kernels(rows)

    def _update(self, members: BoolArray, changed: IntArray) -> None:
        """Recompute the widths a change of membership of the rows ``changed`` can affect:
        theirs (if they are members) and, on each axis, those of the nearest members on
        either side of them.  A member's neighbour on an axis changes only if a row between
        it and its old or new neighbour joined or left (the nearer of the two, if they
        differ), and then, with no member in between, it is that row's nearest member."""
        d = self.axes.n_numeric
        if not d:  # only categorical axes: no widths, and the kernels are all alike
            self._compute_kernels(changed[members[changed]])
            return
        axis = np.tile(np.arange(d), len(changed))
        at = self.order.positions(changed, self.z[changed]).reshape(-1)
        before, after = self._nearest(members, axis, at)
        joined = np.repeat(members[changed], d)
        # Across a changed row, its nearest members' neighbour is the row if it is a member,
        # else the nearest member beyond it; their outer neighbours are searched.
        has_before, has_after = before >= 0, after >= 0
        inner_before = np.where(joined, at, after)[has_before]
        inner_after = np.where(joined, at, before)[has_after]
        outer_axis = np.concatenate([axis[has_before], axis[has_after]])
        outer_at = np.concatenate([before[has_before], after[has_after]])
        outer_before, outer_after = self._nearest(members, outer_axis, outer_at)
        split = int(np.count_nonzero(has_before))
        self._set_widths(
            np.concatenate([axis[joined], outer_axis]),
            np.concatenate([at[joined], outer_at]),
            np.concatenate([before[joined], outer_before[:split], inner_after]),
            np.concatenate([after[joined], inner_before, outer_after[split:]]),
        )

    def _nearest(self, mask: BoolArray, axis: IntArray, at: IntArray) -> tuple[IntArray, IntArray]:
        """For each position ``at`` on its ``axis``, the positions of the nearest rows in
        ``mask`` before and after it (-1 if none)."""
        n = len(mask)
        # Any (non-members + 1) consecutive positions hold a member: one window suffices.
        reach = min(n - int(np.count_nonzero(mask)) + 1, n)
        steps = np.arange(1, reach + 1)
        ahead = at[:, None] + np.concatenate([-steps, steps])
        inside = (ahead >= 0) & (ahead < n)
        hit = inside & mask[self.order.rows[axis[:, None], np.where(inside, ahead, 0)]]
        before, after = hit[:, :reach], hit[:, reach:]
        first_before, first_after = before.argmax(axis=1), after.argmax(axis=1)
        rows = np.arange(len(at))
        return (
            np.where(before[rows, first_before], at - 1 - first_before, -1),
            np.where(after[rows, first_after], at + 1 + first_after, -1),
        )

    def _set_widths(self, axis: IntArray, at: IntArray, before: IntArray, after: IntArray) -> None:
        """Set the width of the members at positions ``at`` of their ``axis``, whose nearest
        members there are at ``before`` and ``after`` (-1: none), and then their kernels."""
        values = self.order.values
        value = values[axis, at]
        # The same subtractions as sorted_bandwidths' np.diff, so the same widths.
        gap_before = np.where(before >= 0, value - values[axis, np.maximum(before, 0)], -np.inf)
        gap_after = np.where(after >= 0, values[axis, np.maximum(after, 0)] - value, -np.inf)
        widest = np.maximum(gap_before, gap_after)
        widest[(before < 0) & (after < 0)] = np.inf  # a lone kernel is as wide as the prior
        rows = self.order.rows[axis, at]
        self.sigmas[rows, axis] = np.minimum(
            np.maximum(widest, self.min_sigma[axis]), self.axes.prior_sigma[axis]
        )
        self._compute_kernels(np.unique(rows))

    def _compute_kernels(self, rows: IntArray) -> None:
        mus = self.z[rows]
        inv_var, scaled, log_norm = kernel_terms(self.axes, mus, self.sigmas[rows])
        d = self.axes.n_numeric
        block = np.empty((len(rows), 2 * d + 1))
        block[:, :d] = -0.5 * inv_var
        block[:, d : 2 * d] = scaled
        block[:, 2 * d] = -log_norm - 0.5 * (mus * scaled).sum(axis=1) - self.log_prior_norm
        self.kernels[rows] = block

    def model(self, z: FloatArray, cats: IntArray, *, prior_weight: float) -> SubsetModel:
        """The estimator of the members and the extra observations ``z``, ``cats`` (as
        ``Mixture.fit`` with ``prior_weight``), valid until the next ``sync``."""
        n = int(np.count_nonzero(self.members))
        # The extra observations change the widths of their nearest members on each axis:
        # those members move to the small mixture, with the extra observations and the prior.
        near, near_sigmas, sigmas = self._with_extra(z)
        total = n + len(z) + prior_weight
        if not len(z) and self.prior is not None and self.prior.weights[0] == prior_weight:
            extra = self.prior  # the same every time (its weight is not normalized)
        else:
            weights = np.ones(len(near) + len(z) + 1)
            weights[-1] = prior_weight
            extra = Mixture(
                self.axes,
                np.concatenate([self.z[near], z, self.axes.prior_mu[None, :]]),
                np.concatenate([near_sigmas, sigmas, self.axes.prior_sigma[None, :]]),
                option_tables(self.axes, np.concatenate([self.cats[near], cats]), n + len(z)),
                weights,  # unnormalized: log_pdf adds -log(total)
            )
            if not len(z):
                self.prior = extra
        hits, misses = [], []
        for prior in self.axes.categorical:
            # A member's kernel has two values at an option: its own option's or another's.
            smoothing = option_smoothing(n + len(z), prior)
            misses.append(np.log(smoothing * prior))
            hits.append(np.log(smoothing * prior + (1.0 - smoothing)))
        return SubsetModel(
            mixture=self,
            kernels=self.kernels[: len(self.members)],
            cats=self.cats,
            excluded=np.concatenate([np.flatnonzero(~self.members), near]),
            hits=tuple(hits),
            misses=tuple(misses),
            extra=extra,
            log_weight=-float(np.log(total)),
        )

    def _with_extra(self, z: FloatArray) -> tuple[IntArray, FloatArray, FloatArray]:
        """The members whose widths the extra observations ``z`` change, their widths, and
        the extra observations' widths, all axes at once."""
        (m, d), n = z.shape, len(self.members)
        if not m or not d:
            return np.zeros(0, dtype=np.int64), np.empty((0, d)), np.ones((m, d))
        members, values = self.members, self.order.values
        axis = np.tile(np.arange(d), m)  # entry i * d + k: extra observation i on axis k
        where = np.empty((m, d), dtype=np.int64)
        for k in range(d):  # after equal members
            where[:, k] = np.searchsorted(values[k, :n], z[:, k], side="right")
        at = where.reshape(-1)
        # Their nearest members below and above (at or after ``at``)...
        before, after = self._nearest(members, np.tile(axis, 2), np.concatenate([at, at - 1]))
        below, above = before[: m * d], after[m * d :]
        next_axis = np.concatenate([axis[below >= 0], axis[above >= 0]])
        next_at = np.concatenate([below[below >= 0], above[above >= 0]])
        # ... and their own other neighbours, needed for their widths.  The widths are then
        # those of sorted_bandwidths on each axis' short list of these members and every
        # extra observation (which may neighbour any of them).
        outer_before, outer_after = self._nearest(members, next_axis, next_at)
        keys = np.unique(
            np.concatenate(
                [
                    next_axis * n + next_at,
                    (next_axis * n + outer_before)[outer_before >= 0],
                    (next_axis * n + outer_after)[outer_after >= 0],
                ]
            )
        )
        local_axis, local_at = keys // n, keys % n
        entry_axis = np.concatenate([local_axis, axis])
        entry_value = np.concatenate([values[local_axis, local_at], z.reshape(-1)])
        # Members before extra observations at equal values, each in their order.
        entry_kind = np.concatenate([np.zeros(len(keys)), np.ones(m * d)])
        entry_rank = np.concatenate([local_at, np.repeat(np.arange(m), d)])
        order = np.lexsort((entry_rank, entry_kind, entry_value, entry_axis))
        sorted_axis = entry_axis[order]
        gaps = np.diff(entry_value[order])
        gaps[sorted_axis[1:] != sorted_axis[:-1]] = -np.inf  # no neighbours across axes
        gap_before = np.concatenate([[-np.inf], gaps])
        gap_after = np.concatenate([gaps, [-np.inf]])
        widest = np.maximum(gap_before, gap_after)
        widest[widest == -np.inf] = np.inf  # a lone kernel is as wide as the prior
        widths = np.empty(len(order))
        widths[order] = np.minimum(
            np.maximum(widest, self.min_sigma[sorted_axis]), self.axes.prior_sigma[sorted_axis]
        )
        sigmas = widths[len(keys) :].reshape(m, d)
        near_keys = np.unique(next_axis * n + next_at)
        near_axis = near_keys // n
        rows = self.order.rows[near_axis, near_keys % n]
        near = np.unique(rows)
        near_sigmas = self.sigmas[near]
        near_sigmas[np.searchsorted(near, rows), near_axis] = widths[
            np.searchsorted(keys, near_keys)
        ]
        return near, near_sigmas, sigmas


@attrs.frozen
class SubsetModel:
    """A ``SubsetMixture``'s estimator at one ``sync``: the rows' kernels but ``excluded``,
    and a small ``Mixture`` ``extra``, all weighted ``exp(log_weight)`` times their weight."""

    mixture: SubsetMixture
    kernels: FloatArray
    cats: IntArray
    excluded: IntArray
    #: Per categorical axis and option, a row kernel's log-probability when the row has
    #: that option (hits) or another (misses).
    hits: tuple[FloatArray, ...]
    misses: tuple[FloatArray, ...]
    extra: Mixture
    log_weight: float

    def log_terms(self, z: FloatArray, cats: IntArray) -> tuple[FloatArray, FloatArray]:
        """Each component's weighted log-density at each point (``-inf`` for excluded
        rows), for the rows' kernels and for ``extra``'s."""
        rows = self._row_terms(z, cats, np.empty((len(z), len(self.kernels))))
        return rows + self.log_weight, self.extra.log_terms(z, cats) + self.log_weight

    def log_pdf(self, z: FloatArray, cats: IntArray) -> FloatArray:
        """The log-density of each point (rows of ``z`` and ``cats``).

        As ``Mixture.log_pdf`` (to its float32 rounding), with two savings that matter at
        10,000 rows.  The (points, rows) matrices live in buffers kept across calls: on this
        machine's VM a fresh 2 MB temporary costs ~500 page faults, and the four of a plain
        log-sum-exp took 4 of the 5 ms of a proposal.  And only the terms within 104 of the
        largest are exponentiated (7 in 10,000 on the 10-D benchmark: in many dimensions,
        most kernels are far from any point): the rest underflow to 0 in Mixture's float32
        exp, and would each add less than 1e-45 of the sum (the largest term is 1)."""
        size = len(z) * len(self.kernels)
        owner = self.mixture
        if len(owner.workspace) < size:
            owner.workspace = np.empty(max(size, 2 * len(owner.workspace)))
            owner.near = np.empty(len(owner.workspace), dtype=bool)
        terms = self._row_terms(z, cats, owner.workspace[:size].reshape(len(z), -1))
        extra = self.extra.log_terms(z, cats)
        top = np.maximum(terms.max(axis=1), extra.max(axis=1))
        near = owner.near[:size].reshape(terms.shape)
        np.greater(terms, (top - 104.0)[:, None], out=near)
        # 1-D: np.nonzero of a 2-D mask costs 10 times more.
        where = np.flatnonzero(near.reshape(-1))
        point = where // terms.shape[1]
        weights = np.exp(terms.reshape(-1)[where] - top[point])
        total = np.bincount(point, weights, minlength=len(z)).astype(np.float64)
        total += np.exp(extra - top[:, None]).sum(axis=1)
        result: FloatArray = top + np.log(total) + self.log_weight
        return result

    def _row_terms(self, z: FloatArray, cats: IntArray, out: FloatArray) -> FloatArray:
        """The rows' unweighted terms, written into ``out`` (points, rows)."""
        features = np.concatenate([z * z, z, np.ones((len(z), 1))], axis=1)
        np.matmul(features, self.kernels.T, out=out)
        out[:, self.excluded] = -np.inf
        for j, (hit, miss) in enumerate(zip(self.hits, self.misses, strict=True)):
            # Row by row: a (points, rows) temporary would cost page faults (see log_pdf).
            column = self.cats[:, j]
            terms = {o: np.where(column == o, hit[o], miss[o]) for o in set(cats[:, j].tolist())}
            for i, o in enumerate(cats[:, j].tolist()):
                out[i] += terms[o]
        return out
