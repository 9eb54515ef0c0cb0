"""Spaces of configured, unfitted scikit-learn classifiers.

Each function returns a ``Space[Estimator]``; every keyword argument is a space or a constant,
so any parameter can be narrowed, widened or fixed without copying the rest::

    svc(C=LogUniform(0.1, 10.0), kernel="rbf")

The default ranges are written for features of unit scale (put a scaler in front, as
``any_preprocessing`` does) and datasets of a few hundred to a few hundred thousand rows.
"""

from __future__ import annotations

from typing import Any

import sklearn
from sklearn.ensemble import (
    ExtraTreesClassifier,
    HistGradientBoostingClassifier,
    RandomForestClassifier,
)
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.svm import SVC

from typedspace.nodes import Choice, IntLogUniform, IntUniform, LogUniform, Space, Uniform
from typedspace.sklearn._build import Param, estimator, switch
from typedspace.sklearn._shared import (
    boosting_params,
    forest_params,
    kernel_params,
    mlp_params,
    sgd_penalty,
)

#: Both classifier families weight classes as given or inversely to their frequency.
CLASS_WEIGHT: Space[str | None] = Choice(None, "balanced")


def svc(
    *,
    C: Param[float] = LogUniform(1e-3, 1e3),
    kernel: Param[str] = Choice("linear", "rbf", "poly", "sigmoid"),
    gamma: Param[float] = LogUniform(1e-4, 10.0),
    degree: Param[int] = IntUniform(2, 5),
    coef0: Param[float] = Uniform(0.0, 1.0),
    class_weight: Param[str | None] = CLASS_WEIGHT,
    max_iter: Param[int] = 1_000_000,
    random_state: Param[int | None] = None,
) -> Space[SVC]:
    """A support vector classifier; ``gamma``, ``degree`` and ``coef0`` only where they apply.

    * ``C`` log-uniform in [1e-3, 1e3]: six decades around the default 1, from strongly
      regularized to nearly hard-margin.
    * ``kernel``: a ``Cond`` -- ``gamma`` exists for rbf/poly/sigmoid, ``degree`` for poly,
      ``coef0`` for poly/sigmoid; parameter names are ``kernel.rbf.gamma`` and so on.
    * ``gamma`` log-uniform in [1e-4, 10]: around ``1 / n_features`` of scaled data (the
      ``"scale"`` default) for a few to a few thousand features.
    * ``degree`` 2 to 5: degree 1 is the linear kernel, higher degrees overfit and fit slowly.
    * ``coef0`` uniform in [0, 1]: the independent term of poly/sigmoid; 0 is sklearn's default.
    * ``max_iter`` 1e6 solver steps: a degenerate fit (huge C, poly kernel) stops with a
      ``ConvergenceWarning`` instead of running for minutes; well-posed fits need far fewer.

    No ``probability=``: it is deprecated in scikit-learn 1.9, and an SVC therefore has no
    ``predict_proba``; wrap it in ``CalibratedClassifierCV`` where probabilities are needed.

    >>> from typedspace import sample
    >>> sample(svc(kernel="poly", degree=2), seed=0).degree
    2
    """

    def branch(name: str) -> dict[str, object]:
        return kernel_params(name, gamma=gamma, degree=degree, coef0=coef0)

    params = {
        "C": C,
        "kernel": switch(kernel, branch, "kernel"),
        "class_weight": class_weight,
        "max_iter": max_iter,
        "random_state": random_state,
    }
    return estimator(SVC, params)


def _logistic_params(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Express the penalty for the installed scikit-learn: 1.8 deprecated ``penalty`` in favour
    of ``l1_ratio`` alone (0 is l2, 1 is l1); older versions need ``penalty`` and reject an
    ``l1_ratio`` without elasticnet."""
    penalty = kwargs.pop("penalty")
    ratio = {"l2": 0.0, "l1": 1.0}.get(penalty, kwargs.pop("l1_ratio", None))
    if _SKLEARN >= (1, 8):
        return {**kwargs, "l1_ratio": ratio}
    return {
        **kwargs,
        "penalty": penalty,
        **({"l1_ratio": ratio} if penalty == "elasticnet" else {}),
    }


_SKLEARN = tuple(int(part) for part in sklearn.__version__.split(".")[:2])


def logistic_regression(
    *,
    C: Param[float] = LogUniform(1e-3, 1e3),
    penalty: Param[str] = Choice("l2", "l1", "elasticnet"),
    l2_solver: Param[str] = Choice("lbfgs", "newton-cg"),
    l1_ratio: Param[float] = Uniform(0.05, 0.95),
    class_weight: Param[str | None] = CLASS_WEIGHT,
    max_iter: Param[int] = 1000,
    random_state: Param[int | None] = None,
) -> Space[LogisticRegression]:
    """Multinomial logistic regression with only valid solver/penalty combinations.

    * ``penalty`` l2 draws ``l2_solver``, lbfgs or newton-cg (both multinomial; saga would
      add nothing but slow convergence on unscaled features); l1 and elasticnet use saga, the
      one multinomial solver that supports them (liblinear is binary only).  Names: ``penalty``, ``penalty.l2.solver``, ``penalty.elasticnet.l1_ratio``.
    * ``C`` log-uniform in [1e-3, 1e3]: six decades around the default 1.
    * ``l1_ratio`` uniform in [0.05, 0.95]: its ends are the pure l1 and l2 branches.
    * ``max_iter`` 1000 instead of 100: saga and lbfgs often need a few hundred passes.

    >>> from typedspace import sample
    >>> sample(logistic_regression(penalty="l1"), seed=0).solver
    'saga'
    """

    def branch(name: str) -> dict[str, object]:
        if name == "l2":
            return {"solver": l2_solver}
        if name == "l1":
            return {"solver": "saga"}
        return {"solver": "saga", "l1_ratio": l1_ratio}

    params = {
        "C": C,
        "penalty": switch(penalty, branch, "penalty"),
        "class_weight": class_weight,
        "max_iter": max_iter,
        "random_state": random_state,
    }
    return estimator(LogisticRegression, params, adapt=_logistic_params)


def k_neighbors_classifier(
    *,
    n_neighbors: Param[int] = IntLogUniform(1, 50),
    weights: Param[str] = Choice("uniform", "distance"),
    p: Param[int] = Choice(1, 2),
) -> Space[KNeighborsClassifier]:
    """k nearest neighbours.

    * ``n_neighbors`` 1 to 50 on a log scale: small k matter most; a fold needs at least k rows
      (a trial with too few fails and the search goes on).
    * ``weights`` uniform or by inverse distance; ``p`` 1 (Manhattan) or 2 (Euclidean).

    >>> from typedspace import sample
    >>> sample(k_neighbors_classifier(n_neighbors=3), seed=0).n_neighbors
    3
    """
    return estimator(KNeighborsClassifier, {"n_neighbors": n_neighbors, "weights": weights, "p": p})


def random_forest_classifier(
    *,
    n_estimators: Param[int] = IntLogUniform(10, 300),
    criterion: Param[str] = Choice("gini", "entropy"),
    max_features: Param[float] = Uniform(0.05, 1.0),
    max_depth: Param[int | None] = Choice(None, IntLogUniform(2, 32)),
    min_samples_leaf: Param[int] = IntLogUniform(1, 20),
    bootstrap: Param[bool] = Choice(True, False),
    class_weight: Param[str | None] = CLASS_WEIGHT,
    random_state: Param[int | None] = None,
) -> Space[RandomForestClassifier]:
    """A random forest (one job: searches parallelize across trials, not trees).

    * ``n_estimators`` 10 to 300, log scale: accuracy saturates after a few hundred trees while
      the cost grows linearly.
    * ``max_features`` a fraction in [0.05, 1]: from very random trees to bagging.
    * ``max_depth`` unlimited (the default) or 2 to 32; ``min_samples_leaf`` 1 to 20: the usual
      ways to stop trees from memorizing noise.

    >>> from typedspace import sample
    >>> sample(random_forest_classifier(n_estimators=20), seed=0).n_estimators
    20
    """
    params = forest_params(n_estimators, max_features, max_depth, min_samples_leaf, random_state)
    params |= {"criterion": criterion, "bootstrap": bootstrap, "class_weight": class_weight}
    return estimator(RandomForestClassifier, params)


def extra_trees_classifier(
    *,
    n_estimators: Param[int] = IntLogUniform(10, 300),
    criterion: Param[str] = Choice("gini", "entropy"),
    max_features: Param[float] = Uniform(0.05, 1.0),
    max_depth: Param[int | None] = Choice(None, IntLogUniform(2, 32)),
    min_samples_leaf: Param[int] = IntLogUniform(1, 20),
    class_weight: Param[str | None] = CLASS_WEIGHT,
    random_state: Param[int | None] = None,
) -> Space[ExtraTreesClassifier]:
    """Extremely randomized trees; the ranges are those of ``random_forest_classifier``.

    >>> from typedspace import sample
    >>> sample(extra_trees_classifier(criterion="gini"), seed=0).criterion
    'gini'
    """
    params = forest_params(n_estimators, max_features, max_depth, min_samples_leaf, random_state)
    params |= {"criterion": criterion, "class_weight": class_weight}
    return estimator(ExtraTreesClassifier, params)


def hist_gradient_boosting_classifier(
    *,
    learning_rate: Param[float] = LogUniform(0.01, 0.5),
    max_iter: Param[int] = IntLogUniform(10, 300),
    max_leaf_nodes: Param[int] = IntLogUniform(4, 128),
    min_samples_leaf: Param[int] = IntLogUniform(1, 100),
    l2_regularization: Param[float] = Choice(0.0, LogUniform(1e-3, 10.0)),
    max_features: Param[float] = Uniform(0.1, 1.0),
    early_stopping: Param[bool] = True,
    class_weight: Param[str | None] = CLASS_WEIGHT,
    random_state: Param[int | None] = None,
) -> Space[HistGradientBoostingClassifier]:
    """Histogram gradient boosting.

    * ``learning_rate`` log-uniform in [0.01, 0.5] and ``max_iter`` 10 to 300: their product
      sets how far boosting goes, from cautious to aggressive (past 300 rounds a fit of 10
      classes takes tens of seconds even on a thousand rows).
    * ``max_leaf_nodes`` 4 to 128 (default 31): tree size, i.e. interaction depth.
    * ``min_samples_leaf`` 1 to 100 (default 20): small data needs small leaves.
    * ``l2_regularization`` none (the default) or log-uniform in [1e-3, 10].
    * ``max_features`` a fraction in [0.1, 1] of features per split (scikit-learn >= 1.4).
    * ``early_stopping`` on (scikit-learn turns it on only above 10,000 rows): ``max_iter``
      becomes an upper bound, boosting stops once the score on a 10% validation split stops
      improving, and a search tries several times more configurations in the same time.

    >>> from typedspace import sample
    >>> sample(hist_gradient_boosting_classifier(max_iter=50), seed=0).max_iter
    50
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
    return estimator(
        HistGradientBoostingClassifier,
        params | {"class_weight": class_weight, "random_state": random_state},
    )


def mlp_classifier(
    *,
    width: Param[int] = IntLogUniform(16, 256),
    depth: Param[int] = IntUniform(1, 3),
    activation: Param[str] = Choice("relu", "tanh"),
    alpha: Param[float] = LogUniform(1e-6, 1e-1),
    learning_rate_init: Param[float] = LogUniform(1e-4, 1e-1),
    max_iter: Param[int] = 200,
    early_stopping: Param[bool] = True,
    random_state: Param[int | None] = None,
) -> Space[MLPClassifier]:
    """A multi-layer perceptron trained with Adam.

    * ``hidden_layer_sizes`` is ``depth`` layers of ``width`` units (names
      ``hidden_layer_sizes.width`` / ``.depth``): 1 to 3 layers of 16 to 256 units cover
      tabular data without one parameter per layer.
    * ``alpha`` (L2) log-uniform in [1e-6, 0.1] around the default 1e-4.
    * ``learning_rate_init`` log-uniform in [1e-4, 0.1] around Adam's default 1e-3.
    * ``max_iter`` 200 epochs (the default) bounds the fit time, and ``early_stopping`` (on,
      unlike scikit-learn's default) ends training once the score on a 10% validation split
      stops improving: most fits end after a few dozen epochs.

    >>> from typedspace import sample
    >>> sample(mlp_classifier(width=32, depth=2), seed=0).hidden_layer_sizes
    (32, 32)
    """
    params = mlp_params(
        width, depth, activation, alpha, learning_rate_init, max_iter, early_stopping, random_state
    )
    return estimator(MLPClassifier, params)


def sgd_classifier(
    *,
    loss: Param[str] = Choice("log_loss", "modified_huber"),
    penalty: Param[str] = Choice("l2", "l1", "elasticnet"),
    alpha: Param[float] = LogUniform(1e-6, 1e-1),
    l1_ratio: Param[float] = Uniform(0.05, 0.95),
    class_weight: Param[str | None] = CLASS_WEIGHT,
    random_state: Param[int | None] = None,
) -> Space[SGDClassifier]:
    """A linear model trained by stochastic gradient descent.

    * ``loss`` log_loss or modified_huber: the two losses with ``predict_proba``; both handle
      any number of classes (one-vs-rest).  Pass ``loss=Choice("hinge", ...)`` to add others.
    * ``penalty`` l2, l1 or elasticnet, with ``l1_ratio`` (uniform in [0.05, 0.95]) only for
      elasticnet (``penalty.elasticnet.l1_ratio``).
    * ``alpha`` log-uniform in [1e-6, 0.1] around the default 1e-4.

    >>> from typedspace import sample
    >>> sample(sgd_classifier(penalty="l2"), seed=0).penalty
    'l2'
    """
    params = {
        "loss": loss,
        "penalty": sgd_penalty(penalty, l1_ratio),
        "alpha": alpha,
        "class_weight": class_weight,
        "random_state": random_state,
    }
    return estimator(SGDClassifier, params)
