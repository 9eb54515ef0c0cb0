"""AutoClassifier/AutoRegressor, and the worker that kills runaway trials."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sklearn.base import clone
from sklearn.datasets import load_diabetes, load_iris
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.model_selection import KFold, train_test_split
from sklearn.neighbors import KNeighborsClassifier

from tests.sklearn._fakes import Broken, Sleepy
from typedspace import Choice, Cond, Map, TrialState
from typedspace.sklearn import (
    AutoClassifier,
    AutoRegressor,
    TrialTimeout,
    any_preprocessing,
    k_neighbors_classifier,
    no_preprocessing,
    pipeline,
)
from typedspace.sklearn._build import Make
from typedspace.sklearn._search import CrossValidation
from typedspace.sklearn._worker import TimedWorker


def iris_split() -> tuple[Any, Any, Any, Any]:
    X, y = load_iris(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    return X_train, X_test, y_train, y_test


def iris_worker() -> TimedWorker:
    X, y = load_iris(return_X_y=True)
    splits = list(KFold(3, shuffle=True, random_state=0).split(X))
    return TimedWorker(CrossValidation(X, y, splits, None))


@pytest.mark.slow  # two worker processes start (a few seconds each on a loaded machine)
def test_worker_kills_a_runaway_fit_and_restarts() -> None:
    worker = iris_worker()
    try:
        with pytest.raises(TrialTimeout):
            worker.run(Sleepy(seconds=120.0), timeout=1.0)
        assert worker._process is None  # killed, not left sleeping
        scores = worker.run(KNeighborsClassifier(), timeout=60.0)["test_scores"]
        assert len(scores) == 3 and min(scores) > 0.8
    finally:
        worker.close()


@pytest.mark.slow
def test_worker_raises_what_the_fit_raised() -> None:
    worker = iris_worker()
    try:
        with pytest.raises(ValueError, match="Broken.fit always fails"):
            worker.run(Broken(), timeout=60.0)
        assert len(worker.run(KNeighborsClassifier(), timeout=60.0)["fit_times"]) == 3
    finally:
        worker.close()


@pytest.mark.slow
def test_auto_classifier_beats_the_baseline_on_iris() -> None:
    X_train, X_test, y_train, y_test = iris_split()
    model = AutoClassifier(time_budget=6.0, seed=0).fit(X_train, y_train)
    baseline = DummyClassifier().fit(X_train, y_train).score(X_test, y_test)
    assert model.score(X_test, y_test) > baseline + 0.4
    assert model.predict(X_test).shape == y_test.shape
    assert list(model.classes_) == [0, 1, 2] and model.n_features_in_ == 4
    assert model.best_score_ > 0.8 and "model" in model.best_params_
    # Several configurations were tried: completed, or stopped after 2 of the 3 folds by the
    # default pruner.
    tried = [t for t in model.result_.trials if t.state in (TrialState.OK, TrialState.PRUNED)]
    assert len(tried) >= 3
    text = model.summary()
    assert "chosen: trial" in text and "family" in text
    assert type(model.best_estimator_.named_steps["model"]).__name__ in text
    if hasattr(model.best_estimator_, "predict_proba"):
        assert model.predict_proba(X_test).shape == (len(y_test), 3)
    else:
        assert not hasattr(model, "predict_proba")


@pytest.mark.slow
def test_auto_regressor_beats_the_baseline_on_diabetes() -> None:
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
    model = AutoRegressor(time_budget=6.0, seed=0).fit(X_train, y_train)
    baseline = DummyRegressor().fit(X_train, y_train).score(X_test, y_test)
    assert model.score(X_test, y_test) > baseline + 0.2
    assert "AutoRegressor" in model.summary()


@pytest.mark.slow
def test_a_runaway_trial_is_killed_and_failed() -> None:
    X_train, _, y_train, _ = iris_split()
    model_space = Cond(
        Choice("sleepy", "knn"),
        {"sleepy": Map(Make(Sleepy), {"seconds": 120.0}), "knn": k_neighbors_classifier()},
    )
    space = pipeline(no_preprocessing(), model_space)
    auto = AutoClassifier(time_budget=10.0, trial_timeout=1.0, space=space, seed=0)
    model = auto.fit(X_train, y_train)
    sleepy = [t for t in model.result_.trials if isinstance(t.value.named_steps["model"], Sleepy)]
    assert sleepy, "no Sleepy trial was tried"
    for t in sleepy:
        assert t.state is TrialState.FAILED
        assert t.error is not None and t.error.type == "TrialTimeout"
        # Stopped at its limit, long before its two minutes of sleep.
        assert t.duration is not None and t.duration < 30.0
    assert model.best_params_["model"] == "knn"
    assert "timed out" in model.summary()


def test_parameters_are_checked_and_clone_works() -> None:
    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="time_budget"):
        AutoClassifier(time_budget=0).fit(X, y)
    with pytest.raises(TypeError, match="Space"):
        AutoClassifier(space="svc").fit(X, y)  # type: ignore[arg-type]
    copy = clone(AutoClassifier(time_budget=3.0, seed=1))
    assert copy.get_params()["time_budget"] == 3.0 and copy.get_params()["seed"] == 1


@pytest.mark.slow
def test_every_trial_failing_raises() -> None:
    X, y = load_iris(return_X_y=True)
    # The preprocessing gives the space parameters (a space without any is refused).
    space = pipeline(any_preprocessing(), Map(Make(Broken), {}))
    with pytest.raises(ValueError, match=r"trials failed.*Broken.fit always fails"):
        AutoClassifier(time_budget=60.0, space=space, max_evals=2).fit(X, y)


SCRIPT = """
from sklearn.datasets import load_iris

from typedspace.sklearn import AutoClassifier, k_neighbors_classifier, no_preprocessing, pipeline

X, y = load_iris(return_X_y=True)
space = pipeline(no_preprocessing(), k_neighbors_classifier())
model = AutoClassifier(time_budget=2.0, space=space, seed=0).fit(X, y)
print("score", round(model.score(X, y), 2))
"""


@pytest.mark.slow  # a real interpreter, scikit-learn imported twice, a 2 s search
@pytest.mark.parametrize("how", ["script without a main guard", "script on standard input"])
def test_auto_fit_works_in_an_ordinary_script(how: str, tmp_path: Path) -> None:
    # The worker must not re-run the user's script: without `if __name__ == "__main__":` that
    # was multiprocessing's "bootstrapping phase" error, and from stdin an EOFError.
    script = tmp_path / "fit.py"
    script.write_text(SCRIPT)
    argv, stdin = ([sys.executable, str(script)], None)
    if how == "script on standard input":
        argv, stdin = [sys.executable, "-"], SCRIPT
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    done = subprocess.run(
        argv, input=stdin, capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    label, score = done.stdout.split()
    assert label == "score" and float(score) >= 0.9  # k-NN on iris, scored on its training data
