"""The benchmark problems, each defined once as a typedspace space and an objective.

The Hyperopt space (``hp.*``) and the Optuna define-by-run function of a problem are *derived*
from its typedspace space by :func:`to_hyperopt` and :func:`to_optuna`, so all three libraries
search exactly the same distributions and the objective (a function of the sampled value, a
dict) is shared.  The translation is exact:

=========================  ==========================================  ==============================================
typedspace                 Hyperopt                                    Optuna
=========================  ==========================================  ==============================================
``Uniform(a, b)``          ``hp.uniform(a, b)``                        ``suggest_float(a, b)``
``Uniform(a, b, q=q)``     ``hp.quniform(a' - q/2, b' + q/2, q)``      ``suggest_float(a', b', step=q)``
``LogUniform(a, b)``       ``hp.loguniform(log a, log b)``             ``suggest_float(a, b, log=True)``
``IntUniform(a, b)``       ``int(hp.quniform(a - 1/2, b + 1/2, 1))``   ``suggest_int(a, b)``
``IntLogUniform(a, b)``    ``int(hp.qloguniform(log(a - 1/2),          ``suggest_int(a, b, log=True)``
                           log(b + 1/2), 1))``
``Choice(v1, v2, ...)``    ``hp.choice([v1, v2, ...])``                ``suggest_categorical([v1, v2, ...])``
``Choice(space1, ...)``    ``hp.choice([space1, ...])`` (conditional)  ``suggest_categorical([0, 1, ...])`` then branch
``Dict``/``Tuple``/...     the same container                          the same container
=========================  ==========================================  ==============================================

(``a'``/``b'`` are the first and last multiples of ``q`` inside ``[a, b]``; each multiple is
equally likely in all three.)  ``python benchmarks/problems.py --check`` samples every problem's
space with all three libraries and compares the marginals (KS tests / frequencies).

Every synthetic loss is shifted so that its global minimum is 0 (the loss is the regret).
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from typedspace import (
    Choice,
    Const,
    Dict,
    IntLogUniform,
    IntUniform,
    List,
    LogUniform,
    Space,
    Tuple,
    Uniform,
    as_space,
)

Value = dict[str, Any]


@dataclass(frozen=True)
class Problem:
    """A search space and a loss over its values (dicts); ``optimum`` is the minimal loss."""

    name: str
    space: Space[Value]
    objective: Callable[[Value], float]
    optimum: float | None
    description: str


# -- translation to Hyperopt and Optuna ------------------------------------------------------------


def _grid(low: float, high: float, q: float) -> tuple[float, float]:
    """The first and last multiples of ``q`` inside ``[low, high]``."""
    # Rounded so that e.g. 3 * 0.1 is 0.3, which Optuna's divisibility check needs.
    return round(math.ceil(low / q - 1e-9) * q, 12), round(math.floor(high / q + 1e-9) * q, 12)


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix else str(key)


def to_hyperopt(space: Space[Any], label: str = "") -> Any:
    """The Hyperopt search space (``hp.*`` expression) drawing the same values as ``space``."""
    from hyperopt import hp
    from hyperopt.pyll import scope

    if isinstance(space, Uniform):
        if space.q is None:
            return hp.uniform(label, space.low, space.high)
        lo, hi = _grid(space.low, space.high, space.q)
        return hp.quniform(label, lo - space.q / 2, hi + space.q / 2, space.q)
    if isinstance(space, LogUniform) and space.q is None:
        return hp.loguniform(label, math.log(space.low), math.log(space.high))
    if isinstance(space, IntUniform):
        return scope.int(hp.quniform(label, space.low - 0.5, space.high + 0.5, 1))
    if isinstance(space, IntLogUniform):
        low, high = math.log(space.low - 0.5), math.log(space.high + 0.5)
        return scope.int(hp.qloguniform(label, low, high, 1))
    if isinstance(space, Choice):
        options = [
            to_hyperopt(o, _join(label, i)) if isinstance(o, Space) else o
            for i, o in enumerate(space.options)
        ]
        if space.weights is not None:
            return hp.pchoice(label, list(zip(space.weights, options, strict=True)))
        return hp.choice(label, options)
    if isinstance(space, Dict):
        return {k: to_hyperopt(v, _join(label, k)) for k, v in space.items}
    if isinstance(space, Tuple):
        return tuple(to_hyperopt(v, _join(label, i)) for i, v in enumerate(space.items))
    if isinstance(space, List):
        return [to_hyperopt(v, _join(label, i)) for i, v in enumerate(space.items)]
    if isinstance(space, Const):
        return space.value
    raise NotImplementedError(f"no Hyperopt translation for {space!r}")


_PLAIN = (str, int, float, bool, type(None))


def to_optuna(space: Space[Any], trial: Any, label: str = "") -> Any:
    """Draw a value of ``space`` from an Optuna trial (define-by-run), with the same laws."""
    if isinstance(space, Uniform):
        if space.q is None:
            return trial.suggest_float(label, space.low, space.high)
        lo, hi = _grid(space.low, space.high, space.q)
        return trial.suggest_float(label, lo, hi, step=space.q)
    if isinstance(space, LogUniform) and space.q is None:
        return trial.suggest_float(label, space.low, space.high, log=True)
    if isinstance(space, IntUniform):
        return trial.suggest_int(label, space.low, space.high)
    if isinstance(space, IntLogUniform):
        return trial.suggest_int(label, space.low, space.high, log=True)
    if isinstance(space, Choice):
        if space.weights is not None and len(set(space.weights)) > 1:
            raise NotImplementedError("Optuna has no weighted categorical distribution")
        if not space.is_conditional and all(isinstance(o, _PLAIN) for o in space.options):
            return trial.suggest_categorical(label, list(space.options))
        index = trial.suggest_categorical(label, list(range(len(space.options))))
        option = space.options[index]
        return (
            to_optuna(option, trial, _join(label, index)) if isinstance(option, Space) else option
        )
    if isinstance(space, Dict):
        return {k: to_optuna(v, trial, _join(label, k)) for k, v in space.items}
    if isinstance(space, Tuple):
        return tuple(to_optuna(v, trial, _join(label, i)) for i, v in enumerate(space.items))
    if isinstance(space, List):
        return [to_optuna(v, trial, _join(label, i)) for i, v in enumerate(space.items)]
    if isinstance(space, Const):
        return space.value
    raise NotImplementedError(f"no Optuna translation for {space!r}")


# -- continuous test functions ---------------------------------------------------------------------


def _box(d: int, low: float, high: float) -> Space[Value]:
    return as_space({f"x{i}": Uniform(low, high) for i in range(d)})


def _vector(value: Value) -> np.ndarray:
    return np.array([value[f"x{i}"] for i in range(len(value))], dtype=float)


BRANIN_MIN = 0.397887357729738


def branin(value: Value) -> float:
    x1, x2 = value["x0"], value["x1"]
    b, c, t = 5.1 / (4 * math.pi**2), 5 / math.pi, 1 / (8 * math.pi)
    f = (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * math.cos(x1) + 10
    return float(f - BRANIN_MIN)


_H_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_H_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_H_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)
HARTMANN6_MIN = -3.322368011391339


def hartmann6(value: Value) -> float:
    x = _vector(value)
    f = -float(np.sum(_H_ALPHA * np.exp(-np.sum(_H_A * (x - _H_P) ** 2, axis=1))))
    return f - HARTMANN6_MIN


STYBLINSKI_TANG_MIN_1D = -39.16616570377142


def styblinski_tang(value: Value) -> float:
    x = _vector(value)
    f = 0.5 * float(np.sum(x**4 - 16 * x**2 + 5 * x))
    return f - STYBLINSKI_TANG_MIN_1D * len(x)


def rosenbrock(value: Value) -> float:
    x = _vector(value)
    return float(np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2))


# -- the mixed conditional synthetic space ---------------------------------------------------------

MIXED_SPACE: Space[Value] = as_space(
    {
        "model": Choice(
            {
                "kind": "linear",
                "alpha": LogUniform(1e-6, 1e2),
                "l1_ratio": Uniform(0.0, 1.0, q=0.05),
            },
            {
                "kind": "boosting",
                "learning_rate": LogUniform(1e-3, 1.0),
                "depth": IntUniform(1, 12),
                "n_estimators": IntLogUniform(10, 2000),
                "subsample": Uniform(0.3, 1.0, q=0.1),
            },
            {
                "kind": "knn",
                "k": IntLogUniform(1, 100),
                "weights": Choice("uniform", "distance"),
                "p": Uniform(1.0, 3.0, q=0.5),
            },
        ),
        "batch_size": IntLogUniform(8, 1024),
        "dropout": Uniform(0.0, 0.5, q=0.05),
        "optimizer": Choice("sgd", "adam", "rmsprop"),
        "weight_decay": LogUniform(1e-8, 1e-1),
    }
)


def _sq_log(x: float, best: float, scale: float) -> float:
    """A smooth penalty, zero at ``best``, in units of ``scale`` decades."""
    return (math.log10(x / best) / scale) ** 2


def mixed_loss(value: Value) -> float:
    """A smooth synthetic loss with a known minimum of 0.

    The best model is "boosting" (learning_rate=0.05, depth=6, n_estimators=300, subsample=0.8);
    "knn" bottoms out at 0.08 and "linear" at 0.15.  Shared parameters: batch_size=64,
    dropout=0.2, optimizer="adam", weight_decay=1e-4.  Every optimum is a grid point.
    """
    m = value["model"]
    loss: float
    if m["kind"] == "linear":
        loss = 0.15 + 0.05 * _sq_log(m["alpha"], 1e-2, 2.0) + 0.2 * (m["l1_ratio"] - 0.3) ** 2
    elif m["kind"] == "boosting":
        loss = (
            0.1 * _sq_log(m["learning_rate"], 0.05, 1.0)
            + 0.1 * ((m["depth"] - 6) / 4) ** 2
            + 0.05 * _sq_log(m["n_estimators"], 300, 1.0)
            + 0.1 * (m["subsample"] - 0.8) ** 2
        )
    else:
        loss = (
            0.08
            + 0.05 * _sq_log(m["k"], 15, 1.0)
            + (0.0 if m["weights"] == "distance" else 0.02)
            + 0.01 * (m["p"] - 2.0) ** 2
        )
    loss += 0.03 * _sq_log(value["batch_size"], 64, 1.0)
    loss += 0.1 * (value["dropout"] - 0.2) ** 2
    loss += {"adam": 0.0, "rmsprop": 0.01, "sgd": 0.03}[value["optimizer"]]
    loss += 0.02 * _sq_log(value["weight_decay"], 1e-4, 2.0)
    # The quantized grid points are multiples of q computed in floating point.
    return max(loss, 0.0)


# -- a real scikit-learn task ----------------------------------------------------------------------

SVC_SPACE: Space[Value] = as_space(
    {
        "C": LogUniform(1e-2, 1e3),
        "kernel": Choice(
            {"name": "rbf", "gamma": LogUniform(1e-5, 1e1)},
            {
                "name": "poly",
                "degree": IntUniform(2, 4),
                "gamma": LogUniform(1e-4, 1e0),
                "coef0": Uniform(0.0, 1.0, q=0.25),
            },
            {"name": "sigmoid", "gamma": LogUniform(1e-5, 1e0), "coef0": Uniform(-1.0, 1.0)},
        ),
        "class_weight": Choice("none", "balanced"),
    }
)


@cache
def _breast_cancer() -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import StratifiedKFold

    x, y = load_breast_cancer(return_X_y=True)
    folds = list(StratifiedKFold(n_splits=3, shuffle=True, random_state=0).split(x, y))
    return x, y, folds


def svc_loss(value: Value) -> float:
    """1 - mean 3-fold CV accuracy of a standardized SVC on breast_cancer (569 x 30).

    The folds are fixed (shuffled once with seed 0), so the loss is deterministic.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    x, y, folds = _breast_cancer()
    k = value["kernel"]
    params: dict[str, Any] = {"kernel": k["name"], "gamma": k["gamma"]}
    if k["name"] == "poly":
        params.update(degree=k["degree"], coef0=k["coef0"])
    elif k["name"] == "sigmoid":
        params.update(coef0=k["coef0"])
    weight = None if value["class_weight"] == "none" else "balanced"
    scores = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for train, test in folds:
            model = make_pipeline(
                StandardScaler(),
                SVC(C=value["C"], class_weight=weight, max_iter=20_000, **params),
            )
            model.fit(x[train], y[train])
            scores.append(float(model.score(x[test], y[test])))
    return 1.0 - float(np.mean(scores))


# -- the registry ----------------------------------------------------------------------------------

PROBLEMS: dict[str, Problem] = {
    p.name: p
    for p in [
        Problem(
            "branin",
            as_space({"x0": Uniform(-5.0, 10.0), "x1": Uniform(0.0, 15.0)}),
            branin,
            0.0,
            "Branin, 2-D, [-5, 10] x [0, 15]",
        ),
        Problem("hartmann6", _box(6, 0.0, 1.0), hartmann6, 0.0, "Hartmann-6, [0, 1]^6"),
        Problem(
            "styblinski_tang10",
            _box(10, -5.0, 5.0),
            styblinski_tang,
            0.0,
            "Styblinski-Tang, 10-D, [-5, 5]^10",
        ),
        Problem("rosenbrock5", _box(5, -5.0, 10.0), rosenbrock, 0.0, "Rosenbrock, 5-D, [-5, 10]^5"),
        Problem(
            "mixed_conditional",
            MIXED_SPACE,
            mixed_loss,
            0.0,
            "3-way conditional choice with log, int, int-log, quantized and categorical leaves "
            "(14 parameters, 7 to 9 active at a time)",
        ),
        Problem(
            "svc_breast_cancer",
            SVC_SPACE,
            svc_loss,
            None,
            "scikit-learn SVC on breast_cancer, 3-fold CV, loss = 1 - mean accuracy "
            "(conditional kernel choice)",
        ),
    ]
}


# -- checking the translations ---------------------------------------------------------------------


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """The leaves of a nested value, by dotted path."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_leaves(v, _join(prefix, k)))
        return out
    if isinstance(value, list | tuple):
        out = {}
        for i, v in enumerate(value):
            out.update(_leaves(v, _join(prefix, i)))
        return out
    return {prefix: value}


def _samples(problem: Problem, n: int, seed: int) -> dict[str, list[dict[str, Any]]]:
    """``n`` prior draws of the problem's space from each library."""
    import hyperopt.pyll.stochastic
    import optuna

    from typedspace import sample_many

    ours = [_leaves(v) for v in sample_many(problem.space, n, seed=seed)]
    hp_space = to_hyperopt(problem.space)
    rng = np.random.default_rng(seed)
    theirs = [_leaves(hyperopt.pyll.stochastic.sample(hp_space, rng)) for _ in range(n)]
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    draws = []
    for _ in range(n):
        trial = study.ask()
        draws.append(_leaves(to_optuna(problem.space, trial)))
        study.tell(trial, 0.0)
    return {"typedspace": ours, "hyperopt": theirs, "optuna": draws}


def check(n: int = 4000, seed: int = 0) -> bool:
    """Compare every leaf's marginal law across the three libraries; print a report."""
    from scipy import stats

    ok = True
    for problem in PROBLEMS.values():
        draws = _samples(problem, n, seed)
        keys = sorted({k for d in draws["typedspace"] for k in d})
        print(f"{problem.name}:")
        for key in keys:
            cols = {lib: [d[key] for d in ds if key in d] for lib, ds in draws.items()}
            ref = cols["typedspace"]
            numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in ref)
            parts = []
            for lib in ("hyperopt", "optuna"):
                other = cols[lib]
                if numeric and len(set(ref)) > 12:
                    p = float(stats.ks_2samp(ref, other).pvalue)
                    bad = p < 1e-3
                    parts.append(f"{lib} KS p={p:.3f}")
                else:
                    # Grid values are compared up to floating-point noise (0.1 * 3 vs 0.3).
                    ra = [repr(round(v, 9) + 0.0 if numeric else v) for v in ref]  # -0.0 is 0.0
                    rb = [repr(round(v, 9) + 0.0 if numeric else v) for v in other]
                    values = sorted({*ra, *rb})
                    fa = np.array([ra.count(s) for s in values]) / len(ra)
                    fb = np.array([rb.count(s) for s in values]) / len(rb)
                    gap = float(np.max(np.abs(fa - fb)))
                    bad = gap > 0.05 or set(ra) != set(rb)
                    parts.append(f"{lib} max|freq diff|={gap:.3f} ({len(values)} values)")
                ratio = len(other) / max(len(ref), 1)
                if abs(ratio - 1) > 0.1:
                    bad = True
                    parts.append(f"{lib} active {ratio:.2f}x as often")
                ok = ok and not bad
                if bad:
                    parts[-1] += " MISMATCH"
            print(f"  {key:<28} " + "; ".join(parts))
    print("all marginals agree" if ok else "SOME MARGINALS DIFFER")
    return ok


if __name__ == "__main__":
    if "--check" in sys.argv:
        sys.exit(0 if check() else 1)
    for problem in PROBLEMS.values():
        print(f"{problem.name:<20} {problem.description}")
