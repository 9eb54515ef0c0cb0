"""Plots given the wrong thing: every marked line must be a type error (mypy and pyright)."""

from typing import Any

from typedspace import LogUniform, Result, Study, flatten
from typedspace.plots import (
    plot_history,
    plot_importance,
    plot_intermediate,
    plot_params,
    write_report,
)


def check_types(result: Result[float], study: Study[Any]) -> None:
    """Never called: the checkers read these lines, running them would raise."""
    space = LogUniform(1e-4, 1.0)
    table = flatten(space).table
    # A path is not a study: read it with load_study first.
    plot_history("runs.db")  # type: ignore[arg-type]
    write_report("runs.db", "report.png")  # type: ignore[arg-type]
    # A single value or trial is not the trials.
    plot_history(result.best)  # type: ignore[arg-type]
    plot_importance(study.best_trial)  # type: ignore[arg-type]
    # The table is a ParamTable: a space or its flattening is not one.
    plot_params(result, space)  # type: ignore[arg-type]
    plot_params(result, flatten(space))  # type: ignore[arg-type]
    # write_report needs where to write, and takes the table by keyword.
    write_report(result)  # type: ignore[call-arg]
    write_report(result, "report.png", table)  # type: ignore[call-arg]
    # Learning curves take the trials, and log by keyword.
    plot_intermediate(study.best_trial)  # type: ignore[arg-type]
    plot_intermediate(result, True)  # type: ignore[call-arg]
    # A figure, not a path.
    path: str = plot_history(result)  # type: ignore[assignment]
