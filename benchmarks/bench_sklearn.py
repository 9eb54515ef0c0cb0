"""AutoClassifier/AutoRegressor against hyperopt-sklearn and FLAML at an equal wall-clock budget.

Datasets: breast cancer, wine, digits (test accuracy) and diabetes (test R²), each split 75/25
(stratified for classification) with ``random_state=0``; every tool gets the same training set,
the same budget (seconds of search, refit not included in the budget of any tool) and seeds
0, 1, 2.  Each run is a fresh process, so no tool inherits another's warm caches or threads.

    python benchmarks/bench_sklearn.py --budget 30 --out benchmarks/RESULTS-sklearn.md

hyperopt-sklearn pins old scikit-learn, NumPy, SciPy, pandas and hyperopt releases that the
project's venv does not use; run this script from a separate venv with
``pip install hyperopt-sklearn "flaml[automl]" "setuptools<81" -e .`` (setuptools < 81: hyperopt
0.2.7 imports ``pkg_resources``).  A tool that is not installed is reported as missing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

TOOLS = ("typedspace", "hyperopt-sklearn", "flaml")
DATASETS = ("breast_cancer", "wine", "digits", "diabetes")
REGRESSION = {"diabetes"}


def load(name: str) -> tuple[Any, Any, Any, Any]:
    """The 75/25 split of a bundled dataset (stratified for classification), random_state=0."""
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    loaders: dict[str, Callable[..., Any]] = {
        "breast_cancer": datasets.load_breast_cancer,
        "wine": datasets.load_wine,
        "digits": datasets.load_digits,
        "diabetes": datasets.load_diabetes,
    }
    X, y = loaders[name](return_X_y=True)
    stratify = None if name in REGRESSION else y
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=stratify, random_state=0
    )
    return X_train, X_test, y_train, y_test


def run_typedspace(X: Any, y: Any, regression: bool, budget: float, seed: int) -> tuple[Any, int]:
    from typedspace.sklearn import AutoClassifier, AutoRegressor

    cls = AutoRegressor if regression else AutoClassifier
    model = cls(time_budget=budget, seed=seed).fit(X, y)
    return model, len(model.result_.trials)


def run_hyperopt_sklearn(
    X: Any, y: Any, regression: bool, budget: float, seed: int
) -> tuple[Any, int]:
    from hpsklearn import HyperoptEstimator, any_classifier, any_preprocessing, any_regressor
    from hyperopt import tpe

    learner = (
        {"regressor": any_regressor("reg")} if regression else {"classifier": any_classifier("clf")}
    )
    model = HyperoptEstimator(
        preprocessing=any_preprocessing("pre"),
        algo=tpe.suggest,
        max_evals=100_000,
        trial_timeout=budget / 4,  # the same per-trial limit as AutoClassifier's default
        seed=seed,
        **learner,
    )
    # hyperopt-sklearn stops after max_evals trials, not after a time: drive its trial loop
    # (what its fit() does) until the budget is spent, then refit the best model.
    model._init()
    rng = np.random.default_rng(seed)
    trials = model.fit_iter(X, y, random_state=rng)
    next(trials)
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        try:
            trials.send(1)
        except Exception:
            # A trial's error escapes hyperopt-sklearn's loop (its space holds invalid
            # combinations, e.g. the exponential loss on a multiclass target) and ends the
            # generator: continue the same trials with a new one.
            trials = model.fit_iter(X, y, warm_start=True, random_state=rng)
            next(trials)
    model._retrain_best_model_on_full_data(X, y)
    return model, len(model.trials.trials)


def run_flaml(X: Any, y: Any, regression: bool, budget: float, seed: int) -> tuple[Any, int]:
    import importlib

    # FLAML ships partial annotations (an untyped AutoML): used as Any.
    model: Any = importlib.import_module("flaml").AutoML()
    model.fit(
        X,
        y,
        task="regression" if regression else "classification",
        metric="r2" if regression else "accuracy",
        time_budget=budget,
        seed=seed,
        verbose=0,
    )
    # config_history holds only the improvements; every trial counts in _iter_per_learner.
    return model, sum(model._iter_per_learner.values())


RUNNERS: dict[str, Callable[[Any, Any, bool, float, int], tuple[Any, int]]] = {
    "typedspace": run_typedspace,
    "hyperopt-sklearn": run_hyperopt_sklearn,
    "flaml": run_flaml,
}


def one(tool: str, dataset: str, seed: int, budget: float) -> dict[str, Any]:
    """One run: fit on the training split, score on the test split."""
    from sklearn.metrics import accuracy_score, r2_score

    warnings.simplefilter("ignore")
    X_train, X_test, y_train, y_test = load(dataset)
    regression = dataset in REGRESSION
    start = time.monotonic()
    model, n_trials = RUNNERS[tool](X_train, y_train, regression, budget, seed)
    seconds = time.monotonic() - start
    predicted = np.asarray(model.predict(X_test)).ravel()
    metric = r2_score if regression else accuracy_score
    return {
        "tool": tool,
        "dataset": dataset,
        "seed": seed,
        "score": float(metric(y_test, predicted)),
        "seconds": seconds,
        "trials": n_trials,
    }


def run_isolated(tool: str, dataset: str, seed: int, budget: float) -> dict[str, Any]:
    """``one`` in a fresh process (killed after 4 budgets; a failure is recorded, not raised)."""
    command = [sys.executable, __file__, "--one", tool, dataset, str(seed), "--budget", str(budget)]
    row: dict[str, Any] = {"tool": tool, "dataset": dataset, "seed": seed}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=4 * budget + 60)
    except subprocess.TimeoutExpired:
        return {**row, "error": "timed out"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {**row, "error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def available(tool: str) -> bool:
    module = {"typedspace": "typedspace.sklearn", "hyperopt-sklearn": "hpsklearn", "flaml": "flaml"}
    check = [sys.executable, "-c", f"import {module[tool]}"]
    return subprocess.run(check, capture_output=True).returncode == 0


def table(rows: list[dict[str, Any]], tools: list[str], datasets: list[str]) -> str:
    """Mean ± standard deviation of the test score over seeds, and mean trials and seconds."""
    lines = [
        "| dataset (metric) | " + " | ".join(tools) + " |",
        "| --- | " + " | ".join("---" for _ in tools) + " |",
    ]
    for dataset in datasets:
        metric = "R²" if dataset in REGRESSION else "accuracy"
        cells = []
        for tool in tools:
            ok = [r for r in rows if r["tool"] == tool and r["dataset"] == dataset and "score" in r]
            if not ok:
                cells.append("failed" if any(r["tool"] == tool for r in rows) else "missing")
                continue
            scores = [r["score"] for r in ok]
            spread = statistics.stdev(scores) if len(scores) > 1 else 0.0
            trials = statistics.mean(r["trials"] for r in ok)
            seconds = statistics.mean(r["seconds"] for r in ok)
            cells.append(
                f"{statistics.mean(scores):.4f} ± {spread:.4f} ({trials:.0f} trials, {seconds:.0f} s)"
            )
        lines.append(f"| {dataset} ({metric}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--out", type=Path, default=None, help="write the markdown table here")
    parser.add_argument("--json", type=Path, default=None, help="write every run here")
    parser.add_argument("--one", nargs=3, metavar=("TOOL", "DATASET", "SEED"))
    args = parser.parse_args()
    if args.one:
        tool, dataset, seed = args.one
        print(json.dumps(one(tool, dataset, int(seed), args.budget)))
        return
    tools = [t for t in args.tools if available(t)]
    missing = sorted(set(args.tools) - set(tools))
    rows = []
    for dataset in args.datasets:
        for seed in args.seeds:
            for tool in tools:
                row = run_isolated(tool, dataset, seed, args.budget)
                print(json.dumps(row), flush=True)
                rows.append(row)
    text = table(rows, tools, args.datasets)
    if missing:
        text += f"\n\nNot installed: {', '.join(missing)}."
    print(text)
    if args.json is not None:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    if args.out is not None:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
