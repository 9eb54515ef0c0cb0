"""``optimize`` and ``Optimizer`` without ``algo=``: the budget picks the algorithm, the study
record and the progress line say which, and a seed still reproduces the run."""

from __future__ import annotations

from pathlib import Path

import pytest

from typedspace import IntUniform, Optimizer, Uniform, load_study, optimize
from typedspace.algorithms._default import GP_UP_TO
from typedspace.pruners import Hyperband

SPACE = {"x": Uniform(-2.0, 2.0), "n": IntUniform(1, 5)}


def loss(c: dict[str, float]) -> float:
    return (c["x"] - 0.5) ** 2 + abs(c["n"] - 3)


@pytest.mark.parametrize(("budget", "name"), [(12, "GP"), (GP_UP_TO + 1, "TPE")])
def test_the_study_record_names_the_algorithm_the_budget_chose(
    tmp_path: Path, budget: int, name: str
) -> None:
    db = tmp_path / "runs.db"
    optimize(loss, SPACE, max_evals=budget, seed=0, storage=db, progress=False)
    assert load_study(db, "default").info.algorithm.startswith(f"{name}(")


def test_without_a_budget_ask_and_tell_use_tpe() -> None:
    assert type(Optimizer(SPACE).algorithm).__name__ == "TPE"
    assert type(Optimizer(SPACE, max_trials=10).algorithm).__name__ == "GP"


def test_a_pruner_raises_the_budget_the_gaussian_process_gets() -> None:
    # With a pruner max_trials counts started trials, most of them stopped early.
    budget = GP_UP_TO + 1
    assert type(Optimizer(SPACE, max_trials=budget).algorithm).__name__ == "TPE"
    pruned = Optimizer(SPACE, max_trials=budget, pruner=Hyperband(max_steps=9))
    assert type(pruned.algorithm).__name__ == "GP"


def test_the_progress_line_names_the_algorithm(capsys: pytest.CaptureFixture[str]) -> None:
    optimize(loss, SPACE, max_evals=3, seed=0, progress=True)
    assert capsys.readouterr().err.startswith("\rGP [")


def test_a_seed_reproduces_a_run_of_the_default_gaussian_process() -> None:
    runs = [optimize(loss, SPACE, max_evals=15, seed=7, progress=False) for _ in range(2)]
    first, second = ([t.assignment for t in r.trials] for r in runs)
    assert first == second
    # The model never proposes an evaluated assignment again (NEAR in typedspace.algorithms._gp).
    assert len({tuple(sorted(a.items())) for a in first}) == 15
