"""IfPredictive: a pruner may stop trials only at steps whose values predict final losses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pytest
from scipy import stats

from typedspace import TPE, Report, Uniform, optimize
from typedspace.pruners import Curve, IfPredictive, MedianPruner, Pruner, Status


def complete(number: int, values: Sequence[float], loss: float) -> Curve:
    return Curve(number, Status.COMPLETE, tuple(range(1, len(values) + 1)), tuple(values), loss)


class Always:
    """A pruner that always says stop: what IfPredictive allows is then all that matters."""

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        return True


class Never:
    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        return False


SLOW = Curve(99, Status.RUNNING, (1,), (5.0,))
RANKED = [complete(n, [1.0 + n, 0.5 + n], 0.5 + n) for n in range(10)]  # step 1 ranks the finals
REVERSED = [complete(n, [1.0 + n, 0.5], 10.0 - n) for n in range(10)]  # step 1 ranks them backwards


def test_prunes_where_early_values_rank_the_finals_and_not_where_they_do_not() -> None:
    assert IfPredictive(Always()).prune(SLOW, RANKED)
    assert not IfPredictive(Always()).prune(SLOW, REVERSED)


def test_never_prunes_what_its_pruner_keeps() -> None:
    assert not IfPredictive(Never()).prune(SLOW, RANKED)


def test_waits_for_min_trials_completed_trials() -> None:
    assert not IfPredictive(Always(), min_trials=11).prune(SLOW, RANKED)
    assert IfPredictive(Always(), min_trials=10).prune(SLOW, RANKED)


def test_running_and_pruned_trials_and_trials_not_yet_at_the_step_are_not_evidence() -> None:
    others = [
        *RANKED[:7],
        Curve(50, Status.RUNNING, (1,), (0.0,)),
        Curve(51, Status.PRUNED, (1,), (0.0,)),
        Curve(52, Status.COMPLETE, (2, 3), (0.1, 0.1), 0.1),  # first reported after step 1
    ]
    assert not IfPredictive(Always(), min_trials=8).prune(SLOW, others)
    assert IfPredictive(Always(), min_trials=7).prune(SLOW, others)


def test_judges_each_trial_by_its_best_value_up_to_the_step() -> None:
    # Each trial's value AT step 2 reverses the ranking; its best value up to step 2 keeps it.
    others = [complete(n, [1.0 + n, 20.0 - n], 0.5 + n) for n in range(10)]
    at_step_2 = Curve(99, Status.RUNNING, (1, 2), (5.0, 5.0))
    assert IfPredictive(Always()).prune(at_step_2, others)


@pytest.mark.parametrize("n", [8, 15, 30])
def test_decides_as_the_one_sided_kendall_test_at_its_level(n: int) -> None:
    rng = np.random.default_rng(n)
    for _ in range(200):
        early = rng.normal(size=n)
        final = 0.4 * early + rng.normal(size=n)
        others = [complete(i, [float(early[i])], float(final[i])) for i in range(n)]
        expected = stats.kendalltau(early, final, alternative="greater").pvalue < 0.1
        assert IfPredictive(Always(), level=0.1).prune(SLOW, others) == expected


def test_equal_values_predict_nothing() -> None:
    flat = [complete(n, [1.0], 0.5 + n) for n in range(10)]
    assert not IfPredictive(Always()).prune(SLOW, flat)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: IfPredictive(MedianPruner(), level=0.0), ValueError, "level"),
        (lambda: IfPredictive(MedianPruner(), min_trials=1), ValueError, "min_trials"),
        (lambda: IfPredictive(cast(Pruner, "median")), TypeError, "pruner must be a pruner"),
    ],
)
def test_bad_settings_name_the_field(make: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()


def _run(slow_starters_win: bool) -> tuple[int, int]:
    """A study whose early values predict the final loss, or rank the finals backwards."""

    def train(x: float, report: Report) -> float:
        for epoch in range(1, 5):
            report.report(epoch, 1.0 - x - 0.01 * epoch)  # early values: best for large x
        return x if slow_starters_win else 1.0 - x

    result = optimize(
        train,
        Uniform(0.0, 1.0),
        TPE(),
        pruner=IfPredictive(MedianPruner()),
        max_evals=40,
        seed=0,
    )
    return len(result.pruned), len(result.trials)


def test_in_a_study_it_lets_the_median_rule_prune_only_where_that_is_right() -> None:
    pruned_misleading, _ = _run(slow_starters_win=True)
    pruned_predictive, total = _run(slow_starters_win=False)
    assert pruned_misleading == 0
    assert 0 < pruned_predictive < total


def test_four_trials_in_the_same_order_are_enough_three_are_not() -> None:
    # Exact one-sided p-values: 1/24 with four trials, 1/6 with three.
    assert IfPredictive(Always()).prune(SLOW, RANKED[:4])
    assert not IfPredictive(Always(), min_trials=3).prune(SLOW, RANKED[:3])
