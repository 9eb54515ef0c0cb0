"""The studies the dashboard tests look at, written by ``optimize`` to real SQLite files, and a
dashboard server serving them from a thread."""

from __future__ import annotations

import math
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver

from typedspace import (
    Choice,
    Cond,
    IntUniform,
    LogUniform,
    Report,
    Uniform,
    maximize,
    minimize,
    optimize,
)
from typedspace.algorithms import RandomSearch
from typedspace.dashboard import make_server
from typedspace.dashboard._server import DashboardServer
from typedspace.pruners import MedianPruner

from ._browser import ARTIFACTS, chromium, console

#: A failed trial's message and a study's name that would run script if shown as markup.
HOSTILE_MESSAGE = "<script>window.__pwned = 1</script><img src=x onerror='window.__pwned=2'>"
HOSTILE_STUDY = "<img src=x onerror='window.__pwned=3'>&amp;study"

SPACE = {
    "lr": LogUniform(1e-4, 1.0),
    "layers": IntUniform(1, 4),
    "act": Choice("relu", "gelu"),
    "opt": Cond(Choice("sgd", "adam"), {"sgd": {"momentum": Uniform(0.0, 1.0)}, "adam": {}}),
}


def loss(c: dict[str, Any]) -> float:
    """Smallest near lr = 0.01 and one layer; trials with 4 layers and gelu fail."""
    if c["layers"] == 4 and c["act"] == "gelu":
        raise ValueError(HOSTILE_MESSAGE)
    return float((math.log10(c["lr"]) + 2) ** 2 + c["layers"] + 0.5 * (c["act"] == "gelu"))


def curve(x: float, trial: Report) -> float:
    """A learning curve that ends at ``x``; the median pruner stops the worse ones."""
    for step in range(1, 6):
        trial.report(step, x + 1.0 / step)
    return x + 0.2


def write_studies(path: Path) -> None:
    optimize(loss, SPACE, RandomSearch(), max_evals=40, seed=3, storage=str(path), study="mlp")
    optimize(
        curve,
        Uniform(0.0, 1.0),
        RandomSearch(),
        max_evals=20,
        seed=4,
        pruner=MedianPruner(),
        storage=str(path),
        study="curves",
    )


@pytest.fixture(scope="session")
def studies_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file holding the study ``mlp`` (conditional space, failed trials) and the study
    ``curves`` (pruned trials with intermediate values).  Read only: tests that write make
    their own."""
    path = tmp_path_factory.mktemp("dashboard") / "runs.db"
    write_studies(path)
    return path


def tradeoff(c: dict[str, float]) -> dict[str, float]:
    """Error against accuracy (which pull apart along x), latency and size (along y); trials
    with x > 0.93 fail."""
    if c["x"] > 0.93:
        raise RuntimeError(HOSTILE_MESSAGE)
    return {
        "error": (c["x"] - 0.2) ** 2 + 0.3 * c["y"],
        "accuracy": c["x"] * (1.0 - 0.5 * c["y"]),
        "latency": 1.0 - c["y"] + 0.1 * c["x"],
        "size": (c["y"] - 0.5) ** 2 + c["x"],
    }


#: The studies of ``pareto_db``: name -> objectives.
PARETO_STUDIES = {
    "two": minimize("error") & maximize("accuracy"),
    "three": minimize("error") & maximize("accuracy") & minimize("latency"),
    "four": minimize("error") & maximize("accuracy") & minimize("latency") & minimize("size"),
}


def write_pareto_studies(path: Path) -> None:
    for i, (name, objectives) in enumerate(PARETO_STUDIES.items()):
        optimize(
            tradeoff,
            {"x": Uniform(0.0, 1.0), "y": Uniform(0.0, 1.0)},
            RandomSearch(),
            objectives=objectives,
            # Infeasible: a high error (many of them have a high accuracy).
            constraints=lambda s: s["error"] - 0.35,
            max_evals=80,
            seed=10 + i,
            storage=str(path),
            study=name,
            progress=False,
        )


@pytest.fixture(scope="session")
def pareto_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file holding studies of two, three and four objectives, with a constraint (some
    trials infeasible) and failed trials.  Read only."""
    path = tmp_path_factory.mktemp("pareto") / "pareto.db"
    write_pareto_studies(path)
    return path


def serving(path: Path, refresh: float = 0.5) -> Iterator[DashboardServer]:
    """A dashboard of ``path`` on a free port, served from a thread until the test ends."""
    server = make_server(path, port=0, refresh=refresh)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture
def dashboard(studies_db: Path) -> Iterator[DashboardServer]:
    yield from serving(studies_db)


@pytest.fixture(scope="session")
def browser() -> Iterator[webdriver.Chrome]:
    """One headless Chromium for the session (starting one takes a second or two)."""
    driver = chromium()
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(browser: webdriver.Chrome, request: pytest.FixtureRequest) -> Iterator[webdriver.Chrome]:
    """The browser for one test, which ends with ``_browser.finish`` (a screenshot, no error
    logged).  A test that fails before has its page saved as ``<test>-failed.png``."""
    console(browser)  # drop what earlier tests left
    for old in (f"{request.node.name}.png", f"{request.node.name}-failed.png"):
        (ARTIFACTS / old).unlink(missing_ok=True)
    yield browser
    if _failed.get(request.node.nodeid):
        ARTIFACTS.mkdir(exist_ok=True)
        shot = str(ARTIFACTS / f"{request.node.name}-failed.png")
        browser.save_screenshot(shot)  # pyright: ignore[reportUnknownMemberType]
    browser.get("about:blank")  # stop the page's polling


#: Test id -> whether its call failed (set by the hook below, read by ``page``).
_failed: dict[str, bool] = {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call":
        _failed[item.nodeid] = report.failed
    return report
