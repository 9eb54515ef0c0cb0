"""TPE's cost as a study grows: ms per suggestion at 1,000 to 10,000 finished trials.

Same setting as ``bench_tpe_overhead.py`` (10-D continuous space, Styblinski-Tang history told
directly to the proposer), with the default environment: no ``OPENBLAS_NUM_THREADS`` or
similar is set, so the BLAS uses every core.  Four columns, measured in the same run:

* ``typedspace TPE``: as shipped (its products on one BLAS thread);
* ``... BLAS threads unlimited``: the same with that limit removed, which is what made a
  proposal jump from ~3.5 to ~15 ms around 3,600 trials on 2 cores;
* ``... batches of 4, 3 running``: ``propose(4, pending)`` with 3 running trials, so that
  the constant liar adds 3 to 6 lies to the bad model; per suggestion (a call's time / 4),
  the 4 proposals told before the next call;
* Optuna 5's default ``TPESampler(multivariate=True)``, at the counts of ``--optuna-counts``
  only (0.2 s per suggestion at 10,000 trials), over a shorter window.

The first proposal after the history is told builds TPE's kept bad model (a full fit, once):
it is in the mean, not in the median.

    .venv/bin/python benchmarks/bench_scaling.py
    .venv/bin/python benchmarks/bench_scaling.py --counts 1000 3000 5000 10000 --window 20
    .venv/bin/python benchmarks/bench_scaling.py --optuna-counts    # without Optuna
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_tpe_overhead as overhead

import typedspace.algorithms._tpe as tpe
from typedspace import Uniform, flatten
from typedspace.algorithms import TPE


@contextlib.contextmanager
def blas_unlimited() -> Iterator[None]:
    """TPE without its one-BLAS-thread limit (how it ran before the limit)."""
    namespace = vars(tpe)  # the name _tpe's propose() looks up at each call
    original = namespace["one_blas_thread"]
    namespace["one_blas_thread"] = contextlib.nullcontext
    try:
        yield
    finally:
        namespace["one_blas_thread"] = original


def time_unlimited(count: int, window: int, seed: int) -> list[float]:
    with blas_unlimited():
        return overhead.time_ours(count, window, seed)


def time_batches(count: int, window: int, seed: int) -> list[float]:
    """Per suggestion, ``window`` calls of ``propose(4, pending)`` with 3 running trials."""
    table = flatten({name: Uniform(overhead.LOW, overhead.HIGH) for name in overhead.NAMES}).table
    proposer = TPE().start(table, np.random.default_rng(seed))
    points, losses = overhead.history(count, seed)
    for number, (point, loss) in enumerate(zip(points, losses, strict=True)):
        proposer.tell(number, dict(zip(overhead.NAMES, point.tolist(), strict=True)), loss)
    running = np.random.default_rng(seed + 1).uniform(
        overhead.LOW, overhead.HIGH, (3, overhead.DIM)
    )
    pending = [dict(zip(overhead.NAMES, row.tolist(), strict=True)) for row in running]
    times, number = [], count
    for _ in range(window):
        t0 = time.perf_counter()
        batch = proposer.propose(4, pending)
        times.append((time.perf_counter() - t0) / 4)
        for proposal in batch:
            x = np.array([proposal[name] for name in overhead.NAMES])
            proposer.tell(number, proposal, overhead.styblinski_tang(x))
            number += 1
    return times


def _cell(times: list[float]) -> tuple[str, float]:
    ms = 1e3 * np.asarray(times)
    return f"{np.mean(ms):.2f} ({np.median(ms):.2f})", float(np.median(ms))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 3000, 5000, 10000])
    parser.add_argument("--window", type=int, default=30, help="proposals timed per count")
    parser.add_argument("--optuna-counts", type=int, nargs="*", default=[1000, 3000, 10000])
    parser.add_argument("--optuna-window", type=int, default=5)
    args = parser.parse_args(argv)
    timers: dict[str, Callable[[int, int, int], list[float]]] = {
        "typedspace TPE": overhead.time_ours,
        "typedspace TPE, BLAS threads unlimited": time_unlimited,
        "typedspace TPE, batches of 4, 3 running": time_batches,
    }
    has_optuna = importlib.util.find_spec("optuna") is not None
    names = [*timers, "optuna TPESampler(multivariate=True)"]
    print(
        f"ms per suggestion, {overhead.DIM}-D continuous space, default environment: "
        f"mean (median) of {args.window} proposals ({args.optuna_window} for Optuna)\n"
    )
    print("| finished trials | " + " | ".join(names) + " | optuna / ours (median) |")
    print("|---" * (len(names) + 2) + "|")
    for count in args.counts:
        cells, medians = [], []
        for timer in timers.values():
            gc.collect()
            cell, median = _cell(timer(count, args.window, 0))
            cells.append(cell)
            medians.append(median)
        ratio = "-"
        if has_optuna and count in args.optuna_counts:
            gc.collect()
            cell, median = _cell(overhead.time_optuna(count, args.optuna_window, 0))
            cells.append(cell)
            ratio = f"{median / medians[0]:.0f}x"
        else:
            cells.append("not run")
        print(f"| {count} | " + " | ".join(cells) + f" | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
