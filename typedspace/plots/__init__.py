"""Plots of a study (needs matplotlib: ``pip install 'typedspace[plot]'``).

Every function takes the trials to plot as a ``Result`` of ``optimize``, a ``Study`` read back
with ``load_study``, or a sequence of trials or trial records, and returns the matplotlib
``Figure`` so a notebook shows it; ``write_report`` saves the three standard figures as PNG
files (and the learning curves of ``plot_intermediate`` when trials reported values).  The
parameter table (log scales, option labels) comes from a ``Study`` itself; for a ``Result``
or records pass ``table=flatten(space).table``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import matplotlib
import numpy as np
from matplotlib.collections import LineCollection

from typedspace.backends._table import CategoricalParam, NumericParam, ParamTable
from typedspace.plots._importance import importances
from typedspace.plots._pareto import (
    is_multi_objective,
    objectives_of,
    plot_hypervolume_history,
)
from typedspace.plots._pareto import plot_pareto_front as _plot_pareto_front
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


@attrs.frozen
class _Style:
    """How ``plot_intermediate`` draws the curves of the trials in one state."""

    label: str
    color: str
    linestyle: str


_STYLES = {
    TrialState.OK: _Style("completed", "C0", "solid"),
    TrialState.PRUNED: _Style("pruned", "C7", "solid"),
    TrialState.FAILED: _Style("failed", "C3", "dashed"),
    TrialState.CANCELLED: _Style("cancelled", "C5", "dashed"),
    TrialState.RUNNING: _Style("running", "C2", "dotted"),
}


def _furthest(record: TrialRecord) -> tuple[int | float, float] | None:
    """The (step, value) of the furthest step ``record`` reported (where a pruned trial
    stopped), or None."""
    return max(record.intermediate, key=lambda pair: pair[0], default=None)


def plot_history(trials: Trials) -> Figure:
    """Loss of each trial and the best loss so far; failed trials marked on the axis, pruned
    ones (which have no loss) as triangles at the last value they reported.

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
    pruned = [r for r in records if r.state is TrialState.PRUNED]
    if pruned:
        stops = [(r.number, stop[1]) for r in pruned if (stop := _furthest(r)) is not None]
        ax.scatter(
            [number for number, _ in stops],
            [value for _, value in stops],
            s=14,
            marker="v",
            color=_STYLES[TrialState.PRUNED].color,
            alpha=0.6,
            label=f"pruned ({len(pruned)}): last reported value",
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


def plot_intermediate(trials: Trials, *, log: bool = False) -> Figure:
    """Learning curves: the values each trial reported (``Report.report(step, value)``)
    against their steps, one line per trial that reported any.

    Completed trials are solid blue lines; pruned ones grey, with an ``x`` where each stopped
    (its furthest step); failed and cancelled ones dashed, running ones dotted.  The legend
    counts the trials of each state, the title those that reported out of all.  ``log=True``
    puts the values on a log axis (they must then all be positive).

    >>> from typedspace import Report, Uniform, optimize
    >>> from typedspace.pruners import MedianPruner
    >>> def objective(x: float, trial: Report) -> float:
    ...     for epoch in range(1, 6):
    ...         trial.report(epoch, x + 1 / epoch)
    ...     return x + 0.2
    >>> result = optimize(objective, Uniform(0.0, 1.0), pruner=MedianPruner(), max_evals=20,
    ...                   seed=0, progress=False)
    >>> fig = plot_intermediate(result)
    >>> fig.axes[0].get_title()
    'Learning curves (20 of 20 trials reported)'
    """
    records, _ = _records_and_table(trials, None)
    reported = [r for r in records if r.intermediate]
    if log:
        for r in reported:
            for step, value in r.intermediate:
                if not value > 0:
                    raise ValueError(
                        f"plot_intermediate(log=True) needs positive values: trial {r.number} "
                        f"reported {value!r} at step {step!r}"
                    )
    fig = _figure(7, 4)
    ax = fig.add_subplot()
    for state, style in _STYLES.items():
        group = [r for r in reported if r.state is state]
        if not group:
            continue
        curves = [sorted(r.intermediate, key=lambda pair: pair[0]) for r in group]
        lines = LineCollection(
            [np.asarray(curve, dtype=np.float64) for curve in curves],
            colors=style.color,
            linestyles=style.linestyle,
            linewidths=1.0,
            alpha=0.35 if state is TrialState.PRUNED else 0.7,
            label=f"{style.label} ({len(group)})",
        )
        ax.add_collection(lines)
        if state is TrialState.PRUNED:
            stops = [curve[-1] for curve in curves]
            ax.scatter(
                [step for step, _ in stops],
                [value for _, value in stops],
                marker="x",
                s=18,
                color=style.color,
                label="where pruned",
            )
    ax.autoscale_view()
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("reported value")
    if reported:
        ax.set_title(f"Learning curves ({len(reported)} of {len(records)} trials reported)")
        ax.legend()
    else:
        ax.set_title(f"Learning curves (none of {len(records)} trials reported)")
    return fig


def plot_pareto_front(trials: Trials) -> Figure:
    """The trials of a study with several objectives in objective space: the Pareto front
    (feasible trials no other dominates) highlighted, infeasible trials as grey crosses; 2
    objectives on a plane, 3 (or the first 3 of more) in 3-D.

    >>> from typedspace import Uniform, minimize, optimize
    >>> from typedspace.algorithms import RandomSearch
    >>> result = optimize(lambda x: (x, (1 - x) ** 2), Uniform(0.0, 1.0), RandomSearch(),
    ...                   max_evals=20, seed=0, objectives=minimize() & minimize())
    >>> fig = plot_pareto_front(result)
    """
    records, _ = _records_and_table(trials, None)
    names, directions = objectives_of(trials, records)
    return _plot_pareto_front(records, names, directions)


def plot_hypervolume(trials: Trials, reference: Sequence[float] | None = None) -> Figure:
    """The hypervolume of the feasible Pareto front after each trial, for ``reference`` (a
    point in the objectives' own units; None: just beyond the worst feasible values).

    >>> from typedspace import Uniform, maximize, minimize, optimize
    >>> from typedspace.algorithms import RandomSearch
    >>> result = optimize(lambda x: {"acc": x, "size": x ** 2}, Uniform(0.0, 1.0),
    ...                   RandomSearch(), max_evals=20, seed=0,
    ...                   objectives=maximize("acc") & minimize("size"))
    >>> fig = plot_hypervolume(result, reference=(0.0, 1.0))
    """
    records, _ = _records_and_table(trials, None)
    names, directions = objectives_of(trials, records)
    return plot_hypervolume_history(records, names, directions, reference)


def write_report(
    trials: Trials, output: str | Path, *, table: ParamTable | None = None
) -> list[Path]:
    """Save history, parameter and importance plots of ``trials`` next to ``output``
    (``report.png`` -> ``report-history.png``, ``report-params.png``,
    ``report-importance.png``, and ``report-intermediate.png`` with the learning curves of
    ``plot_intermediate`` when any trial reported intermediate values) and return the paths.
    ``table`` as for ``plot_params``.  A study with several objectives gets
    ``report-pareto.png`` (``plot_pareto_front``) and ``report-hypervolume.png``
    (``plot_hypervolume``) instead of the history, parameter and importance plots."""
    records, table = _records_and_table(trials, table)
    matplotlib.use("Agg")
    out = Path(output)
    stem, suffix = out.with_suffix(""), out.suffix or ".png"
    if is_multi_objective(records):
        # Several objectives: no single loss to plot a history or importances of.
        names, directions = objectives_of(trials, records)
        figures = {
            "pareto": _plot_pareto_front(records, names, directions),
            "hypervolume": plot_hypervolume_history(records, names, directions),
        }
    else:
        figures = {
            "history": plot_history(records),
            "params": plot_params(records, table),
            "importance": plot_importance(records, table),
        }
    if any(r.intermediate for r in records):
        figures["intermediate"] = plot_intermediate(records)
    paths = []
    for kind, fig in figures.items():
        path = Path(f"{stem}-{kind}{suffix}")
        fig.savefig(path, dpi=100)
        paths.append(path)
    return paths
