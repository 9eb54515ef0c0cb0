"""The estimator spaces: every sample is a valid, fit-able estimator; overrides work."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from sklearn.base import is_classifier, is_regressor
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from typedspace import Choice, LogUniform, Space, flatten, sample, sample_many
from typedspace.sklearn import (
    CLASSIFIERS,
    PREPROCESSING,
    REGRESSORS,
    any_classifier,
    any_preprocessing,
    any_regressor,
    k_neighbors_classifier,
    logistic_regression,
    pipeline,
    sgd_classifier,
    standard_scaler,
    svc,
    svr,
)


def tiny_classification() -> tuple[Any, Any]:
    # Three classes (multiclass is where invalid solver/loss combinations show), scaled.
    X, y = make_classification(
        n_samples=90, n_features=5, n_informative=3, n_classes=3, random_state=0
    )
    return StandardScaler().fit_transform(X), y


def tiny_regression() -> tuple[Any, Any]:
    X, y = make_regression(n_samples=60, n_features=5, noise=1.0, random_state=0)
    return StandardScaler().fit_transform(X), y / np.std(y)


def fit_quietly(estimator: Any, X: Any, y: Any) -> Any:
    # One thread: on tiny data, OpenMP threads (gradient boosting) only wait for each other,
    # and on a busy machine they wait for seconds.
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def families(names: Any) -> list[Any]:
    # Gradient boosting fits up to 300 rounds of trees per class: seconds even on tiny data.
    slow = {"hist_gradient_boosting"}
    return [pytest.param(n, marks=pytest.mark.slow) if n in slow else n for n in sorted(names)]


@pytest.mark.parametrize("name", families(CLASSIFIERS))
def test_classifier_samples_fit_and_predict(name: str) -> None:
    X, y = tiny_classification()
    for model in sample_many(CLASSIFIERS[name](), 4, seed=1):
        assert is_classifier(model)
        fit_quietly(model, X, y)
        assert model.predict(X).shape == y.shape
        assert set(model.classes_) == {0, 1, 2}


@pytest.mark.parametrize("name", families(REGRESSORS))
def test_regressor_samples_fit_and_predict(name: str) -> None:
    X, y = tiny_regression()
    for model in sample_many(REGRESSORS[name](), 4, seed=1):
        assert is_regressor(model)
        fit_quietly(model, X, y)
        assert np.all(np.isfinite(model.predict(X)))


@pytest.mark.parametrize("name", sorted(PREPROCESSING))
def test_preprocessing_samples_transform(name: str) -> None:
    X, _ = tiny_classification()
    for step in sample_many(PREPROCESSING[name](), 3, seed=1):
        out = step.fit_transform(X)
        assert out.shape[0] == X.shape[0] and 1 <= out.shape[1] <= X.shape[1]


def test_every_logistic_regression_combination_is_valid_for_multiclass() -> None:
    X, y = tiny_classification()
    seen = set()
    for model in sample_many(logistic_regression(), 40, seed=0):
        fit_quietly(model, X, y)  # an invalid solver/penalty pair would raise here
        seen.add((model.solver, model.l1_ratio))
    solvers = {solver for solver, _ in seen}
    assert solvers == {"lbfgs", "newton-cg", "saga"}


def test_sgd_classifier_losses_have_predict_proba_on_multiclass() -> None:
    X, y = tiny_classification()
    for model in sample_many(sgd_classifier(), 10, seed=0):
        proba = fit_quietly(model, X, y).predict_proba(X)
        assert proba.shape == (len(y), 3)


def test_svc_kernel_parameters_exist_only_where_they_apply() -> None:
    names = set(flatten(svc()).table.names)
    assert {"kernel.rbf.gamma", "kernel.poly.degree", "kernel.sigmoid.coef0"} <= names
    assert not names & {"kernel.linear.gamma", "kernel.rbf.degree", "kernel.rbf.coef0"}
    for model in sample_many(svc(), 30, seed=0):
        if model.kernel != "poly":
            assert model.degree == SVC().degree  # not drawn: the default
        if model.kernel == "linear":
            assert model.gamma == SVC().gamma


def test_overrides_narrow_fix_and_drop_branches() -> None:
    narrowed = sample_many(svc(C=LogUniform(0.1, 10.0), kernel="rbf"), 20, seed=0)
    assert all(0.1 <= m.C <= 10.0 and m.kernel == "rbf" for m in narrowed)
    assert set(flatten(svc(kernel="rbf")).table.names) == {"C", "kernel.rbf.gamma", "class_weight"}
    two = {m.kernel for m in sample_many(svc(kernel=Choice("rbf", "poly")), 30, seed=0)}
    assert two == {"rbf", "poly"}
    assert sample(logistic_regression(penalty="l1"), seed=0).solver == "saga"
    assert sample(k_neighbors_classifier(n_neighbors=7), seed=0).n_neighbors == 7


def test_svr_accepts_the_same_kernel_overrides() -> None:
    assert {m.kernel for m in sample_many(svr(kernel="linear"), 5, seed=0)} == {"linear"}


@pytest.mark.parametrize(
    ("families", "make"),
    [
        (CLASSIFIERS, any_classifier),
        (REGRESSORS, any_regressor),
        (PREPROCESSING, any_preprocessing),
    ],
)
def test_any_space_draws_every_family_and_drops_on_request(
    families: dict[str, Callable[[], Space[Any]]], make: Callable[..., Space[Any]]
) -> None:
    kinds = {type(m).__name__ for m in sample_many(make(), 300, seed=0)}
    assert len(kinds) == len(families)
    dropped = next(iter(families))
    dropped_kind = type(sample(families[dropped](), seed=0)).__name__
    fewer = {type(m).__name__ for m in sample_many(make(**{dropped: None}), 300, seed=0)}
    assert dropped_kind not in fewer and len(fewer) == len(families) - 1


def test_any_space_replaces_a_family_and_rejects_unknown_names() -> None:
    only_rbf = any_classifier(
        svc=svc(kernel="rbf"), **{name: None for name in CLASSIFIERS if name != "svc"}
    )
    assert {m.kernel for m in sample_many(only_rbf, 10, seed=0)} == {"rbf"}
    with pytest.raises(ValueError, match="unknown families"):
        any_classifier(xgboost=None)
    with pytest.raises(ValueError, match="every family was dropped"):
        any_preprocessing(**dict.fromkeys(PREPROCESSING))


def test_pipeline_names_its_steps_and_parameters() -> None:
    space = pipeline(any_preprocessing(), any_classifier())
    names = flatten(space).table.names
    assert names[:2] == ("pre", "pre.pca.n_components")
    assert "model" in names and "model.svc.kernel.poly.degree" in names
    model = sample(pipeline(standard_scaler(), svc(kernel="linear")), seed=0)
    assert isinstance(model, Pipeline) and list(model.named_steps) == ["pre", "model"]
    X, y = tiny_classification()
    assert model.fit(X, y).n_features_in_ == X.shape[1]
