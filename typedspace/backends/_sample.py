"""Sampling backend: draw typed values from a space's prior.

``sample_many`` draws every parameter's ``n`` values with one vectorized numpy call, then
assembles the values with the compiled decoder; the tree is never walked per sample.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, overload

import numpy as np

from typedspace.backends._flatten import flatten
from typedspace.backends._table import ParamTable
from typedspace.nodes import Space
from typedspace.nodes._base import check_int

T = TypeVar("T")


def make_rng(seed: int | None, rng: np.random.Generator | None) -> np.random.Generator:
    """One generator from either a seed or an existing generator (not both)."""
    if seed is not None and rng is not None:
        raise ValueError("pass either seed= or rng=, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng must be a numpy.random.Generator, got {rng!r}")
        return rng
    if seed is not None:
        seed = check_int("sample", "seed", seed, minimum=0)
    return np.random.default_rng(seed)


def draw_rows(table: ParamTable, rng: np.random.Generator, n: int) -> list[tuple[Any, ...]]:
    """``n`` rows of prior draws, one Python value per parameter (inactive ones included)."""
    columns = [p.sample(rng, n).tolist() for p in table.params]
    return list(zip(*columns, strict=True)) if columns else [() for _ in range(n)]


@overload
def sample(
    space: Space[T], *, seed: int | None = None, rng: np.random.Generator | None = None
) -> T: ...
@overload
def sample(
    space: Mapping[str, object], *, seed: int | None = None, rng: np.random.Generator | None = None
) -> dict[str, Any]: ...
@overload
def sample(
    space: list[object], *, seed: int | None = None, rng: np.random.Generator | None = None
) -> list[Any]: ...
def sample(
    space: Space[Any] | Mapping[str, object] | list[object],
    *,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
) -> Any:
    """One value drawn from ``space``; the same ``seed`` gives the same value.

    >>> from typedspace import IntUniform
    >>> sample(IntUniform(1, 4), seed=0) == sample(IntUniform(1, 4), seed=0)
    True
    """
    return sample_many(space, 1, seed=seed, rng=rng)[0]


@overload
def sample_many(
    space: Space[T], n: int, *, seed: int | None = None, rng: np.random.Generator | None = None
) -> list[T]: ...
@overload
def sample_many(
    space: Mapping[str, object],
    n: int,
    *,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
) -> list[dict[str, Any]]: ...
@overload
def sample_many(
    space: list[object], n: int, *, seed: int | None = None, rng: np.random.Generator | None = None
) -> list[list[Any]]: ...
def sample_many(
    space: Space[Any] | Mapping[str, object] | list[object],
    n: int,
    *,
    seed: int | None = None,
    rng: np.random.Generator | None = None,
) -> list[Any]:
    """``n`` independent values drawn from ``space``, vectorized per parameter.

    >>> from typedspace import Uniform
    >>> len(sample_many({"x": Uniform(0.0, 1.0)}, 1000, seed=0))
    1000
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"sample_many: n must be a non-negative int, got {n!r}")
    flat = flatten(space)
    generator = make_rng(seed, rng)
    decoder = flat.decoder
    return [decoder(row) for row in draw_rows(flat.table, generator, n)]
