"""A separate process writing a study while the dashboard reads it:
``python tests/dashboard/writer.py DB STUDY MAX_EVALS SLEEP``.

Prints ``<pid> <stop reason> <trials>`` at the end; any error (``database is locked``
included) ends it with a traceback and a non-zero status.
"""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Any

from typedspace import Choice, IntUniform, LogUniform, optimize
from typedspace.algorithms import RandomSearch

SPACE = {"lr": LogUniform(1e-4, 1.0), "layers": IntUniform(1, 4), "act": Choice("relu", "gelu")}


def loss(value: dict[str, Any]) -> float:
    """Smallest at lr = 0.01, one layer, relu."""
    return float((math.log10(value["lr"]) + 2) ** 2 + value["layers"] + (value["act"] == "gelu"))


def main(argv: list[str]) -> None:
    path, study, max_evals, sleep = argv[0], argv[1], int(argv[2]), float(argv[3])

    def objective(value: dict[str, Any]) -> float:
        time.sleep(sleep)
        return loss(value)

    started = time.perf_counter()
    result = optimize(
        objective,
        SPACE,
        RandomSearch(),
        max_evals=max_evals,
        storage=path,
        study=study,
        progress=False,
    )
    seconds = time.perf_counter() - started
    print(f"{os.getpid()} {result.stop_reason} {len(result.trials)} {seconds:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
