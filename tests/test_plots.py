"""Plots render for studies with conditional and failed trials; importance ranks sensibly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest

from typedspace import Choice, Cond, IntUniform, LogUniform, Uniform, flatten, optimize
from typedspace.algorithms import RandomSearch
from typedspace.plots import plot_history, plot_importance, plot_params, write_report
from typedspace.plots._importance import eta_squared, importances
from typedspace.storage import TrialRecord

matplotlib.use("Agg")

SPACE = {
    "model": Cond(
        Choice("linear", "tree"), {"linear": LogUniform(1e-4, 1.0), "tree": IntUniform(1, 10)}
    ),
    "x": Uniform(-1.0, 1.0),
    "noise": Uniform(0.0, 1.0),
}


def objective(c: dict[str, Any]) -> float:
    if c["x"] > 0.8:
        raise ValueError("x too large")  # some failed trials
    return float(c["x"] ** 2 + 0.01 * c["noise"])


@pytest.fixture(scope="module")
def records() -> list[TrialRecord]:
    result = optimize(objective, SPACE, RandomSearch(), max_evals=60, seed=0)
    assert result.failed, "the fixture must contain failed trials"
    return [t.to_record() for t in result.trials]


class _Study:
    def __init__(self, records: list[TrialRecord]) -> None:
        self.records = records
        self.table = flatten(SPACE).table


def test_each_plot_renders_to_a_png(records: list[TrialRecord], tmp_path: Path) -> None:
    table = flatten(SPACE).table
    for name, fig in {
        "history": plot_history(records),
        "params": plot_params(records, table),
        "importance": plot_importance(records, table),
    }.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_params_plot_uses_log_axes_and_labels(records: list[TrialRecord]) -> None:
    fig = plot_params(records, flatten(SPACE).table)
    axes = {ax.get_title().split(" ")[0]: ax for ax in fig.axes}
    assert axes["model.linear"].get_xscale() == "log"
    assert axes["x"].get_xscale() == "linear"
    assert [t.get_text() for t in axes["model"].get_xticklabels()] == ["'linear'", "'tree'"]
    # inactive trials are left out: the conditional panels count only their own trials
    linear = sum(1 for r in records if "model.linear" in r.assignment and r.loss is not None)
    assert axes["model.linear"].get_title() == f"model.linear ({linear} active)"


def test_write_report(records: list[TrialRecord], tmp_path: Path) -> None:
    paths = write_report(_Study(records), tmp_path / "report.png")
    assert [p.name for p in paths] == [
        "report-history.png",
        "report-params.png",
        "report-importance.png",
    ]
    assert all(p.stat().st_size > 1000 for p in paths)


def test_importance_finds_the_parameter_that_matters(records: list[TrialRecord]) -> None:
    scores = importances(records, {"model": True})
    assert next(iter(scores)) == "x"
    assert scores["x"] > 0.5 > scores["noise"]


def test_eta_squared_bounds() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(size=400)
    assert eta_squared(list(x), list(x), categorical=False) > 0.95
    # independent noise: eta^2 is about (groups - 1) / n; 8 bins, 400 trials -> ~0.02
    assert eta_squared(list(x), list(rng.uniform(size=400)), categorical=False) < 0.08
