"""SpaceSearchCV(max_steps=k): estimators trained step by step, reporting after each step."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import SGDClassifier, SGDRegressor
from sklearn.model_selection import KFold, StratifiedKFold

from typedspace import Choice, LogUniform, Map, Space, TrialState
from typedspace.algorithms import RandomSearch
from typedspace.pruners import Hyperband
from typedspace.sklearn import (
    SpaceSearchCV,
    pipeline,
    random_forest_classifier,
    sgd_classifier,
    standard_scaler,
    svc,
)
from typedspace.sklearn._build import Make
from typedspace.sklearn._incremental import fit_in_steps

FOLDS = StratifiedKFold(3, shuffle=True, random_state=0)


def digits() -> tuple[Any, Any]:
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16.0, y[:600]


def sgd(alpha: Space[float] | float = LogUniform(1e-5, 1.0)) -> Space[SGDClassifier]:
    params: dict[str, Any] = {
        "alpha": alpha,
        "learning_rate": "constant",
        "eta0": LogUniform(1e-4, 1.0),
        "random_state": 0,
    }
    return Map(Make(SGDClassifier), params)


def manual_scores(estimator: Any, X: Any, y: Any, steps: int) -> list[list[float]]:
    """Per step, each fold's accuracy after that many partial_fit passes: what a trial of
    ``SpaceSearchCV(max_steps=steps)`` must report, computed independently."""
    curves: list[list[float]] = [[] for _ in range(steps)]
    for train, test in FOLDS.split(X, y):
        model = clone(estimator)
        for step in range(steps):
            model.partial_fit(X[train], y[train], classes=np.unique(y))
            curves[step].append(float(model.score(X[test], y[test])))
    return curves


def test_every_step_is_reported_with_the_mean_fold_loss() -> None:
    X, y = digits()
    steps = 4
    fitted = SpaceSearchCV(
        sgd(), max_evals=5, cv=FOLDS, algo=RandomSearch(), seed=0, max_steps=steps, pruner=None
    ).fit(X, y)
    trials = fitted.result_.trials
    assert len(trials) == 5 and all(t.state is TrialState.OK for t in trials)
    for trial in trials:
        expected = manual_scores(trial.value, X, y, steps)
        assert [s for s, _ in trial.intermediate] == list(range(1, steps + 1))
        for (_, loss), folds in zip(trial.intermediate, expected, strict=True):
            assert loss == pytest.approx(-np.mean(folds))
        assert trial.loss == pytest.approx(-np.mean(expected[-1]))
        assert trial.extra["test_scores"] == pytest.approx(expected[-1])
    best = min(trials, key=lambda t: t.loss or math.inf)
    assert fitted.best_score_ == pytest.approx(-(best.loss or math.nan))


def test_the_refit_trains_the_best_model_in_the_same_steps() -> None:
    X, y = digits()
    fitted = SpaceSearchCV(
        sgd(), max_evals=3, cv=FOLDS, algo=RandomSearch(), seed=0, max_steps=3, pruner=None
    ).fit(X, y)
    # SGDClassifier.fit would run up to max_iter=1000 epochs; the search scored 3 passes.
    manual = clone(fitted.result_.best)
    for _ in range(3):
        manual.partial_fit(X, y, classes=np.unique(y))
    assert np.array_equal(manual.coef_, fitted.best_estimator_.coef_)
    assert fitted.best_estimator_.t_ == 3 * len(X) + 1
    again = fit_in_steps(fitted.result_.best, X, y, 3)
    assert np.array_equal(again.coef_, fitted.best_estimator_.coef_)


def test_auto_prunes_bad_learning_curves_with_hyperband() -> None:
    X, y = digits()
    # alpha up to 10: a strong penalty keeps accuracy low from the first epoch on.
    space = sgd(LogUniform(1e-5, 10.0))
    fitted = SpaceSearchCV(
        space, max_evals=30, cv=FOLDS, algo=RandomSearch(), seed=0, max_steps=9
    ).fit(X, y)
    trials = fitted.result_.trials
    pruned = [t for t in trials if t.state is TrialState.PRUNED]
    ok = [t for t in trials if t.state is TrialState.OK]
    assert pruned and ok
    # Hyperband(max_steps=9) stops at its rungs 1 and 3, never at or after the last step.
    assert {t.intermediate[-1][0] for t in pruned} <= {1, 3}
    assert all(len(t.intermediate) == 9 for t in ok)
    # A pruned trial reported by step, not by fold: its fold scores are unknown.
    states = fitted.cv_results_["state"]
    for split in range(3):
        column = fitted.cv_results_[f"split{split}_test_score"]
        assert np.isnan(column[states == "pruned"]).all()
        assert not np.isnan(column[states == "ok"]).any()
    assert fitted.best_score_ == max(-(t.loss or math.inf) for t in ok)


def test_auto_means_hyperband_over_the_steps() -> None:
    from typedspace.sklearn._search import check_pruner

    assert check_pruner("auto", 5, 27) == Hyperband(max_steps=27)


def test_a_warm_start_ensemble_grows_its_members_over_the_steps() -> None:
    X, y = digits()
    space = Map(
        Make(RandomForestClassifier),
        {"n_estimators": Choice(2, 12), "max_depth": 4, "random_state": 0},
    )
    fitted = SpaceSearchCV(
        space, max_evals=4, cv=FOLDS, algo=RandomSearch(), seed=1, max_steps=4, pruner=None
    ).fit(X, y)
    for trial in fitted.result_.trials:
        assert trial.state is TrialState.OK
        values = [v for _, v in trial.intermediate]
        assert len(values) == 4
        if trial.value.n_estimators == 2:
            # Members 1, 1, 2, 2: a step that adds no tree repeats the last score.
            assert values[0] == values[1] and values[2] == values[3]
    assert fitted.best_estimator_.n_estimators == fitted.result_.best.n_estimators
    assert len(fitted.best_estimator_.estimators_) == fitted.best_estimator_.n_estimators


def test_balanced_class_weights_work_with_partial_fit() -> None:
    X, y = digits()
    fitted = SpaceSearchCV(
        sgd_classifier(class_weight="balanced"),
        max_evals=3,
        cv=FOLDS,
        algo=RandomSearch(),
        seed=0,
        max_steps=2,
        pruner=None,
    ).fit(X, y)
    assert all(t.state is TrialState.OK for t in fitted.result_.trials)


def test_a_regressor_is_stepped_and_scored_with_its_own_score() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.1, size=200)
    space = Map(Make(SGDRegressor), {"alpha": LogUniform(1e-6, 1e-2), "random_state": 0})
    fitted = SpaceSearchCV(
        space,
        max_evals=3,
        cv=KFold(3),
        algo=RandomSearch(),
        seed=0,
        max_steps=5,
        pruner=None,
    ).fit(X, y)
    trial = fitted.result_.trials[0]
    assert fitted.best_score_ > 0.9
    assert trial.intermediate[-1][1] <= trial.intermediate[0][1]  # R^2 improves with epochs


@pytest.mark.parametrize(
    ("space", "name"),
    [
        (svc(), "SVC"),
        (pipeline(standard_scaler(), random_forest_classifier()), "Pipeline"),
    ],
)
def test_an_estimator_that_cannot_step_is_refused_before_any_trial(
    space: Space[Any], name: str
) -> None:
    X, y = digits()
    search = SpaceSearchCV(space, max_evals=3, cv=FOLDS, max_steps=5)
    with pytest.raises(TypeError, match=rf"max_steps=5 .*partial_fit.*{name} has neither"):
        search.fit(X, y)
    assert not hasattr(search, "result_")


@pytest.mark.parametrize(
    ("max_steps", "error", "message"),
    [
        (0, ValueError, "max_steps must be at least 1, got 0"),
        (2.5, TypeError, "max_steps must be None or an int, got 2.5"),
        (True, TypeError, "max_steps must be None or an int, got True"),
    ],
)
def test_an_invalid_max_steps_is_named(
    max_steps: Any, error: type[Exception], message: str
) -> None:
    X, y = digits()
    with pytest.raises(error, match=message):
        SpaceSearchCV(sgd(), max_evals=2, cv=FOLDS, max_steps=max_steps).fit(X, y)


def test_steps_are_reported_from_worker_processes() -> None:
    X, y = digits()
    fitted = SpaceSearchCV(
        sgd(),
        max_evals=4,
        cv=FOLDS,
        algo=RandomSearch(),
        seed=0,
        max_steps=3,
        executor="processes",
        pruner=None,
    ).fit(X, y)
    assert all(len(t.intermediate) == 3 for t in fitted.result_.trials)
