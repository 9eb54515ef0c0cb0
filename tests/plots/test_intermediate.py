"""Learning curves (``plot_intermediate``) and pruned trials in the other plots, drawn from a
study stored in SQLite by ``optimize`` with a ``MedianPruner`` and a reporting objective."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import pytest
from matplotlib.backend_bases import FigureCanvasBase
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure

from tests.plots._study import EPOCHS, run_curves
from typedspace import Result, Study, TrialState, load_study
from typedspace.plots import (
    plot_history,
    plot_importance,
    plot_intermediate,
    plot_params,
    write_report,
)
from typedspace.storage import TrialRecord

matplotlib.use("Agg")

REPORT = ["report-history.png", "report-params.png", "report-importance.png"]


def _lines(fig: Figure) -> dict[str, LineCollection]:
    """The curves of each state, by the first word of their legend label."""
    ax = fig.axes[0]
    return {
        str(c.get_label()).split(" ")[0]: c for c in ax.collections if isinstance(c, LineCollection)
    }


def _stops(fig: Figure) -> list[tuple[float, float]]:
    """Where the ``x`` markers of the pruned trials are."""
    (marks,) = [c for c in fig.axes[0].collections if c.get_label() == "where pruned"]
    return sorted(map(tuple, np.asarray(marks.get_offsets()).tolist()))


def _curves(fig: Figure) -> dict[str, Any]:
    """Every line's points, by state, and the pruned trials' stops."""
    return {
        label: [np.asarray(s).tolist() for s in lines.get_segments()]
        for label, lines in _lines(fig).items()
    } | {"stops": _stops(fig)}


def _dashes(lines: LineCollection) -> Any:
    """The dash pattern of ``lines`` (None: solid)."""
    styles: Any = lines.get_linestyle()
    return styles[0][1]


def _of(records: tuple[TrialRecord, ...], state: TrialState) -> list[TrialRecord]:
    return [r for r in records if r.state is state and r.intermediate]


def _furthest(record: TrialRecord) -> tuple[float, float]:
    step, value = max(record.intermediate, key=lambda pair: pair[0])
    return float(step), value


def test_one_line_per_trial_that_reported_styled_by_state(curves: Study[Any]) -> None:
    fig = plot_intermediate(curves)
    ok = _of(curves.records, TrialState.OK)
    pruned = _of(curves.records, TrialState.PRUNED)
    failed = _of(curves.records, TrialState.FAILED)
    lines = _lines(fig)
    assert {k: v.get_label() for k, v in lines.items()} == {
        "completed": f"completed ({len(ok)})",
        "pruned": f"pruned ({len(pruned)})",
        "failed": f"failed ({len(failed)})",
    }
    reported = len(ok) + len(pruned) + len(failed)
    assert reported == len(curves.records) - 1  # the trial that gave up reported nothing
    assert fig.axes[0].get_title() == (
        f"Learning curves ({reported} of {len(curves.records)} trials reported)"
    )
    legend = fig.axes[0].get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        f"completed ({len(ok)})",
        f"pruned ({len(pruned)})",
        "where pruned",
        f"failed ({len(failed)})",
    ]
    # Each line is the trial's reported values against their steps.
    for state, group in {"completed": ok, "pruned": pruned, "failed": failed}.items():
        segments = [np.asarray(s).tolist() for s in lines[state].get_segments()]
        assert segments == [[[float(s), v] for s, v in r.intermediate] for r in group]
    assert all(len(r.intermediate) == EPOCHS for r in ok)
    # Completed and pruned solid, failed dashed.
    assert _dashes(lines["completed"]) is None and _dashes(lines["pruned"]) is None
    assert _dashes(lines["failed"]) is not None


def test_pruned_trials_are_marked_where_they_stopped(curves: Study[Any]) -> None:
    pruned = _of(curves.records, TrialState.PRUNED)
    stops = _stops(plot_intermediate(curves))
    assert stops == sorted(_furthest(r) for r in pruned)
    assert len({step for step, _ in stops}) >= 3  # stopped at several epochs
    assert all(step < EPOCHS for step, _ in stops)
    marks = [
        c for c in plot_intermediate(curves).axes[0].collections if isinstance(c, PathCollection)
    ]
    assert len(marks) == 1  # the x markers; the curves are LineCollections


def test_a_result_its_trials_and_records_plot_the_same(tmp_path: Path) -> None:
    result = run_curves(max_evals=25)
    assert result.pruned
    expected = _curves(plot_intermediate(result))
    assert _curves(plot_intermediate(result.trials)) == expected
    assert _curves(plot_intermediate([t.to_record() for t in result.trials])) == expected
    # And the same run stored and read back.
    run_curves(tmp_path / "runs.db", max_evals=25)
    assert _curves(plot_intermediate(load_study(tmp_path / "runs.db", "curves"))) == expected


def test_log_axis_needs_positive_values(curves: Study[Any]) -> None:
    assert plot_intermediate(curves).axes[0].get_yscale() == "linear"
    # The failed trials reported 0.0: not on a log axis.
    with pytest.raises(ValueError, match=r"log=True.*trial \d+ reported 0.0 at step 1"):
        plot_intermediate(curves, log=True)
    positive = [r for r in curves.records if r.state is not TrialState.FAILED]
    fig = plot_intermediate(positive, log=True)
    assert fig.axes[0].get_yscale() == "log"
    assert _lines(fig).keys() == {"completed", "pruned"}


def test_trials_without_reports_give_an_empty_figure(result: Result[dict[str, Any]]) -> None:
    fig = plot_intermediate(result)
    ax = fig.axes[0]
    assert ax.get_title() == f"Learning curves (none of {len(result.trials)} trials reported)"
    assert len(ax.collections) == 0 and ax.get_legend() is None
    assert (
        plot_intermediate([]).axes[0].get_title() == "Learning curves (none of 0 trials reported)"
    )


def test_figures_are_drawn_without_pyplot(curves: Study[Any], tmp_path: Path) -> None:
    fig = plot_intermediate(curves)
    assert type(fig.canvas) is FigureCanvasBase  # no GUI backend, no pyplot figure manager
    fig.savefig(tmp_path / "curves.png")
    assert (tmp_path / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_history_shows_pruned_trials_at_their_last_value(curves: Study[Any]) -> None:
    fig = plot_history(curves)
    ax = fig.axes[0]
    pruned = [r for r in curves.records if r.state is TrialState.PRUNED]
    reported = [r for r in pruned if r.intermediate]
    (marks,) = [c for c in ax.collections if str(c.get_label()).startswith("pruned")]
    assert marks.get_label() == f"pruned ({len(pruned)}): last reported value"
    assert np.asarray(marks.get_offsets()).tolist() == [
        [r.number, _furthest(r)[1]] for r in reported
    ]
    # The trial losses and the best so far are the completed trials' only.
    ok = [r for r in curves.records if r.state is TrialState.OK]
    (losses,) = [c for c in ax.collections if c.get_label() == "trial loss"]
    assert len(np.asarray(losses.get_offsets())) == len(ok)
    (best,) = [line for line in ax.lines if line.get_label() == "best so far"]
    lowest = np.asarray(best.get_ydata(), dtype=np.float64).min()
    assert lowest == min(r.loss for r in ok if r.loss is not None)


def test_params_and_importance_leave_pruned_trials_out(curves: Study[Any]) -> None:
    ok = [r for r in curves.records if r.state is TrialState.OK]
    for ax in plot_params(curves).axes:
        assert ax.get_title().endswith(f"({len(ok)} active)")
        assert len(np.asarray(ax.collections[0].get_offsets())) == len(ok)
    bars = plot_importance(curves).axes[0].get_yticklabels()
    assert sorted(t.get_text() for t in bars) == [f"level (n={len(ok)})", f"speed (n={len(ok)})"]


def test_write_report_adds_the_learning_curves_when_trials_reported(
    curves: Study[Any], study: Study[Any], tmp_path: Path
) -> None:
    paths = write_report(curves, tmp_path / "report.png")
    assert [p.name for p in paths] == [*REPORT, "report-intermediate.png"]
    for path in paths:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # Without reports, the three figures as before (and test_plots checks exactly those).
    assert [p.name for p in write_report(study.records, tmp_path / "plain.png")] == [
        name.replace("report", "plain") for name in REPORT
    ]
