"""Vectorized sampling: ``sample_many(space, n)`` against ``n`` single ``sample`` calls.

The space is a realistic 20-parameter conditional training configuration (optimizer with
per-optimizer hyperparameters, a choice of two model families, log / int / int-log /
quantized / categorical leaves).  ``sample_many`` draws each parameter's ``n`` values with one
numpy call and decodes rows with the compiled decoder; the loop pays numpy's per-call overhead
for every parameter of every value.  Both share one generator (``rng=``), so neither pays
for creating generators.  Each timing is the best of ``--repeats`` runs.

    python benchmarks/bench_sampling.py [--n 100000] [--loop 10000] [--repeats 3]

By default only 10,000 single calls are timed and their time is extrapolated linearly to
``--n`` (the output says so; their cost per call does not depend on how many are made);
``--loop 100000`` times all of them.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from typedspace import (
    Choice,
    Cond,
    IntLogUniform,
    IntUniform,
    LogUniform,
    Space,
    Uniform,
    as_space,
    flatten,
    sample,
    sample_many,
)
from typedspace.backends._sample import draw_rows

SPACE: Space[dict[str, Any]] = as_space(
    {
        "optimizer": Cond(
            Choice("sgd", "adam", "rmsprop", name="optimizer"),
            {
                "sgd": as_space(
                    {
                        "lr": LogUniform(1e-4, 1.0),
                        "momentum": Uniform(0.0, 0.99),
                        "nesterov": Choice(True, False),
                    }
                ),
                "adam": as_space(
                    {
                        "lr": LogUniform(1e-5, 1e-2),
                        "beta1": Uniform(0.8, 0.99),
                        "beta2": Uniform(0.9, 0.9999),
                        "eps": LogUniform(1e-10, 1e-6),
                    }
                ),
                "rmsprop": as_space({"lr": LogUniform(1e-5, 1e-2), "rho": Uniform(0.8, 0.99)}),
            },
        ),
        "model": Choice(
            {
                "kind": "mlp",
                "layers": IntUniform(1, 6),
                "width": IntLogUniform(16, 1024),
                "dropout": Uniform(0.0, 0.5, q=0.05),
            },
            {
                "kind": "cnn",
                "blocks": IntUniform(2, 8),
                "filters": IntLogUniform(8, 256),
                "kernel": Choice(3, 5, 7),
            },
        ),
        "batch_size": IntLogUniform(16, 1024),
        "weight_decay": LogUniform(1e-6, 1e-2),
        "warmup": Uniform(0.0, 0.2, q=0.01),
    }
)


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """The shortest wall time of ``repeats`` runs, in seconds (the least disturbed run)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def single_calls(calls: int, seed: int) -> Callable[[], object]:
    def run() -> object:
        rng = np.random.default_rng(seed)
        return [sample(SPACE, rng=rng) for _ in range(calls)]

    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="values per sample_many call")
    parser.add_argument(
        "--loop", type=int, default=10_000, help="single calls timed (extrapolated to --n)"
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    n: int = args.n
    loop: int = min(args.loop, n)

    table = flatten(SPACE).table
    sample(SPACE, seed=0)  # warm the flatten cache and numpy before timing
    vectorized = best_of(args.repeats, lambda: sample_many(SPACE, n, seed=1))
    draw_only = best_of(args.repeats, lambda: draw_rows(table, np.random.default_rng(1), n))
    looped = best_of(args.repeats, single_calls(loop, seed=1)) * (n / loop)

    print(f"space: {len(table)} parameters, {len(table.groups())} condition groups")
    print()
    print("| method | seconds for n values | values / second |")
    print("|---|---:|---:|")
    print(f"| `sample_many(space, {n:,})` | {vectorized:.3f} | {n / vectorized:,.0f} |")
    print(f"| of which drawing the table's columns | {draw_only:.3f} | {n / draw_only:,.0f} |")
    note = "" if loop == n else f" (timed {loop:,} calls, extrapolated x{n / loop:g})"
    print(f"| {n:,} x `sample(space, rng=rng)`{note} | {looped:.3f} | {n / looped:,.0f} |")
    print()
    print(f"one `sample` call: {looped / n * 1e6:.0f} µs")
    print(f"speed-up of sample_many over single calls: {looped / vectorized:.1f}x")
    print(f"(best of {args.repeats} runs each)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
