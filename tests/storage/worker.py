"""A separate process running ``optimize`` on a SQLite study (for the resume and
several-process tests): ``python tests/storage/worker.py DB STUDY MAX_EVALS SLEEP [BARRIER]``.

With BARRIER (a directory) it writes ``ready-<pid>`` there and waits for ``go`` before
starting, so that several workers start together.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from typedspace import Choice, IntUniform, Uniform, optimize
from typedspace.algorithms import RandomSearch

SPACE = {"x": Uniform(0.0, 1.0), "n": IntUniform(1, 5), "kind": Choice("a", "b")}


def make_objective(sleep: float) -> Any:
    def objective(value: dict[str, Any]) -> float:
        time.sleep(sleep)
        return float(value["x"]) + float(value["n"])

    return objective


def main(argv: list[str]) -> None:
    path, study, max_evals, sleep = argv[0], argv[1], int(argv[2]), float(argv[3])
    if len(argv) > 4:
        barrier = Path(argv[4])
        (barrier / f"ready-{os.getpid()}").touch()
        while not (barrier / "go").exists():
            time.sleep(0.01)
    result = optimize(
        make_objective(sleep),
        SPACE,
        RandomSearch(),
        max_evals=max_evals,
        storage=path,
        study=study,
        progress=False,
    )
    print(f"{os.getpid()} {result.stop_reason} {len(result.trials)}")


if __name__ == "__main__":
    main(sys.argv[1:])
