"""SpaceSearchCV follows scikit-learn's conventions and records failing fits as failed trials."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_regression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold, KFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

from tests.sklearn._fakes import Broken
from typedspace import Choice, IntUniform, LogUniform, Map, Space
from typedspace.algorithms import RandomSearch
from typedspace.sklearn import (
    SpaceSearchCV,
    k_neighbors_classifier,
    logistic_regression,
    ridge,
    svc,
)
from typedspace.sklearn._build import Make


def iris() -> tuple[Any, Any]:
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def small_space() -> Space[Any]:
    return logistic_regression(C=LogUniform(0.01, 10.0), penalty="l2", l2_solver="lbfgs")


def search(space: Space[Any] | None = None, **kwargs: Any) -> SpaceSearchCV:
    options: dict[str, Any] = {"max_evals": 5, "cv": 3, "algo": RandomSearch(), "seed": 0}
    return SpaceSearchCV(small_space() if space is None else space, **{**options, **kwargs})


def test_fit_predict_score_and_results() -> None:
    X, y = iris()
    fitted = search(pruner=None).fit(X, y)  # every fold of every trial: no pruning
    assert fitted.best_score_ > 0.8
    assert set(fitted.best_params_) == {"C", "class_weight"}
    assert 0.01 <= fitted.best_params_["C"] <= 10.0
    assert fitted.best_params_["C"] == fitted.best_estimator_.C
    results = fitted.cv_results_
    assert len(results["params"]) == 5 and len(results["mean_test_score"]) == 5
    assert results["params"][fitted.best_index_] == fitted.best_params_
    assert results["rank_test_score"][fitted.best_index_] == 1
    assert np.allclose(
        results["mean_test_score"],
        np.mean([results[f"split{i}_test_score"] for i in range(3)], axis=0),
    )
    assert list(results["state"]) == ["ok"] * 5
    assert fitted.predict(X).shape == y.shape
    assert fitted.predict_proba(X).shape == (len(y), 3)
    assert fitted.score(X, y) == fitted.best_estimator_.score(X, y)
    assert fitted.n_features_in_ == 4 and list(fitted.classes_) == [0, 1, 2]


def test_best_score_is_the_cross_validated_score_of_the_best_estimator() -> None:
    X, y = iris()
    fitted = search().fit(X, y)
    again = cross_val_score(clone(fitted.best_estimator_), X, y, cv=3).mean()
    assert fitted.best_score_ == pytest.approx(again)


def test_choice_parameters_show_their_values_and_inactive_ones_are_masked() -> None:
    X, y = iris()
    fitted = search(svc(C=LogUniform(0.1, 10.0)), max_evals=8).fit(X, y)
    kernels = list(fitted.cv_results_["param_kernel"])
    assert set(kernels) <= {"linear", "rbf", "poly", "sigmoid"}
    degree = fitted.cv_results_["param_kernel.poly.degree"]
    for kernel, masked in zip(kernels, np.ma.getmaskarray(degree), strict=True):
        assert masked == (kernel != "poly")


def test_scoring_is_used_for_the_search_and_for_score() -> None:
    X, y = iris()
    fitted = search(scoring="f1_macro").fit(X, y)
    expected = f1_score(y, fitted.predict(X), average="macro")
    assert fitted.score(X, y) == pytest.approx(expected)


def test_clone_keeps_params_and_drops_the_fit() -> None:
    X, y = iris()
    fitted = search(max_evals=3).fit(X, y)
    copy = clone(fitted)
    assert copy.get_params()["max_evals"] == 3 and copy.space == fitted.space
    assert not hasattr(copy, "best_estimator_")


def test_inside_a_pipeline() -> None:
    X, y = load_iris(return_X_y=True)
    model = Pipeline([("scale", StandardScaler()), ("search", search())]).fit(X, y)
    assert model.score(X, y) > 0.8
    assert model.named_steps["search"].n_features_in_ == 4


def test_pandas_inputs_keep_feature_names() -> None:
    data = load_iris(as_frame=True)
    X, y = data.data, data.target
    assert isinstance(X, pd.DataFrame)
    fitted = search(k_neighbors_classifier(n_neighbors=IntUniform(3, 9))).fit(X, y)
    assert list(fitted.feature_names_in_) == list(X.columns)
    assert fitted.predict(X.iloc[:5]).shape == (5,)


def test_custom_splitters_and_groups() -> None:
    X, y = iris()
    shuffled = search(cv=KFold(4, shuffle=True, random_state=0), max_evals=2).fit(X, y)
    assert shuffled.n_splits_ == 4 and "split3_test_score" in shuffled.cv_results_
    groups = np.arange(len(y)) % 5
    grouped = search(cv=GroupKFold(5), max_evals=2).fit(X, y, groups=groups)
    assert grouped.n_splits_ == 5
    explicit = list(KFold(2, shuffle=True, random_state=1).split(X))
    assert search(cv=explicit, max_evals=2).fit(X, y).n_splits_ == 2


def test_a_failing_fit_is_a_failed_trial_not_a_crash() -> None:
    X, y = iris()
    # A fold has 100 training rows: 500 neighbours cannot be found.
    space = k_neighbors_classifier(n_neighbors=Choice(5, 500))
    fitted = search(space, max_evals=10).fit(X, y)
    states = list(fitted.cv_results_["state"])
    assert "failed" in states and "ok" in states
    failed = [i for i, s in enumerate(states) if s == "failed"]
    assert all(fitted.cv_results_["params"][i]["n_neighbors"] == 500 for i in failed)
    assert np.all(np.isnan(fitted.cv_results_["mean_test_score"][failed]))
    assert np.all(fitted.cv_results_["rank_test_score"][failed] == 10 - len(failed) + 1)
    assert fitted.best_params_["n_neighbors"] == 5
    assert any("n_neighbors" in str(t.error) for t in fitted.result_.failed)


def test_every_fit_failing_raises_with_the_first_error() -> None:
    X, y = iris()
    with pytest.raises(ValueError, match=r"all 3 trials failed.*Broken.fit always fails"):
        search(Map(Make(Broken), {"kind": Choice(0, 1)}), max_evals=3).fit(X, y)


def test_methods_follow_the_best_estimator() -> None:
    X, y = iris()
    fitted = search(svc(kernel="linear"), max_evals=2).fit(X, y)
    assert not hasattr(fitted, "predict_proba")  # an SVC has none
    assert fitted.decision_function(X).shape == (len(y), 3)
    unfitted = search(svc(kernel="linear"))
    assert hasattr(unfitted, "decision_function") and not hasattr(unfitted, "predict_proba")


def test_regression_search() -> None:
    X, y = make_regression(n_samples=80, n_features=4, noise=5.0, random_state=0)
    fitted = search(ridge()).fit(X, y)
    assert fitted.best_score_ > 0.9 and fitted.score(X, y) > 0.9


def test_storage_keeps_the_study(tmp_path: Any) -> None:
    X, y = iris()
    db = str(tmp_path / "search.db")
    search(storage=db, study="iris", max_evals=3).fit(X, y)
    resumed = search(storage=db, study="iris", max_evals=5).fit(X, y)
    assert len(resumed.cv_results_["params"]) == 5  # 3 stored + 2 new


def test_invalid_parameters_are_rejected_at_fit() -> None:
    X, y = iris()
    with pytest.raises(TypeError, match="Space"):
        SpaceSearchCV({"C": 1.0}).fit(X, y)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_evals"):
        search(max_evals=0).fit(X, y)
    with pytest.raises(ValueError, match="scoring"):
        search(scoring=["accuracy", "f1_macro"]).fit(X, y)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_estimator_checks(kind: str) -> None:
    space = small_space() if kind == "classifier" else ridge()
    estimator = SpaceSearchCV(space, max_evals=2, cv=3, algo=RandomSearch(), seed=0)
    results = check_estimator(estimator, on_fail=None, on_skip=None)
    failed = [r["check_name"] for r in results if r["status"] == "failed"]
    skipped = {r["check_name"] for r in results if r["status"] == "skipped"}
    assert failed == []
    # Array API support needs SCIPY_ARRAY_API=1 set before scipy is imported.
    assert skipped <= {"check_array_api_input"}
    assert len(results) > 30
