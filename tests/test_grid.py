"""Quantized leaves reach both ends of their grid despite inexact division."""

from __future__ import annotations

import pytest

from typedspace import LogUniform, Uniform, flatten, sample_many


@pytest.mark.parametrize(
    ("low", "high", "q", "count"),
    [(0.0, 0.6, 0.05, 13), (0.1, 0.7, 0.1, 7), (0.0, 0.3, 0.1, 4), (-0.6, 0.6, 0.2, 7)],
)
def test_every_multiple_inside_the_bounds_is_drawn(
    low: float, high: float, q: float, count: int
) -> None:
    # 0.6 / 0.05 == 11.999999999999998 in floating point: the end value must still be reached.
    values = set(sample_many(Uniform(low, high, q=q), 20_000, seed=0))
    assert len(values) == count
    assert min(values) == low and max(values) == high
    param = flatten(Uniform(low, high, q=q)).table.params[0]
    assert (param.low, param.high) == (low, high)  # type: ignore[union-attr]


def test_log_grid_bounds_are_exact() -> None:
    param = flatten(LogUniform(0.001, 1.0, q=0.001)).table.params[0]
    assert (param.low, param.high) == (0.001, 1.0)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("low", "high", "q", "ends"),
    [(1e-16, 1.0, 0.125, (0.125, 1.0)), (-1.0, 1.0 - 1e-16, 0.5, (-1.0, 0.5))],
)
def test_a_multiple_just_outside_the_bounds_is_left_out(
    low: float, high: float, q: float, ends: tuple[float, float]
) -> None:
    # 1e-16 / 0.125 is within 1e-9 of 0, yet 0.0 < 1e-16: found by Hypothesis.
    values = sample_many(Uniform(low, high, q=q), 2_000, seed=0)
    assert (min(values), max(values)) == ends


def test_bounds_with_no_multiple_between_them_are_rejected() -> None:
    with pytest.raises(ValueError, match="q"):
        Uniform(1e-16, 1e-15, q=0.125)
