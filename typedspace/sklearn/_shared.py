"""Parameter groups shared by the classifier and regressor spaces."""

from __future__ import annotations

from typedspace.nodes import Map, Space, as_space
from typedspace.sklearn._build import Param, Switch, switch


def kernel_params(
    kernel: str, *, gamma: Param[float], degree: Param[int], coef0: Param[float]
) -> dict[str, object]:
    """The parameters a kernel uses: gamma for rbf/poly/sigmoid, degree for poly, coef0 for
    poly/sigmoid; the linear kernel uses none."""
    params: dict[str, object] = {}
    if kernel in ("rbf", "poly", "sigmoid"):
        params["gamma"] = gamma
    if kernel == "poly":
        params["degree"] = degree
    if kernel in ("poly", "sigmoid"):
        params["coef0"] = coef0
    return params


def forest_params(
    n_estimators: Param[int],
    max_features: Param[float],
    max_depth: Param[int | None],
    min_samples_leaf: Param[int],
    random_state: Param[int | None],
) -> dict[str, object]:
    # One job per forest: searches run trials in parallel, and nested parallelism oversubscribes.
    return {
        "n_estimators": n_estimators,
        "max_features": max_features,
        "max_depth": max_depth,
        "min_samples_leaf": min_samples_leaf,
        "n_jobs": 1,
        "random_state": random_state,
    }


def boosting_params(
    learning_rate: Param[float],
    max_iter: Param[int],
    max_leaf_nodes: Param[int],
    min_samples_leaf: Param[int],
    l2_regularization: Param[float],
    max_features: Param[float],
    early_stopping: Param[bool],
) -> dict[str, object]:
    """The histogram gradient boosting parameters both tasks share, in their order."""
    return {
        "learning_rate": learning_rate,
        "max_iter": max_iter,
        "max_leaf_nodes": max_leaf_nodes,
        "min_samples_leaf": min_samples_leaf,
        "l2_regularization": l2_regularization,
        "max_features": max_features,
        "early_stopping": early_stopping,
    }


def mlp_params(
    width: Param[int],
    depth: Param[int],
    activation: Param[str],
    alpha: Param[float],
    learning_rate_init: Param[float],
    max_iter: Param[int],
    early_stopping: Param[bool],
    random_state: Param[int | None],
) -> dict[str, object]:
    """The multi-layer perceptron parameters (identical for both tasks)."""
    return {
        "hidden_layer_sizes": hidden_layers(width, depth),
        "activation": activation,
        "alpha": alpha,
        "learning_rate_init": learning_rate_init,
        "max_iter": max_iter,
        "early_stopping": early_stopping,
        "random_state": random_state,
    }


def _layers(width: int, depth: int) -> tuple[int, ...]:
    return (width,) * depth


def hidden_layers(width: Param[int], depth: Param[int]) -> Space[tuple[int, ...]]:
    """``depth`` hidden layers of ``width`` units (named ``...width`` and ``...depth``)."""
    return Map(_layers, as_space(width), as_space(depth))


def sgd_penalty(penalty: Param[str], l1_ratio: Param[float]) -> Switch:
    """The SGD penalty, with ``l1_ratio`` only for elasticnet."""

    def branch(name: str) -> dict[str, object]:
        return {"l1_ratio": l1_ratio} if name == "elasticnet" else {}

    return switch(penalty, branch, "penalty")
