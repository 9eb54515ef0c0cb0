"""The fixtures: one in-memory run of the study in ``_study.py`` (its ``result`` and its
``records``) and one run stored in SQLite and read back (``study``; ``data_only`` without
its space); and the learning curves of ``run_curves`` stored in SQLite and read back
(``curves``)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from tests.plots._study import SPACE, objective, run_curves
from typedspace import Result, Study, TrialState, load_study, optimize
from typedspace.algorithms import RandomSearch
from typedspace.storage import TrialRecord


@pytest.fixture(scope="module")
def result() -> Result[dict[str, Any]]:
    result = optimize(objective, SPACE, RandomSearch(), max_evals=60, seed=0)
    assert result.failed, "the fixture must contain failed trials"
    return result


@pytest.fixture(scope="module")
def records(result: Result[dict[str, Any]]) -> list[TrialRecord]:
    return [t.to_record() for t in result.trials]


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study[Any]:
    path = tmp_path_factory.mktemp("stored") / "runs.db"
    optimize(objective, SPACE, RandomSearch(), max_evals=30, seed=0, storage=path, study="s")
    study = load_study(path, "s")  # no space given: its plain leaves are read back as data
    assert study.flat is not None and study.described == study.flat.table
    return study


@pytest.fixture(scope="module")
def data_only(study: Study[Any]) -> Study[Any]:
    """The study as ``load_study`` reads one whose space names code it may not import (a
    record class, a function): records and the parameter table stored as data, no space."""
    return attrs.evolve(study, flat=None)


@pytest.fixture(scope="module")
def curves(tmp_path_factory: pytest.TempPathFactory) -> Study[Any]:
    """Learning curves: completed, pruned at several steps (one before reporting), failed."""
    path = tmp_path_factory.mktemp("curves") / "runs.db"
    run_curves(path)
    study = load_study(path, "curves")
    states = {r.state for r in study.records}
    assert states == {TrialState.OK, TrialState.PRUNED, TrialState.FAILED}, states
    pruned = [r for r in study.records if r.state is TrialState.PRUNED]
    assert len({len(r.intermediate) for r in pruned}) >= 3, "pruned at several steps"
    assert any(not r.intermediate for r in pruned), "one pruned before reporting"
    return study
