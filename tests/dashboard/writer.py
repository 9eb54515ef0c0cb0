"""A separate process writing a study while the dashboard reads it:
``python tests/dashboard/writer.py DB STUDY MAX_EVALS SLEEP [pareto]``.

With ``pareto`` the study has two objectives (error, minimized; capacity, maximized).

Prints ``<pid> <stop reason> <trials>`` at the end; any error (``database is locked``
included) ends it with a traceback and a non-zero status.
"""

from __future__ import annotations

import math
import os
import sys
import time
from typing import Any

from typedspace import Choice, IntUniform, LogUniform, maximize, minimize, optimize
from typedspace.algorithms import RandomSearch

SPACE = {"lr": LogUniform(1e-4, 1.0), "layers": IntUniform(1, 4), "act": Choice("relu", "gelu")}


def loss(value: dict[str, Any]) -> float:
    """Smallest at lr = 0.01, one layer, relu."""
    return float((math.log10(value["lr"]) + 2) ** 2 + value["layers"] + (value["act"] == "gelu"))


def scores(value: dict[str, Any]) -> dict[str, float]:
    """More layers and a larger lr: more capacity, and a larger error."""
    return {"error": loss(value), "capacity": value["layers"] * (1.0 + value["lr"])}


def main(argv: list[str]) -> None:
    path, study, max_evals, sleep = argv[0], argv[1], int(argv[2]), float(argv[3])
    pareto = argv[4:] == ["pareto"]

    def objective(value: dict[str, Any]) -> Any:
        time.sleep(sleep)
        return scores(value) if pareto else loss(value)

    started = time.perf_counter()
    result = optimize(
        objective,
        SPACE,
        RandomSearch(),
        max_evals=max_evals,
        storage=path,
        study=study,
        objectives=minimize("error") & maximize("capacity") if pareto else None,
        progress=False,
    )
    seconds = time.perf_counter() - started
    print(f"{os.getpid()} {result.stop_reason} {len(result.trials)} {seconds:.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
