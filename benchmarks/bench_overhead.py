"""Optimizer overhead: milliseconds per suggestion as the number of finished trials grows.

For each space and optimizer, one study runs ``max(counts) + window`` trials of an objective
that takes microseconds (the problem's own loss, so the model sees realistic losses), all
in memory, in one single-threaded process.  Two times are recorded per trial:

- **suggest**: producing the next configuration.  typedspace: ``Optimizer.ask()`` (proposal,
  decoding to the typed value, storage).  Optuna: ``study.ask()`` plus the define-by-run
  ``suggest_*`` calls (storage included).  Hyperopt: the ``tpe.suggest`` call (fmin's
  bookkeeping and the decoding of the value are *not* included, which favours Hyperopt).
- **loop**: all the time spent by the library between the end of one objective call and the
  start of the next (tell + ask, i.e. the full per-trial overhead; for Hyperopt, ``fmin``'s).

The table reports the mean over the ``window`` trials following each count (trial numbers
``count .. count + window - 1``), pooled over ``--repeats`` studies with different seeds.

    .venv/bin/python benchmarks/bench_overhead.py
    .venv/bin/python benchmarks/bench_overhead.py --counts 100 500 --window 10 --repeats 1
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from competitors import TPE_NAME, optuna_sampler, our_tpe, settings
from problems import PROBLEMS, Problem, to_hyperopt, to_optuna

from typedspace import Optimizer
from typedspace.algorithms import Algorithm, RandomSearch

OUT = Path(__file__).resolve().parent / "out"

Trace = tuple[list[float], list[float]]
"""(suggest seconds per trial, loop seconds per trial; loop[0] is NaN)"""

SPACES = {
    "continuous 10-D": "styblinski_tang10",
    "mixed conditional": "mixed_conditional",
}


def trace_typedspace(algo: Algorithm, problem: Problem, n: int, seed: int) -> Trace:
    opt = Optimizer(problem.space, algo, seed=seed)
    suggest, loop = [], [float("nan")]
    clock = time.perf_counter
    last_exit = clock()
    for i in range(n):
        t0 = clock()
        trial = opt.ask()
        t1 = clock()
        loss = problem.objective(trial.value)
        t2 = clock()
        opt.tell(trial, loss)
        suggest.append(t1 - t0)
        if i:
            loop.append(t1 - last_exit)
        last_exit = t2
    return suggest, loop


def trace_optuna(multivariate: bool, problem: Problem, n: int, seed: int) -> Trace:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna_sampler(seed, multivariate))
    suggest, loop = [], [float("nan")]
    clock = time.perf_counter
    last_exit = clock()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(n):
            t0 = clock()
            trial = study.ask()
            value = to_optuna(problem.space, trial)
            t1 = clock()
            loss = problem.objective(value)
            t2 = clock()
            study.tell(trial, loss)
            suggest.append(t1 - t0)
            if i:
                loop.append(t1 - last_exit)
            last_exit = t2
    return suggest, loop


def trace_hyperopt(problem: Problem, n: int, seed: int) -> Trace:
    from hyperopt import Trials, fmin, tpe

    suggest: list[float] = []
    enter: list[float] = []
    exit_: list[float] = []
    clock = time.perf_counter

    def timed_suggest(*args: Any, **kwargs: Any) -> Any:
        t0 = clock()
        docs = tpe.suggest(*args, **kwargs)
        suggest.append(clock() - t0)
        return docs

    def objective(value: dict[str, Any]) -> float:
        enter.append(clock())
        loss = problem.objective(value)
        exit_.append(clock())
        return loss

    fmin(
        objective,
        to_hyperopt(problem.space),
        algo=timed_suggest,
        max_evals=n,
        trials=Trials(),
        rstate=np.random.default_rng(seed),
        show_progressbar=False,
        verbose=False,
    )
    loop = [float("nan")] + [enter[i] - exit_[i - 1] for i in range(1, n)]
    return suggest, loop


def tracers() -> dict[str, Callable[[Problem, int, int], Trace]]:
    tpe = our_tpe()
    out: dict[str, Callable[[Problem, int, int], Trace]] = {
        TPE_NAME: lambda p, n, s: trace_typedspace(tpe if tpe is not None else RandomSearch(), p, n, s),
        "hyperopt TPE": trace_hyperopt,
        "optuna TPE multivariate": lambda p, n, s: trace_optuna(True, p, n, s),
        "optuna TPE independent": lambda p, n, s: trace_optuna(False, p, n, s),
        "typedspace Random (reference)": lambda p, n, s: trace_typedspace(RandomSearch(), p, n, s),
    }  # fmt: skip
    return out


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--window", type=int, default=30, help="trials averaged after a count")
    parser.add_argument("--repeats", type=int, default=1, help="studies (seeds) per cell")
    parser.add_argument("--spaces", nargs="+", default=list(SPACES), choices=list(SPACES))
    parser.add_argument("--optimizers", nargs="+", default=None, help="default: all")
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    all_tracers = tracers()
    names = args.optimizers or list(all_tracers)
    n = max(args.counts) + args.window
    raw: dict[str, dict[str, list[Trace]]] = {}
    start = time.perf_counter()
    for space in args.spaces:
        raw[space] = {}
        for name in names:
            raw[space][name] = []
            for seed in range(args.repeats):
                gc.collect()
                t0 = time.perf_counter()
                raw[space][name].append(all_tracers[name](PROBLEMS[SPACES[space]], n, seed))
                print(
                    f"{space:<18} {name:<32} seed {seed}: {n} trials in "
                    f"{time.perf_counter() - t0:6.1f}s",
                    file=sys.stderr,
                    flush=True,
                )
    wall = time.perf_counter() - start

    def cell(traces: list[Trace], which: int, count: int) -> str:
        xs = np.concatenate([np.array(t[which][count : count + args.window]) for t in traces])
        return f"{1e3 * np.mean(xs):.2f} ({1e3 * np.median(xs):.2f})"

    lines = [
        f"Milliseconds per trial, mean (median) over the {args.window} trials after each count, "
        f"{args.repeats} {'study' if args.repeats == 1 else 'studies'} per cell; one process, in-memory storage.",
        "",
    ]
    for which, label in ((0, "suggest"), (1, "loop (all library time per trial)")):
        lines += [
            f"**{label}**",
            "",
            "| space | optimizer | " + " | ".join(f"at {c}" for c in args.counts) + " |",
            "|---|---|" + "---|" * len(args.counts),
        ]
        for space in args.spaces:
            for name in names:
                cells = [cell(raw[space][name], which, c) for c in args.counts]
                lines.append(f"| {space} | {name} | " + " | ".join(cells) + " |")
        lines.append("")
    lines.append(
        "Spaces: continuous 10-D = Styblinski-Tang's [-5, 5]^10; mixed conditional = "
        f"{PROBLEMS['mixed_conditional'].description}.  Wall time {wall / 60:.1f} min."
    )
    lines += ["", "Settings:", ""] + [f"- {s}" for s in settings()]
    md = "\n".join(lines) + "\n"
    OUT.mkdir(exist_ok=True)
    (OUT / "overhead.json").write_text(json.dumps({"args": vars(args), "raw": raw}))
    (OUT / "overhead.md").write_text(md)
    return md


if __name__ == "__main__":
    print(main())
