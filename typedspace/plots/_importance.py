"""Parameter importance: how much of the loss's variation each parameter accounts for, beyond
what chance gives a parameter that does not matter.

The method: for each parameter, take the OK trials in which it is active, replace losses by
their ranks (robust to outliers and to the loss's scale), group the trials by the parameter's
value (categories as they are, numbers in equal-count bins of at least ``MIN_PER_BIN``
trials, at most ``bins``) and compute the correlation ratio eta^2 = between-group variance /
total variance of the ranks.

Raw eta^2 is biased upwards in small samples: with ``k`` groups of ``n`` trials a parameter
the objective ignores scores ``(k - 1) / (n - 1)`` on average (exactly: ``(n - 1) * eta^2`` is
the Kruskal-Wallis statistic, whose mean under independence is ``k - 1``), which is 0.64 for 8
bins of 12 trials.  The score is therefore chance-corrected, like an adjusted R^2:
``(eta^2 - e) / (1 - e)`` with ``e = (k - 1) / (n - 1)``, clipped at 0.  It is 0 on average
for an ignored parameter whatever ``n``, and 1 when the parameter alone orders the losses.
Parameters are assessed one at a time, so interactions are not attributed; ``n`` is reported
with each score because a score from a handful of trials is still noisy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
import numpy as np
from scipy import stats

from typedspace.storage._records import TrialRecord, TrialState

#: Numeric parameters are cut into bins of at least this many trials.
MIN_PER_BIN = 4


@attrs.frozen
class Importance:
    """A parameter's chance-corrected eta^2 (0: no more than chance) over ``n`` trials."""

    score: float
    n: int


def eta_squared(
    values: Sequence[float], losses: Sequence[float], *, categorical: bool, bins: int = 8
) -> float:
    """The chance-corrected correlation ratio of loss ranks grouped by ``values``.

    >>> round(eta_squared([0, 0, 0, 1, 1, 1], [1.0, 1.1, 1.2, 5.0, 5.2, 5.1], categorical=True), 3)
    0.714
    """
    n = len(values)
    if n < 3:
        return 0.0
    ranks = stats.rankdata(losses)
    x = np.asarray(values, dtype=np.float64)
    if categorical:
        _, groups = np.unique(x, return_inverse=True)
    else:
        k = max(1, min(bins, n // MIN_PER_BIN))
        edges = np.unique(np.quantile(x, np.linspace(0, 1, k + 1)[1:-1]))
        groups = np.searchsorted(edges, x, side="right")
    total = float(np.sum((ranks - ranks.mean()) ** 2))
    labels = np.unique(groups)
    if total == 0.0 or len(labels) < 2:
        return 0.0
    between = sum(
        np.sum(groups == g) * float(ranks[groups == g].mean() - ranks.mean()) ** 2 for g in labels
    )
    chance = (len(labels) - 1) / (n - 1)
    if chance >= 1.0:
        return 0.0  # as many groups as trials: nothing can be told from chance
    return max(0.0, (float(between) / total - chance) / (1.0 - chance))


def importances(
    records: Sequence[TrialRecord], categorical: Mapping[str, bool] | None = None
) -> dict[str, Importance]:
    """The importance of every parameter seen in the OK trials, largest first.

    ``categorical`` says which parameters are categorical (by default: none).
    """
    ok = [r for r in records if r.state is TrialState.OK and r.loss is not None]
    names = sorted({name for r in ok for name in r.assignment})
    kinds = categorical or {}
    scores = {}
    for name in names:
        active = [r for r in ok if name in r.assignment]
        score = eta_squared(
            [float(r.assignment[name]) for r in active],
            [float(r.loss) for r in active if r.loss is not None],
            categorical=kinds.get(name, False),
        )
        scores[name] = Importance(score, len(active))
    return dict(sorted(scores.items(), key=lambda kv: -kv[1].score))
