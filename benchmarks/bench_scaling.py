"""TPE's cost as a study grows: ms per suggestion at 1,000 to 10,000 finished trials.

Same setting as ``bench_tpe_overhead.py`` (10-D continuous space, Styblinski-Tang history told
directly to the proposer), with the default environment: no ``OPENBLAS_NUM_THREADS`` or
similar is set, so the BLAS uses every core.  Three columns, measured in the same run:

* ``typedspace TPE``: as shipped (its products on one BLAS thread);
* ``... BLAS threads unlimited``: the same with that limit removed, which is what made a
  proposal jump from ~3.5 to ~15 ms around 3,600 trials on 2 cores;
* Optuna 5's default ``TPESampler(multivariate=True)``, at the counts of ``--optuna-counts``
  only (it costs seconds per suggestion at 10,000 trials), over a shorter window.

    .venv/bin/python benchmarks/bench_scaling.py
    .venv/bin/python benchmarks/bench_scaling.py --counts 1000 3000 5000 10000 --window 20
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_tpe_overhead as overhead

import typedspace.algorithms._tpe as tpe


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
