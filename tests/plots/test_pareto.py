"""Plots of studies with several objectives: the Pareto front (2 and 3 objectives, infeasible
trials marked), the hypervolume history, and the report ``typedspace plot`` writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest

from typedspace import RandomSearch, Uniform, load_study, maximize, minimize, optimize
from typedspace.algorithms import hypervolume
from typedspace.plots import plot_hypervolume, plot_pareto_front, write_report

matplotlib.use("Agg")
SPACE = {"x": Uniform(0.0, 1.0), "y": Uniform(0.0, 1.0)}


def _result(m: int, path: Path | None = None) -> Any:
    def objective(c: dict[str, Any]) -> tuple[float, ...]:
        values = (c["x"], 1.0 - c["x"] * c["y"], c["y"])
        return values[:m]

    objectives = maximize("a") & minimize("b") if m == 2 else minimize() & minimize() & minimize()
    return optimize(
        objective,
        SPACE,
        RandomSearch(),
        max_evals=40,
        seed=0,
        objectives=objectives,
        constraints=lambda out: out[0] - 0.9,  # x <= 0.9
        storage=path,
    )


def test_the_2d_front_shows_each_kind_of_trial_once() -> None:
    result = _result(2)
    fig = plot_pareto_front(result)
    (ax,) = fig.axes
    front = next(line for line in ax.get_lines() if line.get_label() == "Pareto front")
    xs = np.asarray(front.get_xdata(), dtype=float)
    assert sorted(xs.tolist()) == sorted(t.values[0] for t in result.pareto if t.values)
    counts = {c.get_label(): len(np.asarray(c.get_offsets())) for c in ax.collections}
    infeasible = sum(not t.feasible for t in result.trials)
    assert counts == {"feasible": 40 - infeasible - len(result.pareto), "infeasible": infeasible}
    assert ax.get_xlabel() == "a (max)" and ax.get_ylabel() == "b (min)"


def test_three_objectives_are_drawn_in_3d() -> None:
    result = _result(3)
    fig = plot_pareto_front(result)
    (ax,) = fig.axes
    assert ax.name == "3d"
    assert {c.get_label() for c in ax.collections} == {"feasible", "Pareto front", "infeasible"}


def test_the_hypervolume_history_grows_to_the_fronts_hypervolume() -> None:
    result = _result(2)
    fig = plot_hypervolume(result, reference=(0.0, 1.0))
    (line,) = fig.axes[0].get_lines()
    history = np.asarray(line.get_ydata())
    assert np.all(np.diff(history) >= 0)
    assert history[-1] == pytest.approx(result.hypervolume((0.0, 1.0)))
    front = [(-t.values[0], t.values[1]) for t in result.pareto]
    assert history[-1] == pytest.approx(hypervolume(front, (0.0, 1.0)))


def test_the_report_of_a_stored_study_has_the_front_and_the_hypervolume(tmp_path: Path) -> None:
    _result(2, tmp_path / "runs.db")
    study = load_study(tmp_path / "runs.db", "default")
    paths = write_report(study, tmp_path / "report.png")
    assert [p.name for p in paths] == ["report-pareto.png", "report-hypervolume.png"]
    assert all(p.stat().st_size > 1000 for p in paths)
    # The stored objectives name the axes.
    assert plot_pareto_front(study).axes[0].get_xlabel() == "a (max)"
