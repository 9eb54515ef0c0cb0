"""Builders shared by the classifier and regressor spaces.

A classifier and its regressor twin take the same parameters with the same ranges; each
builder here makes the space for either, given the estimator class and any parameters only
one task has (``class_weight``, a forest's ``criterion``).  The public functions keep their
own signatures, defaults and docstrings, and forward to these.

The order of the parameters is part of a space: it fixes the order of the flattened
parameters, hence what a given seed draws.  The builders therefore put the task-specific
parameters exactly where the public spaces have always had them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from typedspace.nodes import Map, Space, as_space
from typedspace.sklearn._build import Param, Switch, estimator, switch

T = TypeVar("T")


def svm_kernel(
    kernel: Param[str], *, gamma: Param[float], degree: Param[int], coef0: Param[float]
) -> Switch:
    """The SVM kernel, each with only the parameters it uses: gamma for rbf/poly/sigmoid,
    degree for poly, coef0 for poly/sigmoid; the linear kernel uses none."""

    def branch(name: str) -> dict[str, object]:
        params: dict[str, object] = {}
        if name in ("rbf", "poly", "sigmoid"):
            params["gamma"] = gamma
        if name == "poly":
            params["degree"] = degree
        if name in ("poly", "sigmoid"):
            params["coef0"] = coef0
        return params

    return switch(kernel, branch, "kernel")


def k_neighbors(
    cls: Callable[..., T], *, n_neighbors: Param[int], weights: Param[str], p: Param[int]
) -> Space[T]:
    """A k-nearest-neighbours estimator of class ``cls``."""
    return estimator(cls, {"n_neighbors": n_neighbors, "weights": weights, "p": p})


def forest(
    cls: Callable[..., T],
    *,
    n_estimators: Param[int],
    max_features: Param[float],
    max_depth: Param[int | None],
    min_samples_leaf: Param[int],
    random_state: Param[int | None],
    **task_params: object,
) -> Space[T]:
    """A forest of class ``cls``, with ``task_params`` after the common parameters."""
    # One job per forest: searches run trials in parallel, and nested parallelism oversubscribes.
    params = {
        "n_estimators": n_estimators,
        "max_features": max_features,
        "max_depth": max_depth,
        "min_samples_leaf": min_samples_leaf,
        "n_jobs": 1,
        "random_state": random_state,
        **task_params,
    }
    return estimator(cls, params)


def hist_gradient_boosting(
    cls: Callable[..., T],
    *,
    learning_rate: Param[float],
    max_iter: Param[int],
    max_leaf_nodes: Param[int],
    min_samples_leaf: Param[int],
    l2_regularization: Param[float],
    max_features: Param[float],
    early_stopping: Param[bool],
    random_state: Param[int | None],
    **task_params: object,
) -> Space[T]:
    """Histogram gradient boosting of class ``cls``, with ``task_params`` just before
    ``random_state``."""
    params = {
        "learning_rate": learning_rate,
        "max_iter": max_iter,
        "max_leaf_nodes": max_leaf_nodes,
        "min_samples_leaf": min_samples_leaf,
        "l2_regularization": l2_regularization,
        "max_features": max_features,
        "early_stopping": early_stopping,
        **task_params,
        "random_state": random_state,
    }
    return estimator(cls, params)


# A module-level function, not a lambda: spaces must pickle (process pools) and print by name.
def _layers(width: int, depth: int) -> tuple[int, ...]:
    return (width,) * depth


def mlp(
    cls: Callable[..., T],
    *,
    width: Param[int],
    depth: Param[int],
    activation: Param[str],
    alpha: Param[float],
    learning_rate_init: Param[float],
    max_iter: Param[int],
    early_stopping: Param[bool],
    random_state: Param[int | None],
) -> Space[T]:
    """A multi-layer perceptron of class ``cls`` with ``depth`` hidden layers of ``width``
    units (named ``hidden_layer_sizes.width`` and ``hidden_layer_sizes.depth``)."""
    params = {
        # One width for all layers: a parameter per layer would add dimensions, not accuracy.
        "hidden_layer_sizes": Map(_layers, as_space(width), as_space(depth)),
        "activation": activation,
        "alpha": alpha,
        "learning_rate_init": learning_rate_init,
        "max_iter": max_iter,
        "early_stopping": early_stopping,
        "random_state": random_state,
    }
    return estimator(cls, params)


def sgd(
    cls: Callable[..., T],
    *,
    loss: Param[str],
    penalty: Param[str],
    alpha: Param[float],
    l1_ratio: Param[float],
    random_state: Param[int | None],
    **task_params: object,
) -> Space[T]:
    """A linear model of class ``cls`` trained by SGD, with ``task_params`` just before
    ``random_state``."""

    # l1_ratio only matters for (and is only drawn under) the elasticnet penalty.
    def branch(name: str) -> dict[str, object]:
        return {"l1_ratio": l1_ratio} if name == "elasticnet" else {}

    params = {
        "loss": loss,
        "penalty": switch(penalty, branch, "penalty"),
        "alpha": alpha,
        **task_params,
        "random_state": random_state,
    }
    return estimator(cls, params)
