"""Parameter importance: how much of the loss's variation each parameter accounts for.

The method, chosen to be simple and defensible: for each parameter, take the OK trials in
which it is active, replace losses by their ranks (robust to outliers and to the loss's
scale), group the trials by the parameter's value — categories as they are, numbers in up to
``bins`` equal-count bins — and compute the correlation ratio eta^2 = between-group variance /
total variance of the ranks.  eta^2 is 0 when the loss does not depend on the parameter and 1
when the parameter alone orders the losses.  Parameters are assessed one at a time, so
interactions are not attributed; with few trials eta^2 is biased upwards (each extra group
explains a little noise), which is why the number of bins is kept small.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from typedspace.storage._records import TrialRecord, TrialState


def eta_squared(
    values: Sequence[float], losses: Sequence[float], *, categorical: bool, bins: int = 8
) -> float:
    """The correlation ratio of loss ranks grouped by ``values`` (see the module docstring).

    >>> round(eta_squared([0, 0, 1, 1], [1.0, 1.1, 5.0, 5.2], categorical=True), 3)
    0.8
    """
    if len(values) < 3:
        return 0.0
    ranks = stats.rankdata(losses)
    x = np.asarray(values, dtype=np.float64)
    if categorical:
        _, groups = np.unique(x, return_inverse=True)
    else:
        edges = np.unique(np.quantile(x, np.linspace(0, 1, bins + 1)[1:-1]))
        groups = np.searchsorted(edges, x, side="right")
    total = float(np.sum((ranks - ranks.mean()) ** 2))
    if total == 0.0:
        return 0.0
    between = 0.0
    for g in np.unique(groups):
        members = ranks[groups == g]
        between += len(members) * float(members.mean() - ranks.mean()) ** 2
    return between / total


def importances(
    records: Sequence[TrialRecord], categorical: Mapping[str, bool] | None = None
) -> dict[str, float]:
    """eta^2 of every parameter seen in the OK trials, largest first.

    ``categorical`` says which parameters are categorical (by default: none).
    """
    ok = [r for r in records if r.state is TrialState.OK and r.loss is not None]
    names = sorted({name for r in ok for name in r.assignment})
    kinds = categorical or {}
    scores = {}
    for name in names:
        active = [r for r in ok if name in r.assignment]
        scores[name] = eta_squared(
            [float(r.assignment[name]) for r in active],
            [float(r.loss) for r in active if r.loss is not None],
            categorical=kinds.get(name, False),
        )
    return dict(sorted(scores.items(), key=lambda kv: -kv[1]))
