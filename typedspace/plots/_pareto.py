"""Plots of a study with several objectives: the Pareto front and the hypervolume history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from typedspace.algorithms._pareto import hypervolume, pareto_mask, reference_point
from typedspace.run._optimize import Result
from typedspace.storage._records import TrialRecord, TrialState
from typedspace.storage._study import Study, objective_directions, objective_names

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def objectives_of(source: Any, records: Sequence[TrialRecord]) -> tuple[list[str], list[str]]:
    """The names and directions of the objectives of ``source`` (a ``Result`` or a ``Study``
    knows them; for bare trials: ``0``, ``1``... all minimized)."""
    count = max((len(r.values) for r in records if r.values is not None), default=0)
    if isinstance(source, Result) and source.objectives is not None:
        return list(source.objectives.names), list(source.objectives.directions)
    if isinstance(source, Study):
        return objective_names(source.info, count), objective_directions(source.info, count)
    return [str(i) for i in range(count)], ["minimize"] * count


def is_multi_objective(records: Sequence[TrialRecord]) -> bool:
    """Whether the trials carry several objective values (and so no single loss)."""
    return any(r.values is not None and len(r.values) > 1 for r in records)


def _split(
    records: Sequence[TrialRecord], signs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Losses of the feasible OK trials, of the infeasible ones, the front mask of the
    feasible ones, and the feasible trials' numbers (all by trial number)."""
    done = sorted(
        (r for r in records if r.state is TrialState.OK and r.values is not None),
        key=lambda r: r.number,
    )
    m = len(signs)
    feasible = [r for r in done if r.constraints is None or all(c <= 0 for c in r.constraints)]
    infeasible = [r for r in done if r not in feasible]
    good = np.array([r.values for r in feasible], dtype=float).reshape(-1, m) * signs
    bad = np.array([r.values for r in infeasible], dtype=float).reshape(-1, m) * signs
    mask = pareto_mask(good) if len(good) else np.zeros(0, dtype=bool)
    return good, bad, mask, [r.number for r in feasible]


def plot_pareto_front(
    records: Sequence[TrialRecord], names: Sequence[str], directions: Sequence[str]
) -> Figure:
    """The trials in objective space (2 objectives: a plane; 3 or more: the first three in
    3-D), the Pareto front highlighted, infeasible trials as grey crosses."""
    from matplotlib.figure import Figure

    m = len(names)
    if m < 2:
        raise ValueError("plot_pareto_front needs a study with at least two objectives")
    signs = np.array([-1.0 if d == "maximize" else 1.0 for d in directions])
    good, bad, mask, _ = _split(records, signs)
    # Back to the objectives' own units for the axes.
    good, bad = good * signs, bad * signs
    fig = Figure(figsize=(7, 5.5), layout="constrained")
    labels = [
        f"{n} ({'max' if d == 'maximize' else 'min'})"
        for n, d in zip(names, directions, strict=True)
    ]
    if m == 2:
        ax: Any = fig.add_subplot()
        ax.scatter(good[~mask, 0], good[~mask, 1], s=14, color="C0", alpha=0.5, label="feasible")
        front = good[mask][np.argsort(good[mask][:, 0] * signs[0])]
        ax.plot(front[:, 0], front[:, 1], color="C3", marker="o", ms=5, lw=1, label="Pareto front")
    else:
        ax = fig.add_subplot(projection="3d")
        ax.scatter(*good[~mask, :3].T, s=10, color="C0", alpha=0.4, label="feasible")
        ax.scatter(*good[mask, :3].T, s=22, color="C3", label="Pareto front")
        ax.set_zlabel(labels[2])
    if len(bad):
        ax.scatter(*bad[:, : min(m, 3)].T, s=16, marker="x", color="0.55", label="infeasible")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    shown = "" if m <= 3 else f" (first 3 of {m} objectives)"
    ax.set_title(f"Pareto front: {int(mask.sum())} of {len(good) + len(bad)} trials{shown}")
    ax.legend(loc="best", fontsize="small")
    return fig


def plot_hypervolume_history(
    records: Sequence[TrialRecord],
    names: Sequence[str],
    directions: Sequence[str],
    reference: Sequence[float] | None = None,
) -> Figure:
    """The hypervolume of the feasible front after each trial, for ``reference`` (in the
    objectives' own units; None: just beyond the worst feasible value of each objective)."""
    from matplotlib.figure import Figure

    signs = np.array([-1.0 if d == "maximize" else 1.0 for d in directions])
    good, _, _, numbers = _split(records, signs)
    fig = Figure(figsize=(7, 4), layout="constrained")
    ax = fig.add_subplot()
    if len(good) == 0:
        ax.set_title("Hypervolume (no feasible completed trial)")
        return fig
    ref = reference_point(good) if reference is None else np.asarray(reference) * signs
    # The front grows one trial at a time: a dominated trial leaves the volume as it was.
    history, front, volume = [], good[:0], 0.0
    for point in good:
        if not np.any(np.all(front <= point, axis=1)):
            front = np.vstack([front[~np.all(point <= front, axis=1)], point])
            volume = hypervolume(front, ref)
        history.append(volume)
    ax.step(numbers, history, where="post", color="C0")
    ax.set_xlabel("trial")
    ax.set_ylabel("hypervolume")
    shown = ", ".join(f"{n}={v:.4g}" for n, v in zip(names, ref * signs, strict=True))
    ax.set_title(f"Hypervolume of the feasible front (reference {shown})")
    return fig
