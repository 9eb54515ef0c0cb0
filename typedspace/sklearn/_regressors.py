"""Spaces of configured, unfitted scikit-learn regressors.

The ranges mirror the classifiers' (see ``_classifiers``).  Parameters measured in units of
the target (SVR's ``epsilon``) assume a target of unit scale: standardize ``y`` (as
``AutoRegressor`` does, with ``TransformedTargetRegressor``) or override them.
"""

from __future__ import annotations

from sklearn.ensemble import (
    ExtraTreesRegressor,
    HistGradientBoostingRegressor,
    RandomForestRegressor,
)
from sklearn.linear_model import ElasticNet, Ridge, SGDRegressor
from sklearn.neighbors import KNeighborsRegressor
from sklearn.neural_network import MLPRegressor
from sklearn.svm import SVR

from typedspace.nodes import Choice, IntLogUniform, IntUniform, LogUniform, Space, Uniform
from typedspace.sklearn._build import Param, estimator, switch
from typedspace.sklearn._shared import (
    boosting_params,
    forest_params,
    kernel_params,
    mlp_params,
    sgd_penalty,
)


def svr(
    *,
    C: Param[float] = LogUniform(1e-3, 1e3),
    epsilon: Param[float] = LogUniform(1e-3, 1.0),
    kernel: Param[str] = Choice("linear", "rbf", "poly", "sigmoid"),
    gamma: Param[float] = LogUniform(1e-4, 10.0),
    degree: Param[int] = IntUniform(2, 5),
    coef0: Param[float] = Uniform(0.0, 1.0),
    max_iter: Param[int] = 1_000_000,
) -> Space[SVR]:
    """Support vector regression; the kernel ``Cond`` and ranges are those of ``svc``.

    * ``epsilon`` log-uniform in [1e-3, 1] (target units, for a standardized target): the
      width of the loss's insensitive tube, from nearly exact to one standard deviation.

    >>> from typedspace import sample
    >>> sample(svr(kernel="linear"), seed=0).kernel
    'linear'
    """

    def branch(name: str) -> dict[str, object]:
        return kernel_params(name, gamma=gamma, degree=degree, coef0=coef0)

    params = {
        "C": C,
        "epsilon": epsilon,
        "kernel": switch(kernel, branch, "kernel"),
        "max_iter": max_iter,
    }
    return estimator(SVR, params)


def ridge(*, alpha: Param[float] = LogUniform(1e-4, 1e3)) -> Space[Ridge]:
    """Ridge regression; ``alpha`` log-uniform in [1e-4, 1e3]: from nearly ordinary least
    squares to strong shrinkage, around the default 1.

    >>> from typedspace import sample
    >>> 1e-4 <= sample(ridge(), seed=0).alpha <= 1e3
    True
    """
    return estimator(Ridge, {"alpha": alpha})


def elastic_net(
    *,
    alpha: Param[float] = LogUniform(1e-4, 10.0),
    l1_ratio: Param[float] = Uniform(0.05, 1.0),
    max_iter: Param[int] = 5000,
    random_state: Param[int | None] = None,
) -> Space[ElasticNet]:
    """The elastic net.

    * ``alpha`` log-uniform in [1e-4, 10]: above about 10 every coefficient of a standardized
      problem is zero.
    * ``l1_ratio`` uniform in [0.05, 1] (1 is the lasso; near 0 coordinate descent converges
      badly, and ``ridge`` covers pure l2).
    * ``max_iter`` 5000 instead of 1000: small alphas need more coordinate-descent passes.

    >>> from typedspace import sample
    >>> sample(elastic_net(l1_ratio=1.0), seed=0).l1_ratio
    1.0
    """
    params = {
        "alpha": alpha,
        "l1_ratio": l1_ratio,
        "max_iter": max_iter,
        "random_state": random_state,
    }
    return estimator(ElasticNet, params)


def k_neighbors_regressor(
    *,
    n_neighbors: Param[int] = IntLogUniform(1, 50),
    weights: Param[str] = Choice("uniform", "distance"),
    p: Param[int] = Choice(1, 2),
) -> Space[KNeighborsRegressor]:
    """k nearest neighbours; ranges as ``k_neighbors_classifier``.

    >>> from typedspace import sample
    >>> sample(k_neighbors_regressor(p=1), seed=0).p
    1
    """
    return estimator(KNeighborsRegressor, {"n_neighbors": n_neighbors, "weights": weights, "p": p})


def random_forest_regressor(
    *,
    n_estimators: Param[int] = IntLogUniform(10, 300),
    max_features: Param[float] = Uniform(0.05, 1.0),
    max_depth: Param[int | None] = Choice(None, IntLogUniform(2, 32)),
    min_samples_leaf: Param[int] = IntLogUniform(1, 20),
    bootstrap: Param[bool] = Choice(True, False),
    random_state: Param[int | None] = None,
) -> Space[RandomForestRegressor]:
    """A random forest; ranges as ``random_forest_classifier``.  The criterion stays squared
    error: absolute error is exact but orders of magnitude slower to fit.

    >>> from typedspace import sample
    >>> sample(random_forest_regressor(bootstrap=False), seed=0).bootstrap
    False
    """
    params = forest_params(n_estimators, max_features, max_depth, min_samples_leaf, random_state)
    params["bootstrap"] = bootstrap
    return estimator(RandomForestRegressor, params)


def extra_trees_regressor(
    *,
    n_estimators: Param[int] = IntLogUniform(10, 300),
    max_features: Param[float] = Uniform(0.05, 1.0),
    max_depth: Param[int | None] = Choice(None, IntLogUniform(2, 32)),
    min_samples_leaf: Param[int] = IntLogUniform(1, 20),
    random_state: Param[int | None] = None,
) -> Space[ExtraTreesRegressor]:
    """Extremely randomized trees; ranges as ``random_forest_classifier``.

    >>> from typedspace import sample
    >>> sample(extra_trees_regressor(max_depth=4), seed=0).max_depth
    4
    """
    params = forest_params(n_estimators, max_features, max_depth, min_samples_leaf, random_state)
    return estimator(ExtraTreesRegressor, params)


def hist_gradient_boosting_regressor(
    *,
    learning_rate: Param[float] = LogUniform(0.01, 0.5),
    max_iter: Param[int] = IntLogUniform(10, 300),
    max_leaf_nodes: Param[int] = IntLogUniform(4, 128),
    min_samples_leaf: Param[int] = IntLogUniform(1, 100),
    l2_regularization: Param[float] = Choice(0.0, LogUniform(1e-3, 10.0)),
    max_features: Param[float] = Uniform(0.1, 1.0),
    early_stopping: Param[bool] = True,
    random_state: Param[int | None] = None,
) -> Space[HistGradientBoostingRegressor]:
    """Histogram gradient boosting; ranges as ``hist_gradient_boosting_classifier``.

    >>> from typedspace import sample
    >>> sample(hist_gradient_boosting_regressor(learning_rate=0.1), seed=0).learning_rate
    0.1
    """
    params = boosting_params(
        learning_rate,
        max_iter,
        max_leaf_nodes,
        min_samples_leaf,
        l2_regularization,
        max_features,
        early_stopping,
    )
    return estimator(HistGradientBoostingRegressor, params | {"random_state": random_state})


def mlp_regressor(
    *,
    width: Param[int] = IntLogUniform(16, 256),
    depth: Param[int] = IntUniform(1, 3),
    activation: Param[str] = Choice("relu", "tanh"),
    alpha: Param[float] = LogUniform(1e-6, 1e-1),
    learning_rate_init: Param[float] = LogUniform(1e-4, 1e-1),
    max_iter: Param[int] = 200,
    early_stopping: Param[bool] = True,
    random_state: Param[int | None] = None,
) -> Space[MLPRegressor]:
    """A multi-layer perceptron; ranges as ``mlp_classifier``.

    >>> from typedspace import sample
    >>> sample(mlp_regressor(depth=1, width=8), seed=0).hidden_layer_sizes
    (8,)
    """
    params = mlp_params(
        width, depth, activation, alpha, learning_rate_init, max_iter, early_stopping, random_state
    )
    return estimator(MLPRegressor, params)


def sgd_regressor(
    *,
    loss: Param[str] = Choice("squared_error", "huber"),
    penalty: Param[str] = Choice("l2", "l1", "elasticnet"),
    alpha: Param[float] = LogUniform(1e-6, 1e-1),
    l1_ratio: Param[float] = Uniform(0.05, 0.95),
    random_state: Param[int | None] = None,
) -> Space[SGDRegressor]:
    """A linear model trained by SGD: squared error, or huber (robust to outliers beyond
    ``epsilon=0.1`` target units); penalty and ``alpha`` as ``sgd_classifier``.

    >>> from typedspace import sample
    >>> sample(sgd_regressor(loss="huber"), seed=0).loss
    'huber'
    """
    params = {
        "loss": loss,
        "penalty": sgd_penalty(penalty, l1_ratio),
        "alpha": alpha,
        "random_state": random_state,
    }
    return estimator(SGDRegressor, params)
