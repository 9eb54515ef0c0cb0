"""Per-trial overhead of SQLite storage against in-memory, for typedspace and for Optuna.

Each library runs ``--trials`` trials (default 1,000) of random search on a trivial objective
over the same three-parameter space, once in memory and once in a fresh SQLite file; the runs
alternate ``--repeats`` times and the median time of each is kept.  The figure of merit is the
ratio SQLite / in-memory (typedspace's target: under 2x).  Optuna (``pip install optuna``,
in the ``bench`` extra) is measured in the same process when installed.

    python benchmarks/bench_storage.py [--trials 1000] [--repeats 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from typedspace import Choice, IntUniform, Uniform, optimize
from typedspace.algorithms import RandomSearch
from typedspace.storage import SQLiteStorage

SPACE = {"x": Uniform(0.0, 1.0), "n": IntUniform(1, 5), "kind": Choice("a", "b", "c")}


def objective(value: dict[str, Any]) -> float:
    return float(value["x"]) + float(value["n"])


def run_typedspace(
    trials: int, storage: str | None, synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
) -> float:
    """Seconds for ``trials`` trials; ``storage`` is None (memory) or a fresh file path."""
    store = None if storage is None else SQLiteStorage(storage, synchronous=synchronous)
    start = time.perf_counter()
    optimize(
        objective, SPACE, RandomSearch(), max_evals=trials, seed=0, progress=False, storage=store
    )
    elapsed = time.perf_counter() - start
    if store is not None:
        store.close()
    return elapsed


def run_optuna(trials: int, storage: str | None) -> float:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def opt_objective(trial: Any) -> float:
        value = {
            "x": trial.suggest_float("x", 0.0, 1.0),
            "n": trial.suggest_int("n", 1, 5),
            "kind": trial.suggest_categorical("kind", ["a", "b", "c"]),
        }
        return objective(value)

    url = None if storage is None else f"sqlite:///{storage}"
    start = time.perf_counter()
    study = optuna.create_study(storage=url, sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(opt_objective, n_trials=trials)
    return time.perf_counter() - start


def measure(
    name: str, run: Callable[[int, str | None], float], trials: int, repeats: int, tmp: Path
) -> dict[str, float]:
    memory: list[float] = []
    sqlite: list[float] = []
    for i in range(repeats):  # alternate, so that machine noise hits both alike
        memory.append(run(trials, None))
        sqlite.append(run(trials, str(tmp / f"{name}-{i}.db")))
    mem, sql = statistics.median(memory), statistics.median(sqlite)
    row = {
        "memory_ms_per_trial": 1e3 * mem / trials,
        "sqlite_ms_per_trial": 1e3 * sql / trials,
        "ratio": sql / mem,
    }
    print(
        f"{name:<22} memory {row['memory_ms_per_trial']:7.3f} ms/trial   "
        f"sqlite {row['sqlite_ms_per_trial']:7.3f} ms/trial   ratio {row['ratio']:5.2f}x"
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=None, help="write the figures to this file")
    args = parser.parse_args()
    print(f"{args.trials} trials, median of {args.repeats} runs each")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["typedspace"] = measure(
            "typedspace", run_typedspace, args.trials, args.repeats, Path(tmp)
        )
        results["typedspace (FULL sync)"] = measure(
            "typedspace (FULL sync)",
            lambda n, s: run_typedspace(n, s, "FULL"),
            args.trials,
            args.repeats,
            Path(tmp),
        )
        try:
            import optuna  # noqa: F401
        except ImportError:
            print("optuna is not installed (pip install optuna): its ratio is not measured")
        else:
            results["optuna"] = measure("optuna", run_optuna, args.trials, args.repeats, Path(tmp))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
