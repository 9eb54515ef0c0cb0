"""Hostile arguments for every public leaf constructor and for ``optimize`` (issue 12: no
input gives a wrong answer).

Each example either fails when it is built (or called) with a ``ValueError``/``TypeError``
whose message names the node and the argument, or it is a space whose values all lie in its
declared support: those drawn by ``sample_many`` and those proposed by ``RandomSearch`` and
``TPE`` in a short ``optimize`` (``fits``, ``tests/backends/_oracle.py``: finite, in bounds,
on the grid, the declared Python type).
"""

from __future__ import annotations

import math
import os
import re
import sys
import zlib
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.backends._oracle import fits
from typedspace import (
    Choice,
    Const,
    IntLogUniform,
    IntUniform,
    LogNormal,
    LogUniform,
    Normal,
    Space,
    TrialState,
    Uniform,
    flatten,
    optimize,
    sample_many,
)
from typedspace.algorithms import TPE, RandomSearch

# TPE's kernels on extreme but valid scales (sigma 1e-300, bounds near 1e300) overflow in
# its density arithmetic: its scores become NaN and it picks a candidate blindly, but the
# candidate is still a value of the space, which is what these tests check.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning:typedspace.algorithms._parzen")

FUZZ = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", 40)), deadline=None)

# --- Hostile values ---

FLOAT_EDGES = [
    0.0,
    5e-324,
    1e-310,
    sys.float_info.min,
    1e-300,
    7.9e-298,
    1e-16,
    0.1,
    0.5,
    1.0,
    3.0,
    2.0**53,
    1e16,
    1e300,
    1e308,
    sys.float_info.max,
    708.0,
    710.0,
    745.0,
    math.inf,
    math.nan,
]
INT_EDGES = [0, 1, 2, 2**53 - 1, 2**53, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 2**1100, 10**400]
JUNK: list[object] = [
    True,
    False,
    np.bool_(True),
    None,
    "1",
    b"1",
    [1.0],
    (1, 2),
    {"a": 1},
    1j,
    Fraction(1, 2),
]


def _signed(edges: list[Any]) -> st.SearchStrategy[Any]:
    return st.sampled_from(edges).flatmap(lambda v: st.sampled_from([v, -v]))


def _float32(x: float) -> np.float32:
    with np.errstate(over="ignore"):
        return np.float32(x)


floats = st.floats() | _signed(FLOAT_EDGES)
ints = st.integers() | _signed(INT_EDGES)
numpy_numbers = st.one_of(
    floats.map(np.float64),
    floats.map(_float32),
    st.integers(-(2**63), 2**63 - 1).map(np.int64),
    st.integers(0, 255).map(np.uint8),
)
numbers = st.one_of(floats, ints, numpy_numbers)
hostile = numbers | st.sampled_from(JUNK)
quanta = st.none() | hostile | st.floats(1e-320, 1e3)


@st.composite
def _bounds(draw: st.DrawFn, values: st.SearchStrategy[Any], steps: st.SearchStrategy[Any]) -> Any:
    """Two bounds: unrelated, or the second a step above the first (which gets past the
    order check to the limits behind it)."""
    low = draw(values)
    if draw(st.booleans()):
        return low, draw(values)
    step = draw(steps)
    try:
        with np.errstate(all="ignore"):
            return low, low + step
    except Exception:  # junk plus a step
        return low, draw(values)


float_bounds = _bounds(hostile, st.floats(min_value=0.0, exclude_min=True) | _signed(FLOAT_EDGES))
int_bounds = _bounds(
    ints | numpy_numbers | st.sampled_from(JUNK), st.integers(1, 2**60) | _signed(INT_EDGES)
)


# --- The checks ---


def _built(kind: str, build: Callable[[], Space[Any]], fields: str) -> Space[Any] | None:
    """The space ``build`` makes, or None when it refuses with an error naming the leaf
    (``name="x"``) and one of ``fields`` (a regex alternation)."""
    try:
        return build()
    except (TypeError, ValueError) as error:
        message = str(error)
        assert message.startswith(f"{kind} 'x': "), message
        assert re.search(rf"\b({fields})\b", message), message
        return None


def _loss(value: object) -> float:
    return zlib.crc32(repr(value).encode()) / 2**32


def _in_support(space: Space[Any], value: object) -> bool:
    if isinstance(space, Const) and value is space.value:  # NaN too is returned as it is
        return True
    return fits(space, value)


def _check_values(space: Space[Any]) -> None:
    for seed in (0, 1):
        for value in sample_many(space, 20, seed=seed):
            assert _in_support(space, value), (space, value)
    if not flatten(space).table.params:  # a constant: nothing to search
        with pytest.raises(ValueError, match="no parameter to search"):
            optimize(_loss, space, max_evals=7)
        return
    for algo in (RandomSearch(), TPE(n_startup=3)):
        result = optimize(_loss, space, algo, max_evals=7, seed=0, progress=False)
        for trial in result.trials:
            assert trial.state is TrialState.OK, trial.error
            assert _in_support(space, trial.value), (space, algo, trial.value)


# --- Leaves ---


@FUZZ
@given(float_bounds, quanta, st.sampled_from([Uniform, LogUniform]))
def test_bounded_float_leaves(
    bounds: tuple[Any, Any], q: Any, kind: type[Uniform] | type[LogUniform]
) -> None:
    low, high = bounds
    space = _built(kind.__name__, lambda: kind(low, high, q=q, name="x"), "low|high|q")
    if space is not None:
        _check_values(space)


@FUZZ
@given(hostile, hostile | st.floats(1e-320, 1e3), quanta, st.sampled_from([Normal, LogNormal]))
def test_normal_leaves(mu: Any, sigma: Any, q: Any, kind: type[Normal] | type[LogNormal]) -> None:
    space = _built(kind.__name__, lambda: kind(mu, sigma, q=q, name="x"), "mu|sigma|q")
    if space is not None:
        _check_values(space)


@FUZZ
@given(int_bounds, st.sampled_from([IntUniform, IntLogUniform]))
def test_int_leaves(bounds: tuple[Any, Any], kind: type[IntUniform] | type[IntLogUniform]) -> None:
    low, high = bounds
    space = _built(kind.__name__, lambda: kind(low, high, name="x"), "low|high")
    if space is not None:
        _check_values(space)


@FUZZ
@given(
    st.lists(hostile, min_size=1, max_size=4),
    st.none() | hostile | st.lists(numbers | st.sampled_from(JUNK), max_size=5),
)
def test_choices(options: list[Any], weights: Any) -> None:
    space = _built(
        "Choice", lambda: Choice(*options, weights=weights, name="x"), "options?|weights"
    )
    if space is not None:
        _check_values(space)


@FUZZ
@given(hostile)
def test_constants(value: Any) -> None:
    _check_values(Const(value))


# --- optimize's scalar arguments ---

# max_evals is always given (its default runs 100 trials); accepted values stay small.
# (numpy integers included: unbounded ones would run millions of trials, not a hang.)
MAX_EVALS = st.one_of(
    st.integers(max_value=5),
    st.integers(-3, 5).map(np.int64),
    st.integers(0, 5).map(np.uint8),
    floats,
    floats.map(np.float64),
    floats.map(_float32),
    # True, "1" ...; None is valid (100 trials, or until the timeout: see tests/run).
    st.sampled_from([junk for junk in JUNK if junk is not None]),
)
RUN_ARGUMENTS: dict[str, st.SearchStrategy[Any]] = {
    "timeout": hostile | st.floats(1e-9, 1e3),
    "seed": hostile | st.integers(0, 2**70),
    "loss_threshold": hostile,
    "study": hostile | st.text(max_size=4),
    "max_pending": hostile | st.integers(1, 3),
    "executor": st.sampled_from(["threads", None]),
}


@FUZZ
@given(st.fixed_dictionaries({"max_evals": MAX_EVALS}, optional=RUN_ARGUMENTS))
def test_optimize_arguments(arguments: dict[str, Any]) -> None:
    calls: list[object] = []

    def objective(value: float) -> float:
        calls.append(value)
        return value

    space = Uniform(0.0, 1.0)
    try:
        result = optimize(objective, space, RandomSearch(), progress=False, **arguments)
    except (TypeError, ValueError) as error:
        named = "|".join(name for name in arguments if name != "executor")
        assert re.search(rf"\b({named})\b", str(error)), (arguments, error)
        assert calls == []
        return
    assert len(result.trials) <= arguments["max_evals"]
    if arguments.get("timeout") is None and arguments.get("loss_threshold") is None:
        assert len(result.trials) == arguments["max_evals"]
        assert result.stop_reason == "max_evals"
    for trial in result.trials:
        assert trial.state is TrialState.OK and fits(space, trial.value)


@pytest.mark.parametrize("kind", [Uniform, LogUniform, Normal, LogNormal])
def test_the_float_hostiles_reach_every_check(kind: Any) -> None:
    """The strategies are not too hostile: accepted spaces are among the examples."""
    assert _built(kind.__name__, lambda: kind(np.float32(1.0), 2, q=0.5, name="x"), "q") is not None
