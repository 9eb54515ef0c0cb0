"""Several objectives and constraints (issue 15): hypervolume after 200 evaluations, ours (TPE,
NSGA-II, random search) against Optuna 5 (TPE, NSGA-II) in the same run, and the overhead per
suggestion at 500 and 1,000 trials.

Every method runs an ask/tell loop on the same problem, seeds F..F+S-1 (``--first-seed`` F,
default 0; ``--seeds`` S), and the score of a run is the exact hypervolume
(``typedspace.algorithms.hypervolume``) of its feasible evaluated points for the problem's
fixed reference point (larger is better).  Problems (minimized):

* ``zdt1``, ``zdt2``, ``zdt3``: Zitzler, Deb & Thiele (2000) with 10 variables in [0, 1] (the
  standard 30, ``--zdt-variables 30``, leave every method far from the front at 200
  evaluations); reference (1.1, 11).
* ``dtlz2``: Deb et al. (2002), 3 objectives, 12 variables (k = 10); reference (2.5, 2.5, 2.5).
* ``constr``: Deb's CONSTR (Deb 2001): f1 = x1, f2 = (1 + x2) / x1 with x1 in [0.1, 1], x2
  in [0, 5], subject to x2 + 9 x1 >= 6 and 9 x1 - x2 >= 1 (violations returned as numbers
  <= 0 when satisfied, to both libraries); reference (1.1, 10).
* ``tree_digits``: a real trade-off, ``DecisionTreeClassifier`` (max_depth 1-20,
  min_samples_leaf 1-50 log, max_features 0.1-1, ccp_alpha 1e-5-0.05 log, criterion gini or
  entropy) on scikit-learn's bundled ``load_digits``: 3-fold cross-validated error and
  log10 of the fitted tree's node count (on the whole data); reference (1.0, 4.0).

Methods: ours ``TPE()`` and ``NSGA2()`` (population 50) and ``RandomSearch()``; Optuna's
``TPESampler(seed=s)`` (its multi-objective TPE, defaults) and ``NSGAIISampler(seed=s)``
(population 50), constraints through ``constraints_func`` reading a user attribute.  Named
with ``--methods`` only: ``ours TPE startup 10``, ``TPE(n_startup=10)``, which was the default
with 3 objectives before the random start grew with the number of objectives (with 2, it is
``TPE()``), and ``ours TPE joint``, ``TPE(multivariate=True)``, the default with 3 objectives
before they were modelled one parameter at a time (with 2, it is ``TPE()``).  ``--per-seed``
prints every run's hypervolume, for paired comparisons.

Overhead: ours TPE and Optuna's TPE on ``zdt1`` for 1,000 trials (seed 0): the mean wall time
of one suggestion (ask, and for Optuna the ``suggest_*`` calls where it samples) over trials
451-500 and 951-1,000.

    .venv/bin/python benchmarks/bench_multi_objective.py                  # full: 10 seeds
    .venv/bin/python benchmarks/bench_multi_objective.py --seeds 5 --out benchmarks/RESULTS-multi-objective.md
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from typedspace import (  # noqa: E402
    NSGA2,
    TPE,
    Choice,
    IntLogUniform,
    IntUniform,
    LogUniform,
    Optimizer,
    RandomSearch,
    Uniform,
    minimize,
)
from typedspace.algorithms import hypervolume  # noqa: E402

Values = tuple[float, ...]


@attrs.frozen
class Problem:
    name: str
    description: str
    space: dict[str, Any]
    evaluate: Callable[[dict[str, Any]], tuple[Values, Values | None]]  # values, constraints
    reference: Values
    # Optuna's suggestions: name -> (kind, low, high, log) or ("cat", options).
    optuna_params: dict[str, tuple[Any, ...]]


def _unit(n: int) -> tuple[dict[str, Any], dict[str, tuple[Any, ...]]]:
    return (
        {f"x{i:02d}": Uniform(0.0, 1.0) for i in range(n)},
        {f"x{i:02d}": ("float", 0.0, 1.0, False) for i in range(n)},
    )


def _x(c: dict[str, Any], n: int) -> np.ndarray:
    return np.array([c[f"x{i:02d}"] for i in range(n)])


def zdt(kind: int, n: int = 10) -> Callable[[dict[str, Any]], tuple[Values, None]]:
    def evaluate(c: dict[str, Any]) -> tuple[Values, None]:
        x = _x(c, n)
        f1 = float(x[0])
        g = 1.0 + 9.0 * float(x[1:].mean())
        if kind == 1:
            h = 1.0 - math.sqrt(f1 / g)
        elif kind == 2:
            h = 1.0 - (f1 / g) ** 2
        else:
            h = 1.0 - math.sqrt(f1 / g) - (f1 / g) * math.sin(10.0 * math.pi * f1)
        return (f1, g * h), None

    return evaluate


def dtlz2(c: dict[str, Any]) -> tuple[Values, None]:
    x = _x(c, 12)
    g = float(np.sum((x[2:] - 0.5) ** 2))
    a, b = x[0] * math.pi / 2, x[1] * math.pi / 2
    return (
        (1 + g) * math.cos(a) * math.cos(b),
        (1 + g) * math.cos(a) * math.sin(b),
        (1 + g) * math.sin(a),
    ), None


def constr(c: dict[str, Any]) -> tuple[Values, Values]:
    x1, x2 = c["x1"], c["x2"]
    return (x1, (1.0 + x2) / x1), (6.0 - x2 - 9.0 * x1, 1.0 - 9.0 * x1 + x2)


_DIGITS: Any = None


def tree_digits(c: dict[str, Any]) -> tuple[Values, None]:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier

    global _DIGITS
    if _DIGITS is None:
        _DIGITS = load_digits(return_X_y=True)
    X, y = _DIGITS
    model = DecisionTreeClassifier(
        max_depth=c["max_depth"],
        min_samples_leaf=c["min_samples_leaf"],
        max_features=c["max_features"],
        ccp_alpha=c["ccp_alpha"],
        criterion=c["criterion"],
        random_state=0,
    )
    error = 1.0 - float(np.mean(cross_val_score(model, X, y, cv=3)))
    nodes = model.fit(X, y).tree_.node_count
    return (error, math.log10(nodes)), None


def problems(zdt_variables: int = 10) -> list[Problem]:
    out = []
    for kind in (1, 2, 3):
        space, params = _unit(zdt_variables)
        out.append(
            Problem(
                f"zdt{kind}",
                f"ZDT{kind}, {zdt_variables} variables",
                space,
                zdt(kind, zdt_variables),
                (1.1, 11.0),
                params,
            )
        )
    space, params = _unit(12)
    out.append(
        Problem("dtlz2", "DTLZ2, 3 objectives, 12 variables", space, dtlz2, (2.5,) * 3, params)
    )
    out.append(
        Problem(
            "constr",
            "Deb's CONSTR, 2 constraints",
            {"x1": Uniform(0.1, 1.0), "x2": Uniform(0.0, 5.0)},
            constr,
            (1.1, 10.0),
            {"x1": ("float", 0.1, 1.0, False), "x2": ("float", 0.0, 5.0, False)},
        )
    )
    out.append(
        Problem(
            "tree_digits",
            "DecisionTreeClassifier on load_digits: 3-fold CV error, log10(nodes)",
            {
                "max_depth": IntUniform(1, 20),
                "min_samples_leaf": IntLogUniform(1, 50),
                "max_features": Uniform(0.1, 1.0),
                "ccp_alpha": LogUniform(1e-5, 0.05),
                "criterion": Choice("gini", "entropy"),
            },
            tree_digits,
            (1.0, 4.0),
            {
                "max_depth": ("int", 1, 20, False),
                "min_samples_leaf": ("int", 1, 50, True),
                "max_features": ("float", 0.1, 1.0, False),
                "ccp_alpha": ("float", 1e-5, 0.05, True),
                "criterion": ("cat", ["gini", "entropy"]),
            },
        )
    )
    return out


@attrs.define
class Run:
    points: list[Values]  # feasible values, in evaluation order
    ask_times: list[float]
    seconds: float


def run_ours(problem: Problem, algo: Any, seed: int, n: int) -> Run:
    m = len(problem.reference)
    objectives = minimize()
    for _ in range(m - 1):
        objectives = objectives & minimize()
    constrained = problem.name == "constr"
    opt = Optimizer(
        problem.space,
        algo,
        seed=seed,
        objectives=objectives,
        constraints=True if constrained else None,
    )
    from typedspace import Outcome

    points, asks = [], []
    start = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        trial = opt.ask()
        asks.append(time.perf_counter() - t)
        values, constraints = problem.evaluate(dict(trial.value))
        opt.tell(trial, Outcome(values=values, constraints=constraints) if constrained else values)
        if constraints is None or all(c <= 0 for c in constraints):
            points.append(values)
    return Run(points, asks, time.perf_counter() - start)


def run_optuna(problem: Problem, sampler_name: str, seed: int, n: int) -> Run:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    constrained = problem.name == "constr"
    kwargs: dict[str, Any] = {"seed": seed}
    if constrained:
        kwargs["constraints_func"] = lambda t: t.user_attrs["c"]
    sampler = (
        optuna.samplers.TPESampler(**kwargs)
        if sampler_name == "tpe"
        else optuna.samplers.NSGAIISampler(**kwargs)
    )
    study = optuna.create_study(directions=["minimize"] * len(problem.reference), sampler=sampler)
    points, asks = [], []
    start = time.perf_counter()
    for _ in range(n):
        t = time.perf_counter()
        trial = study.ask()
        config: dict[str, Any] = {}
        for name, spec in problem.optuna_params.items():
            if spec[0] == "float":
                config[name] = trial.suggest_float(name, spec[1], spec[2], log=spec[3])
            elif spec[0] == "int":
                config[name] = trial.suggest_int(name, spec[1], spec[2], log=spec[3])
            else:
                config[name] = trial.suggest_categorical(name, spec[1])
        asks.append(time.perf_counter() - t)
        values, constraints = problem.evaluate(config)
        if constrained:
            trial.set_user_attr("c", list(constraints or ()))
        study.tell(trial, list(values))
        if constraints is None or all(c <= 0 for c in constraints):
            points.append(values)
    return Run(points, asks, time.perf_counter() - start)


METHODS: dict[str, Callable[[Problem, int, int], Run]] = {
    "ours TPE": lambda p, s, n: run_ours(p, TPE(), s, n),
    # The default random start before it grew with the number of objectives (3: 20 trials).
    "ours TPE startup 10": lambda p, s, n: run_ours(p, TPE(n_startup=10), s, n),
    # The default with 3 objectives before each parameter was modelled alone there.
    "ours TPE joint": lambda p, s, n: run_ours(p, TPE(multivariate=True), s, n),
    "ours NSGA2": lambda p, s, n: run_ours(p, NSGA2(), s, n),
    "ours random": lambda p, s, n: run_ours(p, RandomSearch(), s, n),
    "optuna TPE": lambda p, s, n: run_optuna(p, "tpe", s, n),
    "optuna NSGA-II": lambda p, s, n: run_optuna(p, "nsga2", s, n),
}


def _mean_se(values: list[float]) -> str:
    a = np.asarray(values)
    se = a.std(ddof=1) / math.sqrt(len(a)) if len(a) > 1 else float("nan")
    return f"{a.mean():.4g} ± {se:.2g}"


def _header(args: argparse.Namespace, started: float) -> list[str]:
    import optuna
    import sklearn

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return [
        "# Several objectives and constraints (issue 15)",
        "",
        f"`.venv/bin/python {' '.join(sys.argv)}`",
        "",
        f"- date: {datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}",
        f"- machine: {os.cpu_count()} CPUs, {platform.platform()}; load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} at the end (shared with other jobs)",
        f"- git commit: {commit} (plus uncommitted changes, if any)",
        f"- libraries: optuna {optuna.__version__}, scikit-learn {sklearn.__version__}, "
        f"numpy {np.__version__}",
        f"- {args.evals} evaluations, seeds {args.first_seed}.."
        f"{args.first_seed + args.seeds - 1}; wall time {(time.time() - started) / 60:.1f} min",
        "",
        "Hypervolume of the feasible evaluated points for the problem's reference point, mean ± "
        "s.e. over seeds (larger is better); see the docstring of "
        "`benchmarks/bench_multi_objective.py` for problems and settings.",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--evals", type=int, default=200)
    parser.add_argument("--problems", nargs="*", default=None)
    parser.add_argument("--methods", nargs="*", default=None)
    parser.add_argument("--overhead", type=int, default=1000, help="0: skip the overhead part")
    parser.add_argument("--out", default=None)
    parser.add_argument("--per-seed", action="store_true", help="print every run's hypervolume")
    parser.add_argument(
        "--zdt-variables", type=int, default=10, help="variables of ZDT1-3 (the standard is 30)"
    )
    args = parser.parse_args()
    started = time.time()
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    # "ours TPE startup 10" and "ours TPE joint" (earlier defaults) only when named.
    earlier = ("ours TPE startup 10", "ours TPE joint")
    methods = {
        k: v
        for k, v in METHODS.items()
        if (k in args.methods if args.methods else k not in earlier)
    }
    lines: list[str] = []
    for problem in problems(args.zdt_variables):
        if args.problems and problem.name not in args.problems:
            continue
        lines += [
            f"### {problem.name}",
            "",
            f"{problem.description}; reference {problem.reference}.",
            "",
        ]
        lines += ["| method | hypervolume | feasible points | s / run |", "|---|---|---|---|"]
        for label, method in methods.items():
            scores, feasible, seconds = [], [], []
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                run = method(problem, seed, args.evals)
                scores.append(hypervolume(run.points, problem.reference) if run.points else 0.0)
                feasible.append(len(run.points))
                seconds.append(run.seconds)
                if args.per_seed:
                    print(problem.name, label, seed, f"{scores[-1]:.4f}", flush=True)
            lines.append(
                f"| {label} | {_mean_se(scores)} | {np.mean(feasible):.0f} | {np.mean(seconds):.1f} |"
            )
            print(problem.name, label, _mean_se(scores), f"{np.mean(seconds):.1f}s", flush=True)
        lines.append("")
    if args.overhead:
        zdt1 = problems()[0]
        lines += [
            f"### Overhead per suggestion (zdt1, seed 0, {args.overhead} trials)",
            "",
            "| method | trials 451-500 | trials 951-1000 | whole run |",
            "|---|---|---|---|",
        ]
        for label in ("ours TPE", "optuna TPE"):
            run = METHODS[label](zdt1, 0, args.overhead)
            mid = np.mean(run.ask_times[450:500]) * 1e3
            end = np.mean(run.ask_times[950:1000]) * 1e3 if args.overhead >= 1000 else float("nan")
            lines.append(f"| {label} | {mid:.2f} ms | {end:.2f} ms | {run.seconds:.0f} s |")
            print("overhead", label, f"{mid:.2f} ms", f"{end:.2f} ms", flush=True)
        lines.append("")
    text = "\n".join(_header(args, started) + lines)
    if args.out:
        Path(args.out).write_text(text)
    print(text)


if __name__ == "__main__":
    main()
