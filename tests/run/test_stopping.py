"""Early-stopping rules: NoImprovement ends a run once the best loss stops improving."""

from __future__ import annotations

import pytest

from typedspace import NoImprovement, Uniform, optimize
from typedspace.algorithms import RandomSearch


def test_early_stop_no_improvement() -> None:
    rule = NoImprovement(patience=10)
    result = optimize(
        lambda x: x, Uniform(0.0, 1.0), RandomSearch(), max_evals=10_000, seed=0, early_stop=rule
    )
    assert result.stop_reason == "early_stop"
    losses = [t.loss for t in result.trials if t.loss is not None]
    # the last 10 losses did not beat the best before them
    assert min(losses[-10:]) >= min(losses[:-10])
    assert min(losses[-11:]) < min(losses[:-11]) or len(losses) == 11


def test_no_improvement_validates_patience() -> None:
    with pytest.raises(ValueError, match="patience"):
        NoImprovement(patience=0)


def _rule_on(losses: list[float], rule: NoImprovement) -> bool:
    from typedspace import Optimizer

    opt = Optimizer(Uniform(0.0, 1.0), RandomSearch(), seed=0)
    for loss in losses:
        opt.tell(opt.ask(), loss)
    return rule(opt.trials)


def test_an_equal_loss_is_no_improvement() -> None:
    # A constant objective used to count as improving for ever (issue 13, item 7).
    assert _rule_on([1.0] * 4, NoImprovement(patience=3))
    assert not _rule_on([1.0, 1.0, 1.0, 0.999], NoImprovement(patience=3))


@pytest.mark.parametrize(
    ("last", "stops"), [(-98.5, True), (-98.9, True), (-99.5, False)], ids=["0.5", "0.9", "1.5"]
)
def test_min_rel_delta_is_relative_to_the_best_loss_magnitude(last: float, stops: bool) -> None:
    # Best before: -98.0; 1% of it is 0.98, so an improvement must reach below -98.98.
    rule = NoImprovement(patience=2, min_rel_delta=0.01)
    assert _rule_on([-98.0, -50.0, last], rule) is stops
    # An absolute margin of 0.1 calls each of these an improvement.
    assert not _rule_on([-98.0, -50.0, last], NoImprovement(patience=2, min_delta=0.1))


def test_pruned_trials_count_as_trials_without_improvement() -> None:
    from typedspace import Optimizer, TrialPruned

    opt = Optimizer(Uniform(0.0, 1.0), RandomSearch(), seed=0)
    opt.tell(opt.ask(), 0.5)
    for _ in range(3):
        trial = opt.ask()
        opt.report(trial, 1, 0.9)
        opt.tell(trial, TrialPruned())
    assert NoImprovement(patience=3)(opt.trials)
    assert not NoImprovement(patience=4)(opt.trials)
