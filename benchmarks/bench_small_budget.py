"""Small-budget suite: real scikit-learn tuning tasks at 16, 32 and 64 evaluations.

A task is a model family with its usual hyperparameters (a typedspace space, defined once
and translated for Optuna and Hyperopt by ``problems.to_optuna`` / ``problems.to_hyperopt``),
a bundled dataset and a metric, scored by cross-validation on a *fixed* split (3 folds,
shuffled once with seed 0; stratified for classification).  Every model is deterministic
(``random_state=0``), so a task's loss is a function of the configuration: evaluations are
cached (key: the task and the configuration with floats rounded to 10 significant digits),
in memory and in ``benchmarks/out/small_budget_cache.json`` (per scikit-learn version), so a
configuration met twice, by any method or run, is fitted once.

Scoring, per task: ``m`` = the median loss of a separate pool of random configurations
(``--pool`` prior draws, seed 999; "a typical random draw"), ``b*`` = the lowest loss any
method found in any run (all seeds, batches and budgets) of this invocation (merged runs
included), and a run's score after ``n`` evaluations is ``100 (m - best_n) / (m - b*)``:
0 = a typical random draw, 100 = the best value found.  Not clipped: it is at most 100 by
construction, and negative only when a run's best is worse than the median random draw.
Tables give mean ± standard error over tasks x seeds, and paired differences (same task and
seed) against our TPE.

Batches: ``batch`` trials are proposed, then all evaluated and told, until the budget is
spent.  Ours: ``Optimizer.ask(batch)``.  Optuna: ``study.ask()`` ``batch`` times (each
followed by its suggest calls), then ``study.tell`` (TPESampler's ``constant_liar`` is on by
default in Optuna 5).  Hyperopt: ``fmin(max_queue_len=batch)``, which calls ``tpe.suggest``
once per queued trial with nothing known of the other queued ones (new random seed each).

Every method and budget is read from one run per (task, method, seed, batch): the best of
its first 16, 32, 64 evaluations (no method is told the budget).

    .venv/bin/python benchmarks/bench_small_budget.py              # the full suite
    .venv/bin/python benchmarks/bench_small_budget.py --tasks svc-breast_cancer-error \\
        --budgets 16 32 --batches 1 --seeds 5 --methods "ours TPE" "optuna TPE"

The raw runs go to ``benchmarks/out/<--json>.json`` (default ``small_budget``), the markdown
to ``--out``.  Single process, one BLAS/OpenMP thread.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import platform
import shlex
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Any

import numpy as np
from competitors import optuna_sampler, versions
from problems import to_hyperopt, to_optuna

from typedspace import (
    Choice,
    IntLogUniform,
    IntUniform,
    LogUniform,
    Optimizer,
    Space,
    Uniform,
    as_space,
    sample_many,
)
from typedspace.algorithms import GP, TPE, Algorithm, RandomSearch

OUT = Path(__file__).resolve().parent / "out"
CACHE = OUT / "small_budget_cache.json"
POOL_SEED = 999
Value = dict[str, Any]
Data = tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]

# -- datasets and the fixed splits -----------------------------------------------------------------

REGRESSION = {"diabetes"}


@cache
def dataset(name: str) -> Data:
    """A bundled dataset, standardized features (and target, for regression), 3 fixed folds."""
    from sklearn import datasets
    from sklearn.model_selection import KFold, StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    loaders: dict[str, Callable[..., Any]] = {
        "breast_cancer": datasets.load_breast_cancer,
        "wine": datasets.load_wine,
        "digits": datasets.load_digits,
        "iris": datasets.load_iris,
        "diabetes": datasets.load_diabetes,
    }
    x, y = loaders[name](return_X_y=True)
    # Scaling on all rows (not per fold) leaks nothing a tuner could exploit differently:
    # every method sees the same data.  It keeps every pipeline a single estimator.
    x = StandardScaler().fit_transform(np.asarray(x, dtype=float))
    if name in REGRESSION:
        y = (y - y.mean()) / y.std()
        splitter: Any = KFold(n_splits=3, shuffle=True, random_state=0)
    else:
        splitter = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    return x, y, list(splitter.split(x, y))


# -- the model families: a space and an estimator factory ------------------------------------------


def _svc(v: Value) -> Any:
    from sklearn.svm import SVC

    k = v["kernel"]
    extra = {"degree": k["degree"], "coef0": k["coef0"]} if k["name"] == "poly" else {}
    gamma = k.get("gamma", "scale")
    weight = None if v["class_weight"] == "none" else "balanced"
    return SVC(
        C=v["C"],
        kernel=k["name"],
        gamma=gamma,
        class_weight=weight,
        max_iter=20_000,
        random_state=0,
        **extra,
    )


def _svr(v: Value) -> Any:
    from sklearn.svm import SVR

    return SVR(C=v["C"], epsilon=v["epsilon"], gamma=v["gamma"], max_iter=20_000)


def _logreg(v: Value) -> Any:
    from sklearn.linear_model import LogisticRegression

    p = v["penalty"]
    l1_ratio = {"l2": 0.0, "l1": 1.0}.get(p["kind"], p.get("l1_ratio", 0.0))
    weight = None if v["class_weight"] == "none" else "balanced"
    return LogisticRegression(
        C=v["C"],
        l1_ratio=l1_ratio,
        solver="saga",
        max_iter=300,
        class_weight=weight,
        random_state=0,
    )


def _adaboost(v: Value) -> Any:
    from sklearn.ensemble import AdaBoostClassifier
    from sklearn.tree import DecisionTreeClassifier

    return AdaBoostClassifier(
        DecisionTreeClassifier(max_depth=v["max_depth"], random_state=0),
        n_estimators=v["n_estimators"],
        learning_rate=v["learning_rate"],
        random_state=0,
    )


def _forest(extra: bool) -> Callable[[Value], Any]:
    def make(v: Value) -> Any:
        from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

        cls = ExtraTreesClassifier if extra else RandomForestClassifier
        return cls(
            n_estimators=30,
            max_depth=v["max_depth"],
            min_samples_leaf=v["min_samples_leaf"],
            max_features=v["max_features"],
            criterion=v["criterion"],
            random_state=0,
        )

    return make


def _gb(v: Value) -> Any:
    from sklearn.ensemble import GradientBoostingRegressor

    return GradientBoostingRegressor(
        n_estimators=v["n_estimators"],
        learning_rate=v["learning_rate"],
        max_depth=v["max_depth"],
        subsample=v["subsample"],
        min_samples_leaf=v["min_samples_leaf"],
        random_state=0,
    )


def _hgb(v: Value) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        learning_rate=v["learning_rate"],
        max_iter=v["max_iter"],
        max_leaf_nodes=v["max_leaf_nodes"],
        min_samples_leaf=v["min_samples_leaf"],
        l2_regularization=v["l2_regularization"],
        early_stopping=False,
        random_state=0,
    )


def _knn(v: Value) -> Any:
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(n_neighbors=v["n_neighbors"], weights=v["weights"], p=v["p"])


def _mlp(v: Value) -> Any:
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(
        hidden_layer_sizes=(v["width"],),
        activation=v["activation"],
        alpha=v["alpha"],
        learning_rate_init=v["learning_rate_init"],
        max_iter=100,
        random_state=0,
    )


def _enet(v: Value) -> Any:
    from sklearn.linear_model import ElasticNet

    return ElasticNet(alpha=v["alpha"], l1_ratio=v["l1_ratio"], max_iter=2_000)


@dataclass(frozen=True)
class Family:
    space: Space[Value]
    make: Callable[[Value], Any]
    note: str


_FOREST_SPACE = as_space(
    {
        "max_depth": IntUniform(1, 20),
        "min_samples_leaf": IntLogUniform(1, 32),
        "max_features": Uniform(0.05, 1.0),
        "criterion": Choice("gini", "entropy"),
    }
)

FAMILIES: dict[str, Family] = {
    "svc": Family(
        as_space(
            {
                "C": LogUniform(1e-2, 1e3),
                "kernel": Choice(
                    {"name": "rbf", "gamma": LogUniform(1e-4, 1e1)},
                    {
                        "name": "poly",
                        "degree": IntUniform(2, 4),
                        "gamma": LogUniform(1e-4, 1e0),
                        "coef0": Uniform(0.0, 1.0),
                    },
                    {"name": "linear"},
                ),
                "class_weight": Choice("none", "balanced"),
            }
        ),
        _svc,
        "SVC: log C, kernel rbf (log gamma) / poly (degree, log gamma, coef0) / linear, "
        "class_weight",
    ),
    "svr": Family(
        as_space(
            {
                "C": LogUniform(1e-2, 1e3),
                "epsilon": LogUniform(1e-3, 1.0),
                "gamma": LogUniform(1e-4, 1e1),
            }
        ),
        _svr,
        "SVR (rbf): log C, log epsilon, log gamma",
    ),
    "logreg": Family(
        as_space(
            {
                "C": LogUniform(1e-4, 1e4),
                "penalty": Choice(
                    {"kind": "l2"},
                    {"kind": "l1"},
                    {"kind": "elasticnet", "l1_ratio": Uniform(0.0, 1.0)},
                ),
                "class_weight": Choice("none", "balanced"),
            }
        ),
        _logreg,
        "LogisticRegression (saga, 300 iterations): log C, penalty l2 / l1 / elastic net "
        "(l1_ratio), class_weight",
    ),
    "adaboost": Family(
        as_space(
            {
                "n_estimators": IntLogUniform(10, 200),
                "learning_rate": LogUniform(1e-2, 2.0),
                "max_depth": IntUniform(1, 3),
            }
        ),
        _adaboost,
        "AdaBoost over trees: int-log n_estimators, log learning_rate, tree max_depth",
    ),
    "rf": Family(
        _FOREST_SPACE,
        _forest(False),
        "RandomForest (30 trees): max_depth, int-log min_samples_leaf, max_features, criterion",
    ),
    "et": Family(
        _FOREST_SPACE,
        _forest(True),
        "ExtraTrees (30 trees): max_depth, int-log min_samples_leaf, max_features, criterion",
    ),
    "gb": Family(
        as_space(
            {
                "n_estimators": IntLogUniform(10, 200),
                "learning_rate": LogUniform(1e-3, 1.0),
                "max_depth": IntUniform(1, 5),
                "subsample": Uniform(0.5, 1.0),
                "min_samples_leaf": IntLogUniform(1, 32),
            }
        ),
        _gb,
        "GradientBoostingRegressor: int-log n_estimators, log learning_rate, max_depth, "
        "subsample, int-log min_samples_leaf",
    ),
    "hgb": Family(
        as_space(
            {
                "learning_rate": LogUniform(1e-3, 1.0),
                "max_iter": IntLogUniform(10, 200),
                "max_leaf_nodes": IntLogUniform(4, 64),
                "min_samples_leaf": IntLogUniform(2, 64),
                "l2_regularization": LogUniform(1e-6, 1e1),
            }
        ),
        _hgb,
        "HistGradientBoostingClassifier: log learning_rate, int-log max_iter, max_leaf_nodes, "
        "min_samples_leaf, log l2_regularization",
    ),
    "knn": Family(
        as_space(
            {
                "n_neighbors": IntLogUniform(1, 50),
                "weights": Choice("uniform", "distance"),
                "p": Choice(1, 2),
            }
        ),
        _knn,
        "k-NN: int-log n_neighbors, weights, p (1 or 2)",
    ),
    "mlp": Family(
        as_space(
            {
                "width": IntLogUniform(4, 128),
                "activation": Choice("relu", "tanh"),
                "alpha": LogUniform(1e-6, 1e0),
                "learning_rate_init": LogUniform(1e-4, 1e-1),
            }
        ),
        _mlp,
        "MLP, one hidden layer (adam, 100 epochs): int-log width, activation, log alpha, "
        "log learning_rate_init",
    ),
    "enet": Family(
        as_space({"alpha": LogUniform(1e-5, 1e1), "l1_ratio": Uniform(0.0, 1.0)}),
        _enet,
        "ElasticNet: log alpha, l1_ratio",
    ),
}

METRICS = {
    "error": "1 - accuracy",
    "logloss": "log loss",
    "1-r2": "1 - R² (mean over folds)",
}


@dataclass(frozen=True)
class Task:
    family: str
    data: str
    metric: str

    @property
    def name(self) -> str:
        return f"{self.family}-{self.data}-{self.metric}"

    @property
    def space(self) -> Space[Value]:
        return FAMILIES[self.family].space


TASKS: dict[str, Task] = {
    t.name: t
    for t in [
        Task("svc", "breast_cancer", "error"),
        Task("svc", "digits", "error"),
        Task("svr", "diabetes", "1-r2"),
        Task("logreg", "breast_cancer", "logloss"),
        Task("logreg", "wine", "error"),
        Task("adaboost", "breast_cancer", "error"),
        Task("adaboost", "wine", "logloss"),
        Task("rf", "wine", "logloss"),
        Task("et", "breast_cancer", "error"),
        Task("gb", "diabetes", "1-r2"),
        Task("hgb", "breast_cancer", "logloss"),
        Task("knn", "digits", "error"),
        Task("knn", "wine", "logloss"),
        Task("mlp", "wine", "logloss"),
        Task("enet", "diabetes", "1-r2"),
    ]
}


def cv_loss(task: Task, value: Value) -> float:
    """The mean loss over the task's three fixed folds."""
    from sklearn.metrics import log_loss, r2_score

    x, y, folds = dataset(task.data)
    losses = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings: the capped fits are the task
        for train, test in folds:
            model = FAMILIES[task.family].make(value).fit(x[train], y[train])
            if task.metric == "error":
                losses.append(1.0 - float(np.mean(model.predict(x[test]) == y[test])))
            elif task.metric == "logloss":
                proba = model.predict_proba(x[test])
                losses.append(float(log_loss(y[test], proba, labels=model.classes_)))
            else:
                losses.append(1.0 - float(r2_score(y[test], model.predict(x[test]))))
    loss = float(np.mean(losses))
    return loss if math.isfinite(loss) else 1e6  # SVR/ENet can diverge: a bad, finite loss


# -- the cached objective --------------------------------------------------------------------------


def _rounded(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in sorted(value.items())}
    if isinstance(value, float):
        return float(f"{value:.10g}")
    return value


class Evaluator:
    """The tasks' losses, cached by (task, rounded configuration); counts fits and time."""

    def __init__(self, path: Path | None) -> None:
        import sklearn

        self.version = sklearn.__version__
        self.path = path
        self.cache: dict[str, float] = {}
        if path is not None and path.exists():
            stored = json.loads(path.read_text())
            if stored.get("sklearn") == self.version:
                self.cache = stored["losses"]
        self.fits = 0
        self.hits = 0
        self.seconds = 0.0

    def __call__(self, task: Task, value: Value) -> float:
        key = task.name + "|" + json.dumps(_rounded(value), sort_keys=True)
        if key in self.cache:
            self.hits += 1
            return self.cache[key]
        start = time.perf_counter()
        loss = cv_loss(task, value)
        self.seconds += time.perf_counter() - start
        self.fits += 1
        self.cache[key] = loss
        return loss

    def save(self) -> None:
        if self.path is not None:
            self.path.parent.mkdir(exist_ok=True)
            self.path.write_text(json.dumps({"sklearn": self.version, "losses": self.cache}))


# -- the methods -----------------------------------------------------------------------------------

Objective = Callable[[Value], float]
Runner = Callable[[Space[Value], Objective, int, int, int], list[float]]
"""``runner(space, objective, seed, n, batch)`` -> the losses in evaluation order."""


def run_ours(make: Callable[[], Algorithm]) -> Runner:
    def run(space: Space[Value], f: Objective, seed: int, n: int, batch: int) -> list[float]:
        opt = Optimizer(space, make(), seed=seed)
        losses: list[float] = []
        while len(losses) < n:
            trials = opt.ask(min(batch, n - len(losses)))
            results = [f(t.value) for t in trials]
            for trial, loss in zip(trials, results, strict=True):
                opt.tell(trial, loss)
            losses += results
        return losses

    return run


def _optuna_gp(seed: int) -> Any:
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return optuna.samplers.GPSampler(seed=seed)


def run_optuna(sampler: Callable[[int], Any]) -> Runner:
    def run(space: Space[Value], f: Objective, seed: int, n: int, batch: int) -> list[float]:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(sampler=sampler(seed))
        losses: list[float] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            while len(losses) < n:
                asked = []
                for _ in range(min(batch, n - len(losses))):
                    trial = study.ask()
                    asked.append((trial, to_optuna(space, trial)))
                results = [f(value) for _, value in asked]
                for (trial, _), loss in zip(asked, results, strict=True):
                    study.tell(trial, loss)
                losses += results
        return losses

    return run


def run_hyperopt(space: Space[Value], f: Objective, seed: int, n: int, batch: int) -> list[float]:
    from hyperopt import Trials, fmin, tpe

    trials = Trials()
    fmin(
        f,
        to_hyperopt(space),
        algo=tpe.suggest,
        max_evals=n,
        trials=trials,
        rstate=np.random.default_rng(seed),
        max_queue_len=batch,
        show_progressbar=False,
        verbose=False,
    )
    return [float(x) for x in trials.losses()]


def run_old_gp(space: Space[Value], f: Objective, seed: int, n: int, batch: int) -> list[float]:
    """``GP()`` as it was until 2026-12: robust (MAD) scaling and Yeo-Johnson on every loss
    (the warp it keeps for non-positive ones) and a start-up of ``min(10, 2 d + 1)``."""
    from typedspace import flatten
    from typedspace.algorithms import _gp

    d = len(flatten(space).table)
    saved = _gp.warp_losses
    _gp.warp_losses = _gp.robust_yeo_johnson  # a module global: restored below
    try:
        return run_ours(lambda: GP(n_startup=min(10, 2 * d + 1)))(space, f, seed, n, batch)
    finally:
        _gp.warp_losses = saved


OURS = "ours TPE"
OLD_GP = "ours GP, old (MAD + Yeo-Johnson, 2d+1 start-up)"
METHODS: dict[str, Runner] = {
    OURS: run_ours(TPE),
    # An ablation for the start-up (issue 18): Optuna's 10 random trials, also on conditional
    # spaces, where our default is 20.
    "ours TPE, 10 start-up": run_ours(lambda: TPE(n_startup=10)),
    "ours GP": run_ours(GP),
    # The GP before issue 18's last change (Box-Cox, 10 start-up trials), for paired runs.
    OLD_GP: run_old_gp,
    "ours Random": run_ours(RandomSearch),
    "optuna TPE": run_optuna(lambda seed: optuna_sampler(seed, multivariate=True)),
    "optuna TPE independent": run_optuna(lambda seed: optuna_sampler(seed, multivariate=False)),
    "optuna GP": run_optuna(_optuna_gp),
    "hyperopt TPE": run_hyperopt,
}
SETTINGS = [
    f"ours TPE: `{TPE()!r}`; ours GP: `{GP()!r}`; ours Random: `RandomSearch()`; each through "
    "`Optimizer(space, algo, seed=seed)`, `ask(batch)` / `tell`",
    f"{OLD_GP}: `GP(n_startup=min(10, 2 d + 1))` with `warp_losses` replaced by "
    "`robust_yeo_johnson` for the run: the GP's defaults until 2026-12-01",
    "optuna TPE: `TPESampler(seed=seed, multivariate=True)`, Optuna 5's default for a "
    "single objective (10 start-up trials, 24 EI candidates, group=False, constant_liar=True); "
    "optuna TPE independent: the same with `multivariate=False` (Optuna 4's default)",
    "optuna GP: `GPSampler(seed=seed)` with its defaults (needs torch)",
    "hyperopt TPE: `fmin(algo=tpe.suggest, max_queue_len=batch)` with its defaults "
    "(20 random start-up trials, 24 EI candidates, gamma 0.25), "
    "`rstate=np.random.default_rng(seed)`",
]


def has_torch() -> bool:
    import importlib.util

    return importlib.util.find_spec("torch") is not None


# -- running ---------------------------------------------------------------------------------------


def reference_pool(tasks: Sequence[Task], size: int, evaluate: Evaluator) -> dict[str, list[float]]:
    """``size`` prior draws of each task's space (seed ``POOL_SEED``) and their losses."""
    pool = {}
    for task in tasks:
        start = time.perf_counter()
        draws = sample_many(task.space, size, seed=POOL_SEED)
        pool[task.name] = [evaluate(task, v) for v in draws]
        print(
            f"pool {task.name:<28} median {np.median(pool[task.name]):.4g} "
            f"min {min(pool[task.name]):.4g} ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
    return pool


def run_all(
    tasks: Sequence[Task],
    methods: Sequence[str],
    seeds: Sequence[int],
    batches: Sequence[int],
    n: int,
    evaluate: Evaluator,
) -> list[dict[str, Any]]:
    runs = []
    total = len(tasks) * len(methods) * len(seeds) * len(batches)
    start = time.perf_counter()
    for task in tasks:
        for batch in batches:
            for seed in seeds:
                for method in methods:
                    eval_before = evaluate.seconds
                    t0 = time.perf_counter()
                    losses = METHODS[method](task.space, partial(evaluate, task), seed, n, batch)
                    wall = time.perf_counter() - t0
                    evaluating = evaluate.seconds - eval_before
                    runs.append(
                        {
                            "task": task.name,
                            "method": method,
                            "seed": seed,
                            "batch": batch,
                            "losses": losses,
                            "optimizer_seconds": wall - evaluating,
                            "seconds": wall,
                        }
                    )
                    elapsed = time.perf_counter() - start
                    eta = elapsed / len(runs) * (total - len(runs))
                    print(
                        f"[{len(runs):4d}/{total} {elapsed:5.0f}s ~{eta:4.0f}s left] "
                        f"{task.name:<28} b{batch} s{seed:<2} {method:<23} "
                        f"best {min(losses):.4g} ({wall:.1f}s, {wall - evaluating:.1f}s opt)",
                        flush=True,
                    )
            evaluate.save()
    return runs


# -- scoring and tables ----------------------------------------------------------------------------


def scores(
    runs: Sequence[dict[str, Any]], pool: dict[str, list[float]], budget: int, batch: int
) -> dict[tuple[str, str, int], float]:
    """(task, method, seed) -> the run's score after ``budget`` evaluations (see the module
    docstring); tasks where the median random draw is already the best are left out."""
    best_any: dict[str, float] = {}
    for r in runs:
        best_any[r["task"]] = min(best_any.get(r["task"], math.inf), min(r["losses"]))
    out = {}
    for r in runs:
        if r["batch"] != batch or len(r["losses"]) < budget:
            continue
        m, b = float(np.median(pool[r["task"]])), best_any[r["task"]]
        if m - b <= 0:
            continue
        best = min(r["losses"][:budget])
        out[r["task"], r["method"], r["seed"]] = 100.0 * (m - best) / (m - b)
    return out


def _mean_se(x: Sequence[float]) -> tuple[float, float]:
    a = np.asarray(x, dtype=float)
    se = float(a.std(ddof=1) / math.sqrt(len(a))) if len(a) > 1 else math.nan
    return float(a.mean()), se


def tables(
    runs: Sequence[dict[str, Any]],
    pool: dict[str, list[float]],
    methods: Sequence[str],
    budgets: Sequence[int],
    batches: Sequence[int],
    versus: str = OURS,
) -> str:
    tasks = [t for t in TASKS if any(r["task"] == t for r in runs)]
    settings = [(b, q) for q in batches for b in budgets]
    s = {(b, q): scores(runs, pool, b, q) for b, q in settings}
    head = " | ".join(f"{b} evals, batch {q}" for b, q in settings)
    lines = [
        "### Score (mean ± s.e. over tasks x seeds; 0 = median random draw, 100 = best found)",
        "",
        f"| method | {head} |",
        "|---|" + "---|" * len(settings),
    ]
    for method in methods:
        cells = []
        for key in settings:
            vals = [v for (_, m, _), v in s[key].items() if m == method]
            if not vals:
                cells.append("n/a")
                continue
            mean, se = _mean_se(vals)
            cells.append(f"{mean:.1f} ± {se:.1f}")
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    lines += [
        "",
        f"### Paired difference: method minus {versus} (same task and seed; mean ± s.e., and "
        "wins / ties / losses of the method)",
        "",
        f"| method | {head} |",
        "|---|" + "---|" * len(settings),
    ]
    for method in methods:
        if method == versus:
            continue
        cells = []
        for key in settings:
            d = [
                v - s[key][t, versus, seed]
                for (t, m, seed), v in s[key].items()
                if m == method and (t, versus, seed) in s[key]
            ]
            if not d:
                cells.append("n/a")
                continue
            mean, se = _mean_se(d)
            w, tie = sum(x > 1e-9 for x in d), sum(abs(x) <= 1e-9 for x in d)
            cells.append(f"{mean:+.1f} ± {se:.1f} ({w}/{tie}/{len(d) - w - tie})")
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    big = max(budgets)
    for q in batches:
        lines += [
            "",
            f"### Per task, {big} evaluations, batch {q} (mean score over seeds)",
            "",
            "| task | median random | best found | " + " | ".join(methods) + " |",
            "|---|---|---|" + "---|" * len(methods),
        ]
        for t in tasks:
            best = min(min(r["losses"]) for r in runs if r["task"] == t)
            cells = []
            for method in methods:
                vals = [v for (tt, m, _), v in s[big, q].items() if tt == t and m == method]
                cells.append(f"{np.mean(vals):.0f}" if vals else "n/a")
            lines.append(
                f"| {t} | {np.median(pool[t]):.4g} | {best:.4g} | " + " | ".join(cells) + " |"
            )
    lines += [
        "",
        f"### Optimizer time per run of {max(len(r['losses']) for r in runs)} evaluations "
        "(seconds, wall time minus the objective's; mean over runs)",
        "",
        "| method | " + " | ".join(f"batch {q}" for q in batches) + " |",
        "|---|" + "---|" * len(batches),
    ]
    for method in methods:
        cells = []
        for q in batches:
            secs = [
                r["optimizer_seconds"] for r in runs if (r["method"], r["batch"]) == (method, q)
            ]
            cells.append(f"{np.mean(secs):.2f}" if secs else "n/a")
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(
    data: dict[str, Any],
    budgets: Sequence[int],
    batches: Sequence[int],
    pool_size: int,
    versus: str = OURS,
) -> str:
    """The markdown of a run (``data`` as saved in the raw output, possibly merged)."""
    runs, pool = data["runs"], data["pool"]
    methods = [m for m in METHODS if any(r["method"] == m for r in runs)]
    tasks = [TASKS[t] for t in TASKS if any(r["task"] == t for r in runs)]
    seeds = sorted({r["seed"] for r in runs})
    fits = data.get("fits")
    md = [
        "# Small-budget suite: scikit-learn tuning tasks",
        "",
        f"Command: `{data['command']}`",
        "",
        f"Date: {data.get('date', datetime.date.today().isoformat())}; machine: "
        f"{platform.machine()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, one process, one BLAS/OpenMP thread; versions: "
        + ", ".join(f"{k} {v}" for k, v in versions().items())
        + ".",
        "",
        f"Tasks ({len(tasks)}), 3-fold CV on a fixed split: "
        + "; ".join(f"`{t.name}`" for t in tasks)
        + f".  Seeds {seeds[0]}..{seeds[-1]}; reference pool {pool_size} random draws per task.",
        "",
        tables(runs, pool, methods, sorted(budgets), list(batches), versus),
        "",
        f"Wall time {data['wall'] / 60:.1f} min"
        + (
            f"; {fits} fits, {data['hits']} cache hits ({data['fit_seconds'] / 60:.1f} min "
            "fitting)."
            if fits is not None
            else "."
        ),
        "",
        "Settings:",
        "",
        *[f"- {x}" for x in SETTINGS],
        "",
        "Families:",
        "",
        *[f"- `{k}`: {f.note}" for k, f in FAMILIES.items() if any(t.family == k for t in tasks)],
        "",
        "Metrics: " + "; ".join(f"`{k}` = {v}" for k, v in METRICS.items()) + ".",
        "",
        *data.get("notes", []),
    ]
    return "\n".join(md) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tasks", nargs="+", default=list(TASKS), choices=list(TASKS))
    parser.add_argument("--budgets", type=int, nargs="+", default=[16, 32, 64])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--seeds", type=int, default=20, help="N seeds: 0..N-1 (default 20)")
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=list(METHODS))
    parser.add_argument("--pool", type=int, default=200, help="random draws per task for m")
    parser.add_argument("--out", type=Path, default=None, help="write the markdown here")
    parser.add_argument("--json", default="small_budget", help="benchmarks/out/<name>.json")
    parser.add_argument(
        "--merge", nargs="*", default=[], metavar="JSON", help="earlier raw outputs to join"
    )
    parser.add_argument(
        "--report",
        metavar="JSON",
        default=None,
        help="run nothing: write the markdown of this raw output (with --budgets, --batches, "
        "--pool as run)",
    )
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the file")
    parser.add_argument(
        "--versus",
        choices=list(METHODS),
        default=OURS,
        help="the method the paired differences are taken against (default: %(default)s)",
    )
    args = parser.parse_args(argv)

    data = run_suite(args) if args.report is None else json.loads(Path(args.report).read_text())
    for path in args.merge:
        earlier = json.loads(Path(path).read_text())
        mine = {(r["task"], r["method"], r["seed"], r["batch"]) for r in data["runs"]}
        data["runs"] += [
            r
            for r in earlier["runs"]
            if (r["task"], r["method"], r["seed"], r["batch"]) not in mine
        ]
        data["pool"] = {**earlier["pool"], **data["pool"]}
    text = report(data, args.budgets, args.batches, args.pool, args.versus)
    print(text)
    if args.out is not None:
        args.out.write_text(text)


def run_suite(args: argparse.Namespace) -> dict[str, Any]:
    """Run what the arguments ask, save the raw output, and return it."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    methods = list(args.methods)
    notes = []
    if "optuna GP" in methods and not has_torch():
        methods.remove("optuna GP")
        notes.append(
            "optuna GP (`GPSampler`) was skipped: torch is not installed "
            "(`pip install torch` into the venv to include it)."
        )
    tasks = [TASKS[t] for t in args.tasks]
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    evaluate = Evaluator(None if args.no_cache else CACHE)
    start = time.perf_counter()
    pool = reference_pool(tasks, args.pool, evaluate)
    runs = run_all(tasks, methods, seeds, args.batches, max(args.budgets), evaluate)
    wall = time.perf_counter() - start
    evaluate.save()
    command = shlex.join([".venv/bin/python", "benchmarks/bench_small_budget.py", *sys.argv[1:]])
    data = {
        "command": command,
        "date": datetime.date.today().isoformat(),
        "wall": wall,
        "fits": evaluate.fits,
        "hits": evaluate.hits,
        "fit_seconds": evaluate.seconds,
        "notes": notes,
        "pool": pool,
        "runs": runs,
    }
    OUT.mkdir(exist_ok=True)
    (OUT / f"{args.json}.json").write_text(json.dumps(data))
    return data


if __name__ == "__main__":
    main()
