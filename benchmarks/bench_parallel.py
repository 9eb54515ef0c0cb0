"""Speed-up of parallel trials: 64 trials of a 0.5-second objective on 1, 2 and 4 workers.

    .venv/bin/python benchmarks/bench_parallel.py                    # the full run (~2 min)
    .venv/bin/python benchmarks/bench_parallel.py --trials 8 --sleep 0.1   # a smoke test

The objective sleeps (like waiting on I/O or a remote job), so the ideal wall time is
``trials * sleep / workers`` whatever the number of CPU cores; the gap to it is the
runner's overhead: proposing, recording, pickling, starting worker processes.  Random
search keeps the proposal cost negligible and equal for every row.  Prints markdown.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import os
import time
from collections.abc import Sequence

from typedspace import TrialState, Uniform, optimize
from typedspace.algorithms import RandomSearch

SLEEP = 0.5


def sleeping(x: float) -> float:
    """The benchmark objective, at module level so that process workers can import it."""
    time.sleep(SLEEP)
    return (x - 0.3) ** 2


def wall_time(kind: str, workers: int, trials: int) -> float:
    """Seconds for one run of ``trials`` trials on a fresh pool (pool start-up included)."""
    pool: cf.Executor
    if kind == "processes":
        pool = cf.ProcessPoolExecutor(workers)
    else:
        pool = cf.ThreadPoolExecutor(workers)
    start = time.perf_counter()
    with pool:
        result = optimize(
            sleeping,
            Uniform(0.0, 1.0),
            RandomSearch(),
            max_evals=trials,
            seed=0,
            executor=pool,
            progress=False,
        )
    elapsed = time.perf_counter() - start
    assert sum(t.state is TrialState.OK for t in result.trials) == trials
    return elapsed


def main(argv: Sequence[str] | None = None) -> None:
    global SLEEP
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=64)
    parser.add_argument("--sleep", type=float, default=SLEEP, help="seconds per trial")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args(argv)
    SLEEP = args.sleep  # forked workers inherit it; 0.5 is also the value they import

    print(f"### Parallel speed-up ({args.trials} trials of a {args.sleep:g} s sleeping objective)")
    print()
    print(f"{os.cpu_count()} CPUs; `python benchmarks/bench_parallel.py`; random search.")
    print()
    print("| executor | workers | wall (s) | ideal (s) | speed-up vs 1 worker | efficiency |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in ("processes", "threads"):
        one_worker: float | None = None  # the wall time with 1 worker, the speed-up's base
        for workers in args.workers:
            wall = wall_time(kind, workers, args.trials)
            ideal = args.trials * args.sleep / workers
            if workers == 1:
                one_worker = wall
            speedup = f"{one_worker / wall:.2f}x" if one_worker is not None else "n/a"
            print(
                f"| {kind} | {workers} | {wall:.2f} | {ideal:.2f} | {speedup} "
                f"| {ideal / wall:.0%} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
