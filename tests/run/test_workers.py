"""Executors: optimize(executor=...) checks its arguments, and an objective that process
workers cannot receive fails before any trial starts."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing

import pytest

from tests import _objectives as objectives
from typedspace import Uniform, optimize
from typedspace.storage import InMemoryStorage

SPACE = Uniform(0.0, 1.0)


def test_unpicklable_objective_fails_before_any_trial_starts() -> None:
    offset = 0.3
    storage = InMemoryStorage()
    before = multiprocessing.active_children()
    with cf.ProcessPoolExecutor(2) as pool:
        with pytest.raises(TypeError, match=r"cannot be pickled.*module level"):
            optimize(lambda x: x - offset, SPACE, executor=pool, storage=storage)
        assert multiprocessing.active_children() == before  # no worker was even started

    def local(x: float) -> float:
        return x - offset

    with pytest.raises(TypeError, match="local"):
        optimize(local, SPACE, executor="processes", storage=storage)
    assert storage.trials("default") == []


def test_bad_executor_arguments() -> None:
    with pytest.raises(ValueError, match="max_pending"):
        optimize(objectives.square, SPACE, executor="threads", max_pending=0)
    with pytest.raises(ValueError, match="processes"):
        optimize(objectives.square, SPACE, executor="cluster")
    with pytest.raises(TypeError, match="executor must be"):
        optimize(objectives.square, SPACE, executor=object())
