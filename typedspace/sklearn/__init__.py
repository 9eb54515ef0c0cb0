"""scikit-learn integration: typed estimator spaces, ``SpaceSearchCV`` and ``AutoClassifier``.

Needs scikit-learn (``pip install typedspace[sklearn]``); the core package never imports it.

>>> from typedspace import LogUniform, sample
>>> from typedspace.sklearn import svc
>>> model = sample(svc(C=LogUniform(0.1, 10.0), kernel="rbf"), seed=0)
>>> model.kernel
'rbf'
"""

from typedspace._exports import publish
from typedspace.errors import TrialTimeout, WorkerCrashed
from typedspace.sklearn._auto import AutoClassifier, AutoRegressor
from typedspace.sklearn._classifiers import (
    extra_trees_classifier,
    hist_gradient_boosting_classifier,
    k_neighbors_classifier,
    logistic_regression,
    mlp_classifier,
    random_forest_classifier,
    sgd_classifier,
    svc,
)
from typedspace.sklearn._regressors import (
    elastic_net,
    extra_trees_regressor,
    hist_gradient_boosting_regressor,
    k_neighbors_regressor,
    mlp_regressor,
    random_forest_regressor,
    ridge,
    sgd_regressor,
    svr,
)
from typedspace.sklearn._search import SpaceSearchCV
from typedspace.sklearn._spaces import (
    CLASSIFIERS,
    PREPROCESSING,
    REGRESSORS,
    any_classifier,
    any_preprocessing,
    any_regressor,
    min_max_scaler,
    no_preprocessing,
    pca,
    pipeline,
    standard_scaler,
)

__all__ = [
    "CLASSIFIERS",
    "PREPROCESSING",
    "REGRESSORS",
    "AutoClassifier",
    "AutoRegressor",
    "SpaceSearchCV",
    "TrialTimeout",
    "WorkerCrashed",
    "any_classifier",
    "any_preprocessing",
    "any_regressor",
    "elastic_net",
    "extra_trees_classifier",
    "extra_trees_regressor",
    "hist_gradient_boosting_classifier",
    "hist_gradient_boosting_regressor",
    "k_neighbors_classifier",
    "k_neighbors_regressor",
    "logistic_regression",
    "min_max_scaler",
    "mlp_classifier",
    "mlp_regressor",
    "no_preprocessing",
    "pca",
    "pipeline",
    "random_forest_classifier",
    "random_forest_regressor",
    "ridge",
    "sgd_classifier",
    "sgd_regressor",
    "standard_scaler",
    "svc",
    "svr",
]

publish("typedspace.sklearn", globals(), __all__)
