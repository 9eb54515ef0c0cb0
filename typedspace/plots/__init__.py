"""Plots of a study (needs matplotlib: ``pip install 'typedspace[plot]'``).

Every function takes the trials to plot as a ``Result`` of ``optimize``, a ``Study`` read back
with ``load_study``, or a sequence of trials or trial records, and returns the matplotlib
``Figure`` so a notebook shows it; ``write_report`` saves the three standard figures as PNG
files.  The parameter table (log scales, option labels) comes from a ``Study`` itself; for a
``Result`` or records pass ``table=flatten(space).table``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np

from typedspace.backends._table import CategoricalParam, NumericParam, ParamTable
from typedspace.plots._importance import importances
from typedspace.run._optimize import Result
from typedspace.storage._records import Trial, TrialRecord, TrialState
from typedspace.storage._study import Study

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: What the plots read: the ``Result`` of ``optimize``, a ``Study`` from ``load_study``, or a
#: sequence of ``Trial`` (``result.trials``) or ``TrialRecord`` (``study.records``).
Trials = Result[Any] | Study[Any] | Sequence[TrialRecord | Trial[Any]]


def _records_and_table(
    source: Trials, table: ParamTable | None
) -> tuple[list[TrialRecord], ParamTable | None]:
    """The trial records of ``source`` and the parameter table to plot them with: ``table``
    if given, else the study's or the result's own."""
    if isinstance(source, Study):
        return list(source.records), table if table is not None else source.table
    if isinstance(source, Result):
        return [t.to_record() for t in source.trials], table if table is not None else source.table
    if isinstance(source, str | bytes) or not isinstance(source, Sequence):
        raise TypeError(
            "plots take a Result (of optimize), a Study (of load_study) or a sequence of "
            f"trials or trial records, not {type(source).__qualname__}"
        )
    records = []
    for item in source:
        if isinstance(item, Trial):
            records.append(item.to_record())
        elif isinstance(item, TrialRecord):
            records.append(item)
        else:
            raise TypeError(
                "plots take a sequence of Trial or TrialRecord, not one containing "
                f"{type(item).__qualname__}"
            )
    return records, table


def _figure(width: float, height: float) -> Figure:
    from matplotlib.figure import Figure

    # A bare Figure needs no GUI backend, so plotting works on servers and in CI.
    return Figure(figsize=(width, height), layout="constrained")


def _finished(records: Sequence[TrialRecord]) -> list[tuple[TrialRecord, float]]:
    """The OK trials with their losses, by trial number."""
    pairs = [(r, r.loss) for r in records if r.state is TrialState.OK and r.loss is not None]
    return sorted(pairs, key=lambda pair: pair[0].number)


def plot_history(trials: Trials) -> Figure:
    """Loss of each trial and the best loss so far; failed trials marked on the axis.

    >>> from typedspace import Uniform, optimize
    >>> from typedspace.algorithms import RandomSearch
    >>> result = optimize(lambda x: x, Uniform(0.0, 1.0), RandomSearch(), max_evals=5, seed=0)
    >>> fig = plot_history(result)
    """
    records, _ = _records_and_table(trials, None)
    fig = _figure(7, 4)
    ax = fig.add_subplot()
    ok = _finished(records)
    failed = [r for r in records if r.state is TrialState.FAILED]
    numbers = [r.number for r, _ in ok]
    losses = [loss for _, loss in ok]
    ax.scatter(numbers, losses, s=12, alpha=0.6, label="trial loss")
    ax.step(
        numbers,
        np.minimum.accumulate(losses) if losses else [],
        where="post",
        color="C1",
        label="best so far",
    )
    if failed:
        bottom = min(losses, default=0.0)
        ax.scatter(
            [r.number for r in failed],
            [bottom] * len(failed),
            marker="x",
            color="C3",
            label=f"failed ({len(failed)})",
        )
    ax.set_xlabel("trial")
    ax.set_ylabel("loss")
    ax.set_title("Optimization history")
    ax.legend()
    return fig


def _param_names(records: Sequence[TrialRecord], table: ParamTable | None) -> list[str]:
    if table is not None:
        return list(table.names)
    return sorted({n for r in records for n in r.assignment})


def plot_params(trials: Trials, table: ParamTable | None = None) -> Figure:
    """Loss against each parameter (only trials where it is active): log axes for log-scaled
    parameters, option labels for categorical ones.

    The parameter table says which is which: a ``Study``'s own, else ``table`` (for a
    ``Result``: ``flatten(space).table``); without one every axis is linear and a choice
    shows its option numbers.
    """
    records, table = _records_and_table(trials, table)
    names = _param_names(records, table)
    ok = _finished(records)
    cols = min(3, max(1, len(names)))
    rows = max(1, math.ceil(len(names) / cols))
    fig = _figure(4 * cols, 3 * rows)
    for i, name in enumerate(names):
        ax = fig.add_subplot(rows, cols, i + 1)
        active = [(r, loss) for r, loss in ok if name in r.assignment]
        xs = [r.assignment[name] for r, _ in active]
        ys = [loss for _, loss in active]
        param = table[name] if table is not None else None
        if isinstance(param, CategoricalParam):
            ax.scatter(xs, ys, s=10, alpha=0.6)
            ax.set_xticks(range(param.size), [label[:12] for label in param.labels], rotation=30)
        else:
            ax.scatter(xs, ys, s=10, alpha=0.6)
            if isinstance(param, NumericParam) and param.log and xs:
                ax.set_xscale("log")
        ax.set_title(f"{name} ({len(active)} active)", fontsize=9)
        ax.set_ylabel("loss")
    return fig


def plot_importance(trials: Trials, table: ParamTable | None = None) -> Figure:
    """Each parameter's importance: the share of the loss ranks' variance that grouping the
    trials by its value explains beyond chance (0 for a parameter the loss ignores), with the
    number of trials it rests on.  The parameter table (a ``Study``'s own, else ``table``)
    says which parameters are categorical; without one all are binned as numbers."""
    records, table = _records_and_table(trials, table)
    categorical = {p.name: isinstance(p, CategoricalParam) for p in table.params} if table else None
    scores = importances(records, categorical)
    fig = _figure(6, 0.4 * max(3, len(scores)) + 1)
    ax = fig.add_subplot()
    names = list(scores)[::-1]
    ax.barh([f"{n} (n={scores[n].n})" for n in names], [scores[n].score for n in names])
    ax.set_xlim(0, 1)
    ax.set_xlabel("eta^2 of loss ranks, beyond chance")
    ax.set_title("Parameter importance")
    return fig


def write_report(
    trials: Trials, output: str | Path, *, table: ParamTable | None = None
) -> list[Path]:
    """Save history, parameter and importance plots of ``trials`` next to ``output``
    (``report.png`` -> ``report-history.png``, ``report-params.png``,
    ``report-importance.png``) and return the paths.  ``table`` as for ``plot_params``."""
    records, table = _records_and_table(trials, table)
    matplotlib.use("Agg")
    out = Path(output)
    stem, suffix = out.with_suffix(""), out.suffix or ".png"
    figures = {
        "history": plot_history(records),
        "params": plot_params(records, table),
        "importance": plot_importance(records, table),
    }
    paths = []
    for kind, fig in figures.items():
        path = Path(f"{stem}-{kind}{suffix}")
        fig.savefig(path, dpi=100)
        paths.append(path)
    return paths
