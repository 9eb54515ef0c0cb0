"""The fixtures: one in-memory run of the study in ``_study.py`` (its ``result`` and its
``records``) and one run stored in SQLite and read back (``study``; ``data_only`` without
its space)."""

from __future__ import annotations

from typing import Any

import attrs
import pytest

from tests.plots._study import SPACE, objective
from typedspace import Result, Study, load_study, optimize
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
