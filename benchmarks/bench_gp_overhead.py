"""GP's own cost: milliseconds per ``propose(1)`` after 20, 50 and 100 finished trials.

Two spaces: 10-D continuous (``Uniform(-5, 5)`` ten times, Styblinski-Tang losses) and a
mixed one (a log-uniform and two uniform floats, a quantized float, two integers, a
categorical with three options and a conditional branch).  The history is made of random
points told directly to the proposer (no optimization loop, no storage), so the time is the
algorithm's alone: refitting the GP's hyperparameters, scoring the candidates, refining the
best ones.  Each proposal of the timed window is told before the next, as in a sequential
study.  The hyperparameters are refitted only when the trials have grown by 5 % since the
last fit (``_gp.REFIT_GROWTH``): at 100 trials one proposal in five refits, so the mean
includes the fits and the median mostly does not.

If Optuna's ``GPSampler`` can be imported (it needs PyTorch), it gets the same histories
through ``study.add_trials`` and is timed on ``study.ask(distributions)`` (10-D space only).

    .venv/bin/python benchmarks/bench_gp_overhead.py
    .venv/bin/python benchmarks/bench_gp_overhead.py --counts 100 --window 5 --no-optuna
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import math
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from typedspace import Choice, Cond, IntLogUniform, IntUniform, LogUniform, Uniform, flatten
from typedspace.algorithms import GP
from typedspace.backends._table import Assignment

DIM = 10
NAMES = [f"x{i}" for i in range(DIM)]
CONTINUOUS = {name: Uniform(-5.0, 5.0) for name in NAMES}
MIXED = {
    "lr": LogUniform(1e-5, 1.0),
    "a": Uniform(0.0, 1.0),
    "b": Uniform(-1.0, 1.0),
    "q": Uniform(0.0, 10.0, q=0.5),
    "n": IntUniform(1, 20),
    "width": IntLogUniform(8, 512),
    "act": Choice("relu", "gelu", "tanh"),
    "opt": Cond(Choice("sgd", "adam"), {"sgd": Uniform(0.0, 0.99), "adam": LogUniform(1e-3, 0.1)}),
}


def styblinski_tang(point: Assignment) -> float:
    x = np.array([point[name] for name in NAMES], dtype=np.float64)
    return float(0.5 * np.sum(x**4 - 16 * x**2 + 5 * x))


def mixed_loss(point: Assignment) -> float:
    branch = point.get("opt.sgd", point.get("opt.adam", 0.0))
    return float(
        (math.log10(point["lr"]) + 3) ** 2
        + (point["a"] - 0.3) ** 2
        + abs(point["b"])
        + (point["q"] - 3.5) ** 2 / 10
        + abs(point["n"] - 7) / 5
        + abs(math.log2(point["width"]) - 7)
        + (point["act"] != 1)
        + point["opt"] * 0.5
        + branch
    )


SPACES: dict[str, tuple[dict[str, Any], Callable[[Assignment], float]]] = {
    "10-D continuous": (CONTINUOUS, styblinski_tang),
    "mixed (8 leaves, conditional)": (MIXED, mixed_loss),
}


def time_ours(space_name: str, count: int, window: int, seed: int) -> list[float]:
    space, loss = SPACES[space_name]
    table = flatten(space).table
    proposer = GP().start(table, np.random.default_rng(seed))
    for number, point in enumerate(table.sample_assignments(np.random.default_rng(seed), count)):
        proposer.tell(number, point, loss(point))
    times = []
    for k in range(window):
        t0 = time.perf_counter()
        (proposal,) = proposer.propose(1, [])
        times.append(time.perf_counter() - t0)
        proposer.tell(count + k, proposal, loss(proposal))
    return times


def time_optuna(space_name: str, count: int, window: int, seed: int) -> list[float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    distributions: dict[str, Any] = {
        name: optuna.distributions.FloatDistribution(-5.0, 5.0) for name in NAMES
    }
    table = flatten(CONTINUOUS).table
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = optuna.create_study(sampler=optuna.samplers.GPSampler(seed=seed))
        study.add_trials(
            [
                optuna.trial.create_trial(
                    params=dict(point), distributions=distributions, value=styblinski_tang(point)
                )
                for point in table.sample_assignments(np.random.default_rng(seed), count)
            ]
        )
        times = []
        for _ in range(window):
            t0 = time.perf_counter()
            trial = study.ask(distributions)
            times.append(time.perf_counter() - t0)
            study.tell(trial, styblinski_tang(trial.params))
    return times


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--counts", type=int, nargs="+", default=[20, 50, 100])
    parser.add_argument("--window", type=int, default=10, help="proposals timed per count")
    parser.add_argument("--repeats", type=int, default=2, help="histories (seeds) per count")
    parser.add_argument("--no-optuna", action="store_true", help="time typedspace only")
    args = parser.parse_args(argv)
    timers: dict[str, Callable[[str, int, int, int], list[float]]] = {}
    for space_name in SPACES:
        timers[f"typedspace GP, {space_name}"] = time_ours
    if args.no_optuna:
        pass
    elif importlib.util.find_spec("optuna") is None:
        print("Optuna is not installed: its GPSampler is not timed.")
    elif importlib.util.find_spec("torch") is None:
        print("Optuna's GPSampler needs PyTorch, which is not installed: not timed.")
    else:
        timers["optuna GPSampler, 10-D continuous"] = time_optuna
    print(
        f"ms per suggestion: mean (median) of {args.window} proposals x {args.repeats} "
        "seeds after each count of finished trials"
    )
    print(f"{'count':>6}" + "".join(f" | {name:>42}" for name in timers))
    for count in args.counts:
        cells = []
        for name, timer in timers.items():
            space_name = name.split(", ", 1)[1]
            gc.collect()
            xs = 1e3 * np.concatenate(
                [timer(space_name, count, args.window, seed) for seed in range(args.repeats)]
            )
            cells.append(f"{np.mean(xs):.1f} ({np.median(xs):.1f})")
        print(f"{count:>6}" + "".join(f" | {cell:>42}" for cell in cells), flush=True)


if __name__ == "__main__":
    main()
