"""A tour of typedspace: ``python -m examples/demo.py`` (``make demo``).

1. ``demo_space()``: a realistic conditional space (a network's training configuration: SGD or
   Adam with their own hyperparameters, layer widths through ``Map``), printed and sampled.
2. A real conditional search: which classifier, with which hyperparameters, on scikit-learn's
   bundled breast-cancer data (a synthetic task stands in when scikit-learn is missing),
   stored in SQLite, interrupted half-way and resumed, ending with the best typed
   configuration, a table of the best trials and the plots it wrote.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from typedspace import (
    Choice,
    Cond,
    IntLogUniform,
    IntUniform,
    LogUniform,
    Map,
    Space,
    Trial,
    Uniform,
    param,
    pretty,
    record,
    sample_many,
    space_of,
)


@record
class SGD:
    """Stochastic gradient descent with momentum."""

    lr: float = param(LogUniform(1e-4, 1.0))
    momentum: float = param(Uniform(0.0, 0.99))
    nesterov: bool = param(Choice(False, True))


@record
class Adam:
    """Adam; a smaller learning-rate range than SGD's."""

    lr: float = param(LogUniform(1e-5, 1e-2))
    beta1: float = param(Uniform(0.8, 0.999))
    weight_decay: float = param(LogUniform(1e-6, 1e-2))


def layer_widths(depth: int, log2_width: int) -> tuple[int, ...]:
    """``depth`` hidden layers, the first ``2**log2_width`` wide, each next one half as wide.

    >>> layer_widths(3, 8)
    (256, 128, 64)
    """
    return tuple(max(1, (1 << log2_width) >> i) for i in range(depth))


#: The optimizer with its own hyperparameters.  The annotation tells mypy the union type of
#: the branches (without it, mypy would infer their join, ``object``).
OPTIMIZER: Space[SGD | Adam] = Cond(
    Choice("sgd", "adam"), {"sgd": space_of(SGD), "adam": space_of(Adam)}
)


@record
class TrainConfig:
    """Everything one training run needs."""

    optimizer: SGD | Adam = param(OPTIMIZER)
    hidden: tuple[int, ...] = param(Map(layer_widths, IntUniform(1, 4), IntUniform(5, 9)))
    activation: str = param(Choice("relu", "gelu", "tanh", weights=[2, 1, 1]))
    dropout: float = param(Uniform(0.0, 0.5, q=0.05))


def demo_space() -> Space[TrainConfig]:
    """The demo's search space.

    >>> from typedspace import sample
    >>> isinstance(sample(demo_space(), seed=0).optimizer, SGD | Adam)
    True
    """
    return space_of(TrainConfig)


@record
class SVM:
    """An RBF support vector machine (features standardized first)."""

    C: float = param(LogUniform(1e-2, 1e3))
    gamma: float = param(LogUniform(1e-5, 1e-1))


@record
class Forest:
    """A random forest."""

    n_estimators: int = param(IntLogUniform(10, 300))
    max_depth: int = param(IntUniform(2, 16))
    max_features: float = param(Uniform(0.1, 1.0, q=0.05))


@record
class Logistic:
    """L2-regularized logistic regression (features standardized first)."""

    C: float = param(LogUniform(1e-4, 1e2))


#: Which model, and its own hyperparameters: a ``Space[SVM | Forest | Logistic]``.
MODEL: Space[SVM | Forest | Logistic] = Cond(
    Choice("svm", "forest", "logistic", name="model"),
    {"svm": space_of(SVM), "forest": space_of(Forest), "logistic": space_of(Logistic)},
)


def error_rate(model: SVM | Forest | Logistic) -> float:
    """3-fold cross-validated error of ``model`` on the breast-cancer data (or, without
    scikit-learn, a smooth synthetic stand-in with the same parameters)."""
    try:
        from sklearn.datasets import load_breast_cancer
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import cross_val_score
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC
    except ImportError:
        return _synthetic_error(model)
    x, y = load_breast_cancer(return_X_y=True)
    if isinstance(model, SVM):
        estimator: Any = make_pipeline(StandardScaler(), SVC(C=model.C, gamma=model.gamma))
    elif isinstance(model, Forest):
        estimator = RandomForestClassifier(
            n_estimators=model.n_estimators,
            max_depth=model.max_depth,
            max_features=model.max_features,
            random_state=0,
        )
    else:
        estimator = make_pipeline(StandardScaler(), LogisticRegression(C=model.C, max_iter=2000))
    return float(1.0 - cross_val_score(estimator, x, y, cv=3).mean())


def _synthetic_error(model: SVM | Forest | Logistic) -> float:
    if isinstance(model, SVM):
        return (
            0.03 + 0.01 * (math.log10(model.C) - 1) ** 2 + 0.01 * (math.log10(model.gamma) + 3) ** 2
        )
    if isinstance(model, Forest):
        return 0.04 + 0.02 / math.sqrt(model.n_estimators) + 0.002 * abs(model.max_depth - 8)
    return 0.035 + 0.005 * (math.log10(model.C)) ** 2


def _table(trials: list[Trial[SVM | Forest | Logistic]], top: int = 5) -> str:
    ok = sorted((t for t in trials if t.loss is not None), key=lambda t: t.loss or 0.0)[:top]
    lines = [f"  {'trial':>5}  {'error':>7}  configuration"]
    lines += [f"  {t.number:>5}  {t.loss:>7.4f}  {t.value!r}" for t in ok]
    return "\n".join(lines)


def main(directory: str = "demo-output") -> None:
    """Print the demo space, then run, interrupt, resume and report a stored search."""
    from typedspace import load_study, optimize
    from typedspace.plots import write_report

    space = demo_space()
    print("1. A conditional space (each parameter's name is on the right):\n")
    print(pretty(space))
    print("\nThree configurations drawn from it (seed=0):\n")
    for config in sample_many(space, 3, seed=0):
        print(f"  {config}")

    out = Path(directory)
    out.mkdir(exist_ok=True)
    db = out / "runs.db"
    db.unlink(missing_ok=True)  # a fresh study on every demo run
    print(f"\n2. Which classifier, with which settings? A search stored in {db}\n")
    print(pretty(MODEL))
    first = optimize(error_rate, MODEL, max_evals=20, seed=0, storage=str(db), study="classifier")
    print(f"\n   {len(first.trials)} trials done; the run stops (as if the machine went down) ...")
    result = optimize(error_rate, MODEL, max_evals=40, seed=0, storage=str(db), study="classifier")
    print(f"   ... and resumes from storage: {len(result.trials)} trials in the study.\n")
    print(f"Best configuration (a {type(result.best).__name__}): {result.best!r}")
    print(f"Cross-validated error: {result.best_loss:.4f}\n")
    print("The best trials:")
    print(_table(list(result.trials)))
    paths = write_report(load_study(str(db), "classifier", MODEL), out / "report.png")
    print("\nPlots written:")
    for path in paths:
        print(f"  {path}")
    print(f"\nInspect the study from a terminal: typedspace show {db} --study classifier")


if __name__ == "__main__":
    main()
