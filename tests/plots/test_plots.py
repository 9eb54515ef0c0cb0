"""Plots render for studies with conditional and failed trials."""

from __future__ import annotations

from pathlib import Path

import matplotlib

from tests.plots._study import SPACE
from typedspace import flatten
from typedspace.plots import plot_history, plot_importance, plot_params, write_report
from typedspace.storage import TrialRecord

matplotlib.use("Agg")


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


def test_a_stored_study_is_plotted_with_labels_and_log_axes(tmp_path: Path) -> None:
    # The study's table comes from the file (data only): no space is given.
    from tests.plots._study import objective
    from typedspace import load_study, optimize
    from typedspace.algorithms import RandomSearch

    path = tmp_path / "runs.db"
    optimize(objective, SPACE, RandomSearch(), max_evals=20, seed=0, storage=path, study="s")
    study = load_study(path, "s")
    assert study.described == flatten(SPACE).table  # the table stored as data
    fig = plot_params(study.records, study.described)
    axes = {ax.get_title().split(" ")[0]: ax for ax in fig.axes}
    assert axes["model"].get_xscale() == "linear"
    assert [t.get_text() for t in axes["model"].get_xticklabels()] == ["'linear'", "'tree'"]
    assert axes["model.linear"].get_xscale() == "log"
