"""SpaceSearchCV and AutoClassifier report each fold's loss and prune bad configurations."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler

from tests.sklearn._fakes import StopOnceOneCompleted
from typedspace import Choice, Cond, Map, Space, TrialPruned, TrialState
from typedspace.algorithms import RandomSearch
from typedspace.pruners import WilcoxonPruner
from typedspace.sklearn import (
    AutoClassifier,
    SpaceSearchCV,
    k_neighbors_classifier,
    no_preprocessing,
    pipeline,
)
from typedspace.sklearn._build import Make
from typedspace.sklearn._search import CrossValidation
from typedspace.sklearn._worker import TimedWorker

FOLDS = StratifiedKFold(5, shuffle=True, random_state=0)


def iris() -> tuple[Any, Any]:
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def good_or_bad() -> Space[Any]:
    """k-NN (about 0.95 accuracy on iris) or a dummy (a third on every stratified fold)."""
    return Cond(
        Choice("knn", "dummy"),
        {"knn": k_neighbors_classifier(), "dummy": Map(Make(DummyClassifier), {})},
    )


def search(space: Space[Any] | None = None, **kwargs: Any) -> SpaceSearchCV:
    options: dict[str, Any] = {"max_evals": 12, "cv": FOLDS, "algo": RandomSearch(), "seed": 0}
    return SpaceSearchCV(good_or_bad() if space is None else space, **{**options, **kwargs})


def is_dummy(value: Any) -> bool:
    last = value.steps[-1][1] if hasattr(value, "steps") else value
    return isinstance(last, DummyClassifier)


def test_each_fold_is_reported_with_its_index_as_the_step() -> None:
    X, y = iris()
    fitted = search().fit(X, y)
    ok = [t for t in fitted.result_.trials if t.state is TrialState.OK]
    assert ok
    for trial in ok:
        assert [step for step, _ in trial.intermediate] == [0, 1, 2, 3, 4]
        # The value at step i is the loss on fold i: minus its score.
        losses = [value for _, value in trial.intermediate]
        assert losses == pytest.approx([-s for s in trial.extra["test_scores"]])
        assert trial.loss == pytest.approx(np.mean(losses))  # the loss is the folds' mean


def test_a_clearly_bad_configuration_is_pruned_before_its_last_fold() -> None:
    X, y = iris()
    fitted = search().fit(X, y)  # the default pruner: WilcoxonPruner()
    trials = fitted.result_.trials
    first_good = min(t.number for t in trials if t.state is TrialState.OK and not is_dummy(t.value))
    later_dummies = [t for t in trials if is_dummy(t.value) and t.number > first_good]
    assert later_dummies, "the seed gives no dummy after a k-NN: pick another seed"
    for trial in later_dummies:
        # Worse on each of 4 folds: p = 1/16 < 0.1, so it stops before its fifth fold.
        assert trial.state is TrialState.PRUNED
        assert [step for step, _ in trial.intermediate] == [0, 1, 2, 3]
        assert trial.loss is None
    assert fitted.result_.pruned == tuple(later_dummies)
    assert fitted.best_params_["value"] == "knn"


def test_with_3_folds_the_default_stops_a_bad_configuration_after_2() -> None:
    X, y = iris()
    # At the level 0.1 no trial could stop before its third and last fold (p >= 1/8).
    fitted = search(cv=StratifiedKFold(3, shuffle=True, random_state=0)).fit(X, y)
    trials = fitted.result_.trials
    first_good = min(t.number for t in trials if t.state is TrialState.OK and not is_dummy(t.value))
    later_dummies = [t for t in trials if is_dummy(t.value) and t.number > first_good]
    assert later_dummies, "the seed gives no dummy after a k-NN: pick another seed"
    for trial in later_dummies:
        # Worse on each of 2 folds: p = 1/4 < 0.3.
        assert trial.state is TrialState.PRUNED
        assert [step for step, _ in trial.intermediate] == [0, 1]
    assert fitted.best_params_["value"] == "knn"


def test_pruned_trials_in_cv_results_and_never_the_best() -> None:
    X, y = iris()
    # Stops every trial after its first fold once one trial completed, good ones included.
    fitted = search(pruner=StopOnceOneCompleted(), cv=3).fit(X, y)
    trials = fitted.result_.trials
    assert trials[0].state is TrialState.OK and all(
        t.state is TrialState.PRUNED for t in trials[1:]
    )
    assert fitted.best_index_ == 0 and fitted.result_.best_trial.number == 0
    results = fitted.cv_results_
    assert list(results["state"]) == ["ok"] + ["pruned"] * 11
    # A pruned trial shows the score of the fold it evaluated, NaN for the others and the mean.
    first_fold = results["split0_test_score"]
    assert not np.any(np.isnan(first_fold))
    assert np.all(np.isnan(results["split1_test_score"][1:]))
    assert np.all(np.isnan(results["mean_test_score"][1:]))
    assert list(results["rank_test_score"]) == [1] + [2] * 11
    assert fitted.best_params_ == results["params"][0]
    # Even a pruned trial that did better on its fold than the best trial is not the best.
    if is_dummy(trials[0].value):
        assert first_fold[1:].max() > first_fold[0]


def test_no_pruner_prunes_nothing_and_reports_nothing() -> None:
    X, y = iris()
    fitted = search(pruner=None).fit(X, y)
    trials = fitted.result_.trials
    assert sum(is_dummy(t.value) for t in trials) > 1
    assert all(t.state is TrialState.OK and t.intermediate == () for t in trials)
    assert fitted.result_.pruned == ()


def test_the_pruner_is_kept_as_given_and_checked_at_fit() -> None:
    X, y = iris()
    pruner = WilcoxonPruner(p_threshold=0.05)
    assert search(pruner=pruner).get_params()["pruner"] is pruner
    assert SpaceSearchCV(good_or_bad()).get_params()["pruner"] == "auto"
    assert clone(search(pruner=pruner)).pruner == pruner
    bad_values: list[tuple[Any, str]] = [
        ("median", "'auto', None or a pruner"),
        (0.1, "'auto', None or a pruner"),
        (WilcoxonPruner, r"write WilcoxonPruner\(\)"),
    ]
    for bad, message in bad_values:
        unfitted = search(pruner=bad)  # stored as given
        with pytest.raises(TypeError, match=message):
            unfitted.fit(X, y)
        with pytest.raises(TypeError, match=message):
            AutoClassifier(pruner=bad).fit(X, y)


@pytest.mark.slow  # a process pool starts
def test_worker_processes_share_their_reports_without_a_storage() -> None:
    X, y = iris()
    # In-memory storage cannot cross processes: the search uses a temporary SQLite file.
    fitted = search(executor="processes", max_pending=2, max_evals=8).fit(X, y)
    trials = fitted.result_.trials
    assert all(len(t.intermediate) == 5 for t in trials if t.state is TrialState.OK)
    assert fitted.best_params_["value"] == "knn"


def auto(**kwargs: Any) -> AutoClassifier:
    options: dict[str, Any] = {
        "space": pipeline(no_preprocessing(), good_or_bad()),
        "cv": FOLDS,
        "algo": RandomSearch(),
        "seed": 0,
        "max_evals": 10,
        "time_budget": 120.0,  # the trials are quick: max_evals ends the search
    }
    return AutoClassifier(**{**options, **kwargs})


@pytest.mark.slow  # the worker process starts
def test_auto_classifier_prunes_in_its_worker_process() -> None:
    X, y = iris()
    model = auto().fit(X, y)
    trials = model.result_.trials
    first_good = min(t.number for t in trials if t.state is TrialState.OK and not is_dummy(t.value))
    later_dummies = [t for t in trials if is_dummy(t.value) and t.number > first_good]
    assert later_dummies
    for trial in later_dummies:
        assert trial.state is TrialState.PRUNED
        assert [step for step, _ in trial.intermediate] == [0, 1, 2, 3]
    for trial in trials:
        if trial.state is TrialState.OK:
            assert [step for step, _ in trial.intermediate] == [0, 1, 2, 3, 4]
    assert model.best_params_["model"] == "knn"
    assert f"{len(later_dummies)} pruned" in model.summary()


@pytest.mark.slow  # the worker process starts
def test_auto_classifier_without_a_pruner_prunes_nothing() -> None:
    X, y = iris()
    model = auto(pruner=None).fit(X, y)
    assert all(t.state is TrialState.OK for t in model.result_.trials)
    assert model.result_.pruned == ()


@pytest.mark.slow  # the worker process starts
def test_the_worker_stops_a_pruned_trial_and_serves_the_next() -> None:
    X, y = iris()
    worker = TimedWorker(CrossValidation(X, y, list(KFold(3).split(X)), None))
    seen: list[int] = []

    def prune_at_second(index: int, fold: dict[str, float]) -> None:
        seen.append(index)
        assert set(fold) == {"test_score", "fit_time", "score_time"}
        if index == 1:
            raise TrialPruned("stop")

    try:
        with pytest.raises(TrialPruned):
            worker.run(KNeighborsClassifier(), 60.0, prune_at_second)
        assert seen == [0, 1]
        # In step with the worker: the next trial gets its own three folds.
        assert len(worker.run(KNeighborsClassifier(), 60.0)["test_scores"]) == 3
    finally:
        worker.close()
