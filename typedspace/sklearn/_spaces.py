"""Preprocessing spaces, the ``any_*`` families and the pipeline space.

``any_classifier()`` is a ``Cond`` keyed by readable family names (``svc``, ``random_forest``
...), so a trial's parameters read ``model``, ``model.svc.C``, ``model.svc.kernel`` ... inside
``pipeline`` (``value.svc.C`` when the family space is the whole search space).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sklearn.base import BaseEstimator
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, MinMaxScaler, StandardScaler

from typedspace.nodes import Choice, Cond, Const, Map, Space, Uniform
from typedspace.sklearn import _classifiers as clf
from typedspace.sklearn import _regressors as reg
from typedspace.sklearn._build import Param, estimator

#: A pipeline step: an estimator (or ``"passthrough"``).
Step = Any


def standard_scaler() -> Space[StandardScaler]:
    """Zero mean, unit variance per feature (nothing to tune).

    >>> from typedspace import sample
    >>> sample(standard_scaler(), seed=0)
    StandardScaler()
    """
    return estimator(StandardScaler, {})


def min_max_scaler() -> Space[MinMaxScaler]:
    """Each feature scaled to [0, 1] (nothing to tune).

    >>> from typedspace import sample
    >>> sample(min_max_scaler(), seed=0)
    MinMaxScaler()
    """
    return estimator(MinMaxScaler, {})


def pca(
    *,
    n_components: Param[float] = Uniform(0.5, 0.999),
    whiten: Param[bool] = Choice(False, True),
) -> Space[PCA]:
    """Principal components keeping a fraction of the variance.

    * ``n_components`` a fraction in [0.5, 0.999] of the variance: a number of components would
      depend on the data's width; below one half most signal is gone.
    * ``whiten`` rescales the components to unit variance (what distance- and gradient-based
      models prefer).  PCA centres but does not scale: features of very different scales
      should be standardized first.

    >>> from typedspace import sample
    >>> sample(pca(n_components=0.9, whiten=False), seed=0)
    PCA(n_components=0.9)
    """
    return estimator(PCA, {"n_components": n_components, "whiten": whiten})


def no_preprocessing() -> Space[FunctionTransformer]:
    """No preprocessing: the identity ``FunctionTransformer()``.

    Not ``"passthrough"``: a pipeline whose first step is a string has no ``n_features_in_``.

    >>> from typedspace import sample
    >>> sample(no_preprocessing(), seed=0)
    FunctionTransformer()
    """
    return estimator(FunctionTransformer, {})


def _families(
    defaults: Mapping[str, Callable[[], Space[Any]]],
    overrides: Mapping[str, Space[Any] | None],
    what: str,
) -> Space[Any]:
    """A ``Cond`` keyed by family name over the defaults, with families replaced or dropped."""
    unknown = set(overrides) - set(defaults)
    if unknown:
        raise ValueError(f"{what}: unknown families {sorted(unknown)}; known: {sorted(defaults)}")
    chosen: dict[str, Space[Any]] = {}
    for name, make in defaults.items():
        space = overrides[name] if name in overrides else make()
        if space is not None:
            chosen[name] = space
    if not chosen:
        raise ValueError(f"{what}: every family was dropped")
    return Cond(Choice(*chosen), chosen)


#: The classifier families of ``any_classifier``, by name.
CLASSIFIERS: Mapping[str, Callable[[], Space[Any]]] = {
    "svc": clf.svc,
    "logistic_regression": clf.logistic_regression,
    "k_neighbors": clf.k_neighbors_classifier,
    "random_forest": clf.random_forest_classifier,
    "extra_trees": clf.extra_trees_classifier,
    "hist_gradient_boosting": clf.hist_gradient_boosting_classifier,
    "mlp": clf.mlp_classifier,
    "sgd": clf.sgd_classifier,
}

#: The regressor families of ``any_regressor``, by name.
REGRESSORS: Mapping[str, Callable[[], Space[Any]]] = {
    "svr": reg.svr,
    "ridge": reg.ridge,
    "elastic_net": reg.elastic_net,
    "k_neighbors": reg.k_neighbors_regressor,
    "random_forest": reg.random_forest_regressor,
    "extra_trees": reg.extra_trees_regressor,
    "hist_gradient_boosting": reg.hist_gradient_boosting_regressor,
    "mlp": reg.mlp_regressor,
    "sgd": reg.sgd_regressor,
}

#: The preprocessing options of ``any_preprocessing``, by name.
PREPROCESSING: Mapping[str, Callable[[], Space[Any]]] = {
    "standard_scaler": standard_scaler,
    "min_max_scaler": min_max_scaler,
    "pca": pca,
    "none": no_preprocessing,
}


def any_classifier(**families: Space[Any] | None) -> Space[BaseEstimator]:
    """One of the classifier families (see ``CLASSIFIERS``), each equally likely.

    A keyword replaces a family's space (``svc=svc(kernel="rbf")``) or drops it (``mlp=None``).

    >>> from typedspace import sample
    >>> type(sample(any_classifier(svc=None, mlp=None), seed=0)).__name__ in {
    ...     "LogisticRegression", "KNeighborsClassifier", "RandomForestClassifier",
    ...     "ExtraTreesClassifier", "HistGradientBoostingClassifier", "SGDClassifier"}
    True
    """
    return _families(CLASSIFIERS, families, "any_classifier")


def any_regressor(**families: Space[Any] | None) -> Space[BaseEstimator]:
    """One of the regressor families (see ``REGRESSORS``); keywords as ``any_classifier``.

    >>> from typedspace import sample
    >>> sample(any_regressor(ridge=reg.ridge(alpha=2.0), **{
    ...     name: None for name in REGRESSORS if name != "ridge"}), seed=0)
    Ridge(alpha=2.0)
    """
    return _families(REGRESSORS, families, "any_regressor")


def any_preprocessing(**options: Space[Any] | None) -> Space[Step]:
    """A standard scaler, a min-max scaler, PCA or nothing (``no_preprocessing``).

    >>> from typedspace import sample
    >>> sample(any_preprocessing(standard_scaler=None, min_max_scaler=None, pca=None), seed=0)
    FunctionTransformer()
    """
    return _families(PREPROCESSING, options, "any_preprocessing")


def _pipeline(pre: Step, model: BaseEstimator) -> Pipeline:
    return Pipeline([("pre", pre), ("model", model)])


def pipeline(pre: Param[Step], model: Space[BaseEstimator]) -> Space[Pipeline]:
    """``Pipeline([("pre", pre), ("model", model)])``; parameters are named ``pre...`` and
    ``model...``.

    >>> from typedspace import sample
    >>> p = sample(pipeline(standard_scaler(), clf.k_neighbors_classifier()), seed=0)
    >>> list(p.named_steps)
    ['pre', 'model']
    """
    pre_space = pre if isinstance(pre, Space) else Const(pre)
    return Map(_pipeline, pre_space, model)
