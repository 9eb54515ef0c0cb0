"""The study the plot and importance tests look at: a conditional space, an objective that
depends on ``x`` only (plus a little ``noise``) and fails for large ``x``."""

from __future__ import annotations

from typing import Any

from typedspace import Choice, Cond, IntUniform, LogUniform, Uniform

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
