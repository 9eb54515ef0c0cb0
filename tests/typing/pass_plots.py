"""Plots take what holds the trials, typed: a ``Result`` of ``optimize``, a ``Study`` read
back with ``load_study``, or its trials or records; each returns a matplotlib ``Figure``.
Checked by mypy and pyright (strict)."""

from pathlib import Path
from typing import Any, assert_type

from matplotlib.figure import Figure

from typedspace import LogUniform, Result, Study, flatten
from typedspace.plots import (
    plot_history,
    plot_importance,
    plot_intermediate,
    plot_params,
    write_report,
)
from typedspace.storage import TrialRecord


def check_types(
    result: Result[float],
    by_dict: Result[dict[str, Any]],
    study: Study[Any],
    records: list[TrialRecord],
) -> None:
    """Never called: plotting needs trials; the checkers read these lines."""
    table = flatten(LogUniform(1e-4, 1.0)).table
    assert_type(plot_history(result), Figure)
    assert_type(plot_history(result.trials), Figure)  # a tuple of typed trials
    assert_type(plot_history(by_dict), Figure)
    assert_type(plot_history(study), Figure)
    assert_type(plot_history(study.records), Figure)
    assert_type(plot_history(records), Figure)
    assert_type(plot_params(result, table), Figure)
    assert_type(plot_params(study), Figure)
    assert_type(plot_params(records, table=study.table), Figure)
    assert_type(plot_importance(result, table), Figure)
    assert_type(plot_importance(study), Figure)
    assert_type(plot_intermediate(result), Figure)
    assert_type(plot_intermediate(result.pruned), Figure)  # the pruned trials' curves
    assert_type(plot_intermediate(study, log=True), Figure)
    assert_type(plot_intermediate(records), Figure)
    assert_type(write_report(result, "report.png"), list[Path])
    assert_type(write_report(study, Path("report.png")), list[Path])
    assert_type(write_report(records, "report.png", table=table), list[Path])
