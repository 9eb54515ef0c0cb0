"""Pruning overhead: milliseconds per report (the value kept, then the pruner's decision) as
the study grows, typedspace against Optuna, in memory and on a SQLite file.

For each study size N, a study holds N completed trials of ``--steps`` reports each (random
curves), then ``--window`` new trials report every step, each value below every stored one so
that the pruner (``--pruner``: median, or Hyperband), asked at each report, never stops
them: the same work in both libraries.  The time of one report is typedspace's ``Report.report(step, value)`` (what
``optimize`` hands the objective), and Optuna's ``trial.report(value, step)`` plus
``trial.should_prune()``.  The studies are filled without a pruner (typedspace) or with
``study.add_trial`` (Optuna), which is not timed.  Hyperopt has no pruning.

    .venv/bin/python benchmarks/bench_report_overhead.py
    .venv/bin/python benchmarks/bench_report_overhead.py --pruner hyperband --out hb.md
    .venv/bin/python benchmarks/bench_report_overhead.py --counts 100 --window 2
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from _machine import cpu_model, git_commit, load_average

from typedspace import Optimizer, Report, Uniform
from typedspace.algorithms import RandomSearch
from typedspace.pruners import Hyperband, MedianPruner

OUT = Path(__file__).resolve().parent / "out"

#: (pruner's name, stored trials, steps per trial, new trials timed, SQLite file or None) ->
#: seconds per report of the timed trials.
Timer = Callable[[str, int, int, int, Path | None], list[float]]
LABELS = {
    "median": "`MedianPruner()` (both libraries)",
    "hyperband": "`Hyperband(max_steps={steps})` (Optuna's `HyperbandPruner(max_resource={steps})`)",
}


def curves(count: int, steps: int, seed: int = 0) -> np.ndarray:
    """Random falling curves in (0, 1): one row per stored trial."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(0.2, 1.0, size=(count, 1))
    return level / np.sqrt(np.arange(1, steps + 1))


def time_typedspace(
    pruner: str, count: int, steps: int, window: int, path: Path | None
) -> list[float]:
    space = Uniform(0.0, 1.0)
    storage = str(path) if path is not None else None
    filler = Optimizer(space, RandomSearch(), storage=storage, seed=0)
    for row in curves(count, steps):
        trial = filler.ask()
        for step, value in enumerate(row, start=1):
            filler.report(trial, step, float(value))
        filler.tell(trial, float(row[-1]))
    # The same study with the pruner (in memory: the same storage object).
    rule = MedianPruner() if pruner == "median" else Hyperband(max_steps=steps)
    opt = Optimizer(space, RandomSearch(), pruner=rule, storage=filler.storage, seed=1)
    times: list[float] = []
    clock = time.perf_counter
    for _ in range(window):
        trial = opt.ask()
        report = Report(opt.reporting(), trial.number)
        for step in range(1, steps + 1):
            t0 = clock()
            report.report(step, -1.0 / step)
            times.append(clock() - t0)
        opt.tell(trial, -1.0 / steps)
    return times


def time_optuna(pruner: str, count: int, steps: int, window: int, path: Path | None) -> list[float]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = f"sqlite:///{path}" if path is not None else None
    study = optuna.create_study(
        sampler=optuna.samplers.RandomSampler(seed=0),
        pruner=optuna.pruners.MedianPruner()
        if pruner == "median"
        else optuna.pruners.HyperbandPruner(max_resource=steps),
        storage=storage,
    )
    x = optuna.distributions.FloatDistribution(0.0, 1.0)
    rng = np.random.default_rng(0)
    for row in curves(count, steps):
        study.add_trial(
            optuna.trial.create_trial(
                params={"x": float(rng.uniform())},
                distributions={"x": x},
                value=float(row[-1]),
                intermediate_values={step: float(v) for step, v in enumerate(row, start=1)},
            )
        )
    times: list[float] = []
    clock = time.perf_counter
    for _ in range(window):
        trial = study.ask()
        trial.suggest_float("x", 0.0, 1.0)
        for step in range(1, steps + 1):
            t0 = clock()
            trial.report(-1.0 / step, step)
            pruned = trial.should_prune()
            times.append(clock() - t0)
            assert not pruned
        study.tell(trial, -1.0 / steps)
    return times


TIMERS: dict[str, Timer] = {"typedspace": time_typedspace, "optuna": time_optuna}


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--counts", type=int, nargs="+", default=[100, 500, 1000])
    parser.add_argument("--steps", type=int, default=27, help="reports per trial")
    parser.add_argument("--window", type=int, default=3, help="new trials timed per cell")
    parser.add_argument("--pruner", choices=list(LABELS), default="median")
    parser.add_argument("--out", default="report_overhead.md")
    args = parser.parse_args(argv)
    load_before = load_average()
    raw: dict[str, dict[str, dict[int, list[float]]]] = {}
    start = time.perf_counter()
    with warnings.catch_warnings(), tempfile.TemporaryDirectory() as tmp:
        warnings.simplefilter("ignore")  # Optuna's experimental-feature warnings
        for where in ("memory", "sqlite"):
            for name, timer in TIMERS.items():
                cells = raw.setdefault(where, {}).setdefault(name, {})
                for count in args.counts:
                    path = Path(tmp) / f"{name}-{count}.db" if where == "sqlite" else None
                    gc.collect()
                    t0 = time.perf_counter()
                    cells[count] = timer(args.pruner, count, args.steps, args.window, path)
                    print(
                        f"{where:<7} {name:<11} N={count}: {time.perf_counter() - t0:6.1f}s",
                        file=sys.stderr,
                        flush=True,
                    )
    wall = time.perf_counter() - start

    def cell(times: list[float]) -> str:
        return f"{1e3 * np.mean(times):.3f} ({1e3 * np.median(times):.3f})"

    header = "| storage | library | " + " | ".join(f"N = {c}" for c in args.counts) + " |"
    lines = [
        f"Milliseconds per report with {LABELS[args.pruner].format(steps=args.steps)}, "
        f"mean (median) over {args.window} new "
        f"trials of {args.steps} reports each, in a study of N completed trials of "
        f"{args.steps} reports; one process.",
        "",
        header,
        "|---|---|" + "---|" * len(args.counts),
    ]
    for where, by_name in raw.items():
        for name, cells in by_name.items():
            row = " | ".join(cell(cells[c]) for c in args.counts)
            lines.append(f"| {where} | {name} | {row} |")
        ratios = " | ".join(
            f"{np.mean(by_name['optuna'][c]) / np.mean(by_name['typedspace'][c]):.1f}x"
            for c in args.counts
        )
        lines.append(f"| {where} | Optuna / typedspace | {ratios} |")
    import optuna

    lines += [
        "",
        f"- machine: {cpu_model()}; load average {load_before} before, {load_average()} after",
        f"- git commit {git_commit()}; optuna {optuna.__version__}; wall time {wall / 60:.1f} min",
    ]
    md = "\n".join(lines) + "\n"
    OUT.mkdir(exist_ok=True)
    stem = Path(args.out).stem
    (OUT / f"{stem}.json").write_text(json.dumps({"args": vars(args), "raw": raw}))
    (OUT / args.out).write_text(md)
    return md


if __name__ == "__main__":
    print(main())
