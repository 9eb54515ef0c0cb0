"""How long the dashboard takes on a study of several objectives (not a test: a measurement).

    .venv/bin/python -m tests.dashboard.bench_pareto 10000 2    # trials, objectives

Writes a study of random trials (ask/tell on a SQLite file; a constraint makes ~10%
infeasible), then times the study's JSON (first full answer, and a poll after one more
trial) and, in headless Chromium, the drawing of the Pareto and history plots (the page's
own ``plotSteps`` figures).  The results are in benchmarks/RESULTS-dashboard.md.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from typedspace import Optimizer, Uniform, maximize, minimize
from typedspace.algorithms import RandomSearch
from typedspace.dashboard._data import StudyFile
from typedspace.storage import SQLiteStorage

from ._browser import chromium, js, wait_for
from .conftest import serving

DRAWN = "const d = document.body.dataset; return d.revision && d.drawnRevision === d.revision"


def main(trials: int, m: int) -> None:
    path = os.path.join(tempfile.mkdtemp(), "pareto-bench.db")
    objectives = minimize("a") & maximize("b")
    if m >= 3:
        objectives = objectives & minimize("c")
    rng = np.random.default_rng(0)
    with SQLiteStorage(path) as storage:
        opt = Optimizer(
            {"x": Uniform(0.0, 1.0), "y": Uniform(0.0, 1.0)},
            RandomSearch(),
            objectives=objectives,
            constraints=lambda v: v[0] - 1.0,
            seed=0,
            storage=storage,
            study="s",
        )

        def one() -> None:
            t = opt.ask()
            x, y = t.value["x"], t.value["y"]
            values = (x + 0.1 * rng.random(), 1 - (1 - x) ** 2 + 0.1 * rng.random(), y * x)
            opt.tell(t, tuple(float(v) for v in values[:m]))

        for _ in range(trials):
            one()
        with StudyFile(path) as studies:
            started = time.perf_counter()
            first = studies.study("s")
            full = time.perf_counter() - started
            one()
            started = time.perf_counter()
            poll = studies.study("s", since=first["revision"], epoch=first["epoch"])
            polled = time.perf_counter() - started
        pareto = poll["pareto"]
        print(
            f"{trials} trials, {m} objectives: first full answer {1000 * full:.0f} ms "
            f"({len(json.dumps(first)) / 1e6:.2f} MB), poll after one new trial "
            f"{1000 * polled:.1f} ms ({len(json.dumps(poll))} bytes); front "
            f"{len(pareto['front'])} trials, {pareto['infeasible']} infeasible"
        )
    driver = chromium(1400, 1400)
    try:
        for server in serving(Path(path), refresh=2.0):
            driver.get(f"{server.url}#study=s")
            wait_for(driver, lambda d: js(d, DRAWN), "its plots", timeout=300)
            steps = json.loads(js(driver, "return document.body.dataset.plotSteps"))
            render = float(js(driver, "return document.body.dataset.renderMs"))
            print(f"page: text and table {render:.0f} ms; plots drawn (ms of script): {steps}")
    finally:
        driver.quit()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
