"""TPE's own cost: milliseconds per ``propose(1)`` after 100, 500 and 1,000 finished trials.

The space is 10-D continuous (``Uniform(-5, 5)`` ten times).  The history is made of random
points with Styblinski-Tang losses, told directly to the proposer (no optimization loop, no
storage, no decoding), so the time is the algorithm's alone.  Each proposal of the timed window
is told before the next one, as in a sequential study.

If Optuna is installed, its default sampler for single-objective studies
(``TPESampler(multivariate=True)``) gets the same points through ``study.add_trials`` and is
timed on ``study.ask(distributions)`` + ``study.tell`` of the same window, in-memory: that is
its sampling cost plus its in-memory bookkeeping, the least it can spend per suggestion.

    .venv/bin/python benchmarks/bench_tpe_overhead.py
    .venv/bin/python benchmarks/bench_tpe_overhead.py --counts 100 1000 --window 50 --no-optuna
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from typedspace import Uniform, flatten
from typedspace.algorithms import TPE

DIM = 10
LOW, HIGH = -5.0, 5.0
NAMES = [f"x{i}" for i in range(DIM)]


def styblinski_tang(x: np.ndarray[Any, np.dtype[np.float64]]) -> float:
    return float(0.5 * np.sum(x**4 - 16 * x**2 + 5 * x))


def history(count: int, seed: int) -> tuple[np.ndarray[Any, np.dtype[np.float64]], list[float]]:
    points = np.random.default_rng(seed).uniform(LOW, HIGH, size=(count, DIM))
    return points, [styblinski_tang(p) for p in points]


def time_ours(count: int, window: int, seed: int) -> list[float]:
    table = flatten({name: Uniform(LOW, HIGH) for name in NAMES}).table
    proposer = TPE().start(table, np.random.default_rng(seed))
    points, losses = history(count, seed)
    for number, (point, loss) in enumerate(zip(points, losses, strict=True)):
        proposer.tell(number, dict(zip(NAMES, point.tolist(), strict=True)), loss)
    times = []
    for k in range(window):
        t0 = time.perf_counter()
        (proposal,) = proposer.propose(1, [])
        times.append(time.perf_counter() - t0)
        x = np.array([proposal[name] for name in NAMES])
        proposer.tell(count + k, proposal, styblinski_tang(x))
    return times


def time_optuna(count: int, window: int, seed: int) -> list[float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    distributions: dict[str, Any] = {
        name: optuna.distributions.FloatDistribution(LOW, HIGH) for name in NAMES
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
        points, losses = history(count, seed)
        study.add_trials(
            [
                optuna.trial.create_trial(
                    params=dict(zip(NAMES, point.tolist(), strict=True)),
                    distributions=distributions,
                    value=loss,
                )
                for point, loss in zip(points, losses, strict=True)
            ]
        )
        times = []
        for _ in range(window):
            t0 = time.perf_counter()
            trial = study.ask(distributions)
            times.append(time.perf_counter() - t0)
            x = np.array([trial.params[name] for name in NAMES])
            study.tell(trial, styblinski_tang(x))
    return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--window", type=int, default=30, help="proposals timed per count")
    parser.add_argument("--repeats", type=int, default=2, help="histories (seeds) per count")
    parser.add_argument("--no-optuna", action="store_true", help="time typedspace only")
    args = parser.parse_args(argv)
    timers: dict[str, Callable[[int, int, int], list[float]]] = {"typedspace TPE": time_ours}
    if not args.no_optuna and importlib.util.find_spec("optuna") is not None:
        timers["optuna TPESampler(multivariate=True)"] = time_optuna
    print(
        f"ms per suggestion on a {DIM}-D continuous space: mean (median) of {args.window} "
        f"proposals x {args.repeats} seeds after each count of finished trials"
    )
    header = f"{'count':>6}" + "".join(f" | {name:>36}" for name in timers)
    print(header + (" | optuna / ours (median)" if len(timers) == 2 else ""))
    for count in args.counts:
        medians = []
        cells = []
        for timer in timers.values():
            gc.collect()
            xs = 1e3 * np.concatenate(
                [timer(count, args.window, seed) for seed in range(args.repeats)]
            )
            medians.append(float(np.median(xs)))
            cells.append(f"{np.mean(xs):.2f} ({np.median(xs):.2f})")
        row = f"{count:>6}" + "".join(f" | {cell:>36}" for cell in cells)
        if len(medians) == 2:
            row += f" | {medians[1] / medians[0]:.1f}x"
        print(row, flush=True)


if __name__ == "__main__":
    main()
