"""Plots render for studies with conditional and failed trials, from whatever holds the
trials: a ``Result`` of ``optimize``, a ``Study`` read back from SQLite, or trials and records;
log-scaled parameters get log axes and choices their option labels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from tests.plots._study import SPACE
from typedspace import Result, Study, flatten
from typedspace.plots import (
    plot_history,
    plot_importance,
    plot_intermediate,
    plot_params,
    write_report,
)
from typedspace.plots._importance import importances
from typedspace.storage import TrialRecord

matplotlib.use("Agg")

TABLE = flatten(SPACE).table
REPORT = ["report-history.png", "report-params.png", "report-importance.png"]


def _panels(fig: Figure) -> dict[str, Axes]:
    return {ax.get_title().split(" ")[0]: ax for ax in fig.axes}


def _assert_log_axes_and_labels(fig: Figure) -> None:
    axes = _panels(fig)
    assert axes["model.linear"].get_xscale() == "log"  # LogUniform
    assert axes["x"].get_xscale() == "linear"
    assert axes["model"].get_xscale() == "linear"
    assert [t.get_text() for t in axes["model"].get_xticklabels()] == ["'linear'", "'tree'"]


def _assert_report(paths: list[Path]) -> None:
    assert [p.name for p in paths] == REPORT
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 1000


def test_each_plot_renders_to_a_png(records: list[TrialRecord], tmp_path: Path) -> None:
    for name, fig in {
        "history": plot_history(records),
        "params": plot_params(records, TABLE),
        "importance": plot_importance(records, TABLE),
    }.items():
        path = tmp_path / f"{name}.png"
        fig.savefig(path)
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_params_plot_uses_log_axes_and_labels(records: list[TrialRecord]) -> None:
    fig = plot_params(records, TABLE)
    _assert_log_axes_and_labels(fig)
    # inactive trials are left out: the conditional panels count only their own trials
    linear = sum(1 for r in records if "model.linear" in r.assignment and r.loss is not None)
    assert _panels(fig)["model.linear"].get_title() == f"model.linear ({linear} active)"


def test_write_report_of_records(records: list[TrialRecord], tmp_path: Path) -> None:
    _assert_report(write_report(records, tmp_path / "report.png", table=TABLE))


# A Result of optimize (issue: write_report(result) raised AttributeError, plot_history of
# result.trials passed only at run time).


def test_write_report_of_a_result(result: Result[dict[str, Any]], tmp_path: Path) -> None:
    _assert_report(write_report(result, tmp_path / "report.png"))
    _assert_report(write_report(result, tmp_path / "report.png", table=TABLE))


def test_params_of_a_result_use_log_axes_and_labels(result: Result[dict[str, Any]]) -> None:
    # A Result carries its space's table.
    _assert_log_axes_and_labels(plot_params(result))
    _assert_log_axes_and_labels(plot_params(result, TABLE))


def test_records_without_a_table_still_plot_every_parameter(
    records: list[TrialRecord],
) -> None:
    axes = _panels(plot_params(records))
    assert sorted(axes) == sorted(TABLE.names)
    assert axes["model.linear"].get_xscale() == "linear"  # no table: nothing says "log"


def test_a_result_its_trials_and_their_records_plot_the_same(
    result: Result[dict[str, Any]], records: list[TrialRecord]
) -> None:
    def points(fig: Figure) -> list[list[list[float]]]:
        return [np.asarray(c.get_offsets()).tolist() for ax in fig.axes for c in ax.collections]

    expected = points(plot_history(records))
    assert points(plot_history(result)) == expected
    assert points(plot_history(result.trials)) == expected
    expected = points(plot_params(records, result.table))
    assert points(plot_params(result)) == expected
    assert points(plot_params(result.trials, result.table)) == expected
    assert points(plot_params(list(result.trials), TABLE)) == expected


def test_importance_of_a_result_treats_choices_as_categories(
    result: Result[dict[str, Any]], records: list[TrialRecord]
) -> None:
    fig = plot_importance(result, TABLE)
    scores = importances(records, {p.name: p.name == "model" for p in TABLE.params})
    bars = {t.get_text().split(" ")[0]: t for t in fig.axes[0].get_yticklabels()}
    assert set(bars) == set(scores)
    widths = sorted(p.get_width() for p in fig.axes[0].patches if isinstance(p, Rectangle))
    assert widths == pytest.approx(sorted(s.score for s in scores.values()))


# A Study read back from a SQLite file: its own table gives log axes and labels.


def test_a_stored_study_is_plotted_with_labels_and_log_axes(
    study: Study[Any], data_only: Study[Any]
) -> None:
    assert data_only.table == TABLE  # the table stored as data in the file
    _assert_log_axes_and_labels(plot_params(study))
    _assert_log_axes_and_labels(plot_params(data_only))
    _assert_log_axes_and_labels(plot_params(data_only.records, data_only.table))


def test_write_report_of_a_stored_study(
    study: Study[Any], data_only: Study[Any], tmp_path: Path
) -> None:
    _assert_report(write_report(study, tmp_path / "report.png"))
    _assert_report(write_report(data_only, str(tmp_path / "report")))  # suffix: .png


def test_history_and_importance_of_a_stored_study(study: Study[Any]) -> None:
    history = plot_history(study)
    ok = [r for r in study.records if r.loss is not None]
    assert len(np.asarray(history.axes[0].collections[0].get_offsets())) == len(ok)
    fig = plot_importance(study)
    assert len(fig.axes[0].patches) == len(TABLE.names)


def test_a_table_given_overrides_the_studys_own(data_only: Study[Any]) -> None:
    model_only = flatten({"model": SPACE["model"]}).table
    assert sorted(_panels(plot_params(data_only, model_only))) == [
        "model",
        "model.linear",
        "model.tree",
    ]


@pytest.mark.parametrize(
    "wrong",
    ["runs.db", b"runs.db", 3, None, [{"loss": 1.0}], ["runs.db"]],
    ids=["str", "bytes", "int", "None", "dicts", "strs"],
)
def test_anything_else_is_a_type_error_before_any_file_is_written(
    wrong: Any, tmp_path: Path
) -> None:
    for plot in (plot_history, plot_params, plot_importance, plot_intermediate):
        with pytest.raises(TypeError, match="plots take a "):
            plot(wrong)
    with pytest.raises(TypeError, match="plots take a "):
        write_report(wrong, tmp_path / "report.png")
    assert list(tmp_path.iterdir()) == []
