"""Several objectives and constraints end to end: how the objective's output is read against
``objectives=`` (records, mappings, tuples, ``Outcome``), the clear errors for a mismatch,
constraints, ``Result.pareto`` and ``Result.hypervolume``, ask/tell, SQLite storage and
resuming, executors, and several processes on one study."""

from __future__ import annotations

import concurrent.futures as cf
import math
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pytest

from typedspace import (
    TPE,
    InvalidReturnType,
    Optimizer,
    Outcome,
    RandomSearch,
    Report,
    TrialState,
    Uniform,
    maximize,
    minimize,
    optimize,
    record,
)
from typedspace.algorithms import GP, hypervolume
from typedspace.errors import NoSuccessfulTrial, StudyMismatch
from typedspace.pruners import MedianPruner
from typedspace.storage import SQLiteStorage

SPACE = {"x": Uniform(0.0, 1.0), "y": Uniform(0.0, 1.0)}


@record
class Scores:
    error: float
    latency_ms: float


def scores(c: dict[str, Any]) -> Scores:
    """Two conflicting objectives: error falls with x, latency grows with it."""
    return Scores(error=(1.0 - c["x"]) ** 2 + c["y"], latency_ms=10.0 * c["x"] + c["y"])


def as_tuple(c: dict[str, Any]) -> tuple[float, float]:
    s = scores(c)
    return (s.error, s.latency_ms)


def _brute_front(points: Sequence[tuple[float, ...]]) -> set[int]:
    def dominated(i: int) -> bool:
        return any(
            all(a <= b for a, b in zip(p, points[i], strict=True)) and p != points[i]
            for p in points
        )

    return {i for i in range(len(points)) if not dominated(i)}


def test_a_record_is_read_by_field_and_the_front_is_the_non_dominated_trials() -> None:
    result = optimize(
        scores,
        SPACE,
        RandomSearch(),
        max_evals=40,
        seed=0,
        objectives=minimize("error") & minimize("latency_ms"),
    )
    assert all(t.values is not None and t.loss is None for t in result.trials)
    points = [t.values for t in result.trials if t.values is not None]
    front = {t.number for t in result.pareto}
    assert front == _brute_front(points)
    assert [t.number for t in result.pareto] == sorted(front)
    assert repr(result).endswith(f"stop_reason='max_evals', {len(front)} on the Pareto front)")


def test_maximized_objectives_change_sign_for_dominance_and_hypervolume() -> None:
    def objective(c: dict[str, Any]) -> dict[str, float]:
        return {"accuracy": c["x"], "size": c["x"] ** 2 + c["y"]}

    result = optimize(
        objective,
        SPACE,
        RandomSearch(),
        max_evals=30,
        seed=1,
        objectives=maximize("accuracy") & minimize("size"),
    )
    losses = [(-t.values[0], t.values[1]) for t in result.trials if t.values is not None]
    assert {t.number for t in result.pareto} == _brute_front(losses)
    # The reference is given in the objectives' units: accuracy 0 (a floor), size 2.
    front = [(-t.values[0], t.values[1]) for t in result.pareto if t.values is not None]
    assert result.hypervolume((0.0, 2.0)) == pytest.approx(hypervolume(front, (0.0, 2.0)))
    assert result.hypervolume((0.0, 2.0)) > 0


def test_a_tuple_is_read_by_position_and_a_named_tuple_by_field() -> None:
    class Pair(NamedTuple):
        latency_ms: float
        error: float

    def named(c: dict[str, Any]) -> Pair:
        s = scores(c)
        return Pair(s.latency_ms, s.error)

    objectives = minimize("error") & minimize("latency_ms")
    by_position = optimize(
        as_tuple, SPACE, RandomSearch(), max_evals=10, seed=2, objectives=objectives
    )
    by_field = optimize(named, SPACE, RandomSearch(), max_evals=10, seed=2, objectives=objectives)
    assert [t.values for t in by_position.trials] == [t.values for t in by_field.trials]
    unnamed = optimize(
        as_tuple, SPACE, RandomSearch(), max_evals=3, objectives=minimize() & minimize()
    )
    assert unnamed.objectives is not None and unnamed.objectives.names == ("0", "1")


@pytest.mark.parametrize(
    ("objective", "message"),
    [
        (lambda c: Scores(0.1, 2.0), "without a field 'accuracy'"),
        (lambda c: {"error": 0.1}, "mapping without the objective 'accuracy'"),
        (lambda c: (0.1, 2.0, 3.0), "returned 3 values"),
        (lambda c: 0.1, "one number"),
        (lambda c: {"error": 0.1, "accuracy": "high"}, "'accuracy' is 'high'"),
        (lambda c: Outcome(0.1), r"Outcome\(loss=0.1\)"),
        (lambda c: None, "is a `return` missing"),
    ],
)
def test_a_mismatch_stops_the_run_at_the_first_trial_naming_the_field(
    objective: Any, message: str
) -> None:
    with pytest.raises(InvalidReturnType, match=message):
        optimize(
            objective,
            SPACE,
            RandomSearch(),
            max_evals=5,
            objectives=minimize("error") & maximize("accuracy"),
        )


def test_several_values_without_declared_objectives_are_refused() -> None:
    with pytest.raises(InvalidReturnType, match="no objectives are declared"):
        optimize(lambda c: Outcome(values=(1.0, 2.0)), SPACE, max_evals=2)


def test_a_non_finite_value_fails_the_trial_and_the_run_goes_on() -> None:
    def objective(c: dict[str, Any]) -> tuple[float, float]:
        return (math.nan if c["x"] < 0.5 else c["x"], c["y"])

    result = optimize(
        objective, SPACE, RandomSearch(), max_evals=20, seed=3, objectives=minimize() & minimize()
    )
    failed = [t for t in result.trials if t.state is TrialState.FAILED]
    assert failed and all("not finite" in str(t.error) for t in failed)
    assert all(t.state is TrialState.FAILED for t in result.trials if t.value["x"] < 0.5)


def test_objectives_are_declared_once_and_checked() -> None:
    with pytest.raises(ValueError, match="'error' is declared twice"):
        minimize("error") & maximize("error")
    with pytest.raises(TypeError, match="minimize/maximize"):
        optimize(scores, SPACE, max_evals=1, objectives=["error"])  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="constraints must be"):
        optimize(scores, SPACE, max_evals=1, objectives=minimize("error"), constraints=3)  # type: ignore[call-overload]


def test_constraints_are_kept_and_infeasible_trials_are_evidence_not_front() -> None:
    result = optimize(
        scores,
        SPACE,
        RandomSearch(),
        max_evals=60,
        seed=4,
        objectives=minimize("error") & minimize("latency_ms"),
        constraints=lambda s: [s.latency_ms <= 5.0, s.error - 0.8],
    )
    for t in result.trials:
        assert t.values is not None and t.constraints is not None and len(t.constraints) == 2
        latency_ok = t.values[1] <= 5.0
        assert t.constraints[0] == (0.0 if latency_ok else 1.0)
        assert t.constraints[1] == pytest.approx(t.values[0] - 0.8)
        assert t.feasible == (latency_ok and t.values[0] <= 0.8)
    infeasible = [t for t in result.trials if not t.feasible]
    assert infeasible and all(t.state is TrialState.OK for t in infeasible)
    assert result.pareto and all(t.feasible for t in result.pareto)
    feasible = [t for t in result.trials if t.feasible]
    front = _brute_front([t.values for t in feasible if t.values is not None])
    assert {t.number for t in result.pareto} == {feasible[i].number for i in front}


def test_a_single_loss_with_constraints_has_a_feasible_best() -> None:
    result = optimize(
        lambda c: c["x"],
        SPACE,
        RandomSearch(),
        max_evals=30,
        seed=5,
        constraints=lambda x: 0.3 - x,  # feasible when x >= 0.3
    )
    assert any(not t.feasible for t in result.trials)
    assert result.best_loss == min(
        t.loss for t in result.trials if t.feasible and t.loss is not None
    )
    assert result.best_loss >= 0.3
    assert result.pareto == [result.best_trial]


def test_constraints_returned_by_the_objective() -> None:
    def objective(c: dict[str, Any]) -> Outcome:
        return Outcome(values=as_tuple(c), constraints=[c["y"] - 0.5], extra={"note": 1})

    result = optimize(
        objective,
        SPACE,
        RandomSearch(),
        max_evals=10,
        seed=6,
        objectives=minimize() & minimize(),
        constraints=True,
    )
    assert all(
        t.constraints == (t.value["y"] - 0.5,) and t.extra == {"note": 1} for t in result.trials
    )
    with pytest.raises(InvalidReturnType, match="declares no constraints"):
        optimize(objective, SPACE, max_evals=2, objectives=minimize() & minimize())
    with pytest.raises(InvalidReturnType, match="returned no Outcome"):
        optimize(as_tuple, SPACE, max_evals=2, objectives=minimize() & minimize(), constraints=True)


def test_no_single_best_with_several_objectives() -> None:
    result = optimize(as_tuple, SPACE, max_evals=3, objectives=minimize() & minimize())
    with pytest.raises(NoSuccessfulTrial, match="Pareto front"):
        _ = result.best


def test_one_declared_objective_is_a_loss() -> None:
    result = optimize(
        lambda c: {"accuracy": c["x"]},
        SPACE,
        RandomSearch(),
        max_evals=20,
        seed=7,
        objectives=maximize("accuracy"),
    )
    assert result.best_trial.values == (max(t.value["x"] for t in result.trials),)
    assert result.best_loss == -result.best["x"]


def test_ask_and_tell_with_several_losses() -> None:
    opt = Optimizer(
        SPACE, TPE(n_startup=5), seed=0, objectives=minimize("error") & minimize("latency_ms")
    )
    for _ in range(15):
        trial = opt.ask()
        done = opt.tell(trial, Outcome(values=scores(trial.value)))
        assert done.values == (scores(trial.value).error, scores(trial.value).latency_ms)
    bad = opt.ask()
    with pytest.raises(InvalidReturnType):
        opt.tell(bad, 0.5)
    assert opt.trials[-1].state is TrialState.FAILED


def test_an_algorithm_of_a_single_loss_is_refused() -> None:
    with pytest.raises(TypeError, match="learns from a single loss"):
        Optimizer(SPACE, GP(), objectives=minimize() & minimize())


def test_stored_values_resume_and_a_study_keeps_its_objectives(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    objectives = minimize("error") & minimize("latency_ms")

    def run(n: int) -> Any:
        return optimize(
            scores,
            SPACE,
            TPE(n_startup=5),
            max_evals=n,
            seed=0,
            storage=path,
            objectives=objectives,
            constraints=lambda s: s.latency_ms - 6.0,
        )

    first = run(12)
    second = run(20)
    assert [t.to_record() for t in second.trials[:12]] == [t.to_record() for t in first.trials]
    with SQLiteStorage(path, read_only=True) as storage:
        stored = storage.trials("default")
    assert [(r.values, r.constraints) for r in stored] == [
        (t.values, t.constraints) for t in second.trials
    ]
    assert len(stored) == 20
    with pytest.raises(StudyMismatch, match="objectives minimize"):
        optimize(
            scores,
            SPACE,
            max_evals=21,
            storage=path,
            objectives=maximize("error") & minimize("latency_ms"),
        )
    with pytest.raises(StudyMismatch, match="a single loss"):
        optimize(lambda c: c["x"], SPACE, max_evals=21, storage=path)


def test_threads_run_a_study_with_several_objectives() -> None:
    with cf.ThreadPoolExecutor(2) as pool:
        result = optimize(
            scores,
            SPACE,
            TPE(n_startup=4),
            max_evals=16,
            seed=0,
            executor=pool,
            objectives=minimize("error") & minimize("latency_ms"),
            constraints=lambda s: s.error <= 0.5,  # a lambda: checked where the study is
        )
    assert len(result.trials) == 16 and all(t.values is not None for t in result.trials)
    assert all(t.constraints is not None for t in result.trials)


def test_processes_run_a_study_with_several_objectives() -> None:
    result = optimize(
        scores,
        SPACE,
        RandomSearch(),
        max_evals=6,
        seed=0,
        executor="processes",
        max_pending=2,
        objectives=minimize("error") & minimize("latency_ms"),
        constraints=lambda s: s.error <= 0.5,
    )
    assert sorted(t.values for t in result.trials if t.values) == sorted(
        (scores(t.value).error, scores(t.value).latency_ms) for t in result.trials
    )


def test_pruned_trials_are_evidence_for_tpe_with_several_objectives() -> None:
    def objective(c: dict[str, Any], trial: Report) -> Scores:
        for step in range(1, 4):
            trial.report(step, scores(c).error * step)
        return scores(c)

    result = optimize(
        objective,
        SPACE,
        TPE(n_startup=5),
        max_evals=25,
        seed=0,
        objectives=minimize("error") & minimize("latency_ms"),
        pruner=MedianPruner(min_trials=3),
    )
    states = {t.state for t in result.trials}
    assert TrialState.PRUNED in states and TrialState.OK in states
    assert result.pareto


WORKER = """
import sys
from typedspace import TPE, minimize, optimize
from tests.run.test_multi_objective import SPACE, scores
optimize(scores, SPACE, TPE(n_startup=4), max_evals=int(sys.argv[2]), storage=sys.argv[1],
         objectives=minimize("error") & minimize("latency_ms"),
         constraints=lambda s: s.latency_ms <= 8.0, progress=False)
"""


@pytest.mark.slow
def test_several_processes_share_one_study_with_several_objectives(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    root = Path(__file__).resolve().parents[2]
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, str(path), "30"], cwd=root)
        for _ in range(3)
    ]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]
    result = optimize(
        scores,
        SPACE,
        max_evals=30,
        storage=path,
        objectives=minimize("error") & minimize("latency_ms"),
        constraints=lambda s: s.latency_ms <= 8.0,
    )
    assert result.stop_reason == "max_evals" and len(result.trials) == 30
    assert all(t.state is TrialState.OK and t.values and t.constraints for t in result.trials)
    assert [t.number for t in result.pareto] == sorted(t.number for t in result.pareto)
    values = np.array([t.values for t in result.trials if t.feasible])
    assert len(result.pareto) == int(
        np.sum(
            [not np.any(np.all(values <= v, axis=1) & np.any(values < v, axis=1)) for v in values]
        )
    )


def test_cli_show_prints_the_front(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from typedspace.cli import main

    path = tmp_path / "runs.db"
    result = optimize(
        lambda c: {"accuracy": c["x"], "size": c["x"] ** 2 + c["y"]},
        SPACE,
        RandomSearch(),
        max_evals=30,
        seed=1,
        storage=path,
        study="mo",
        objectives=maximize("accuracy") & minimize("size"),
        constraints=lambda out: out["size"] <= 1.0,
    )
    assert main(["show", str(path), "--study", "mo", "--top", "100"]) == 0
    out = capsys.readouterr().out
    infeasible = sum(not t.feasible for t in result.trials)
    assert f"Pareto front: {len(result.pareto)} trials; {infeasible} infeasible" in out
    header, *lines = out.split("Pareto front")[1].splitlines()[1:]
    assert header.split()[:5] == ["number", "accuracy", "(max)", "size", "(min)"]
    shown = [int(line.split()[0]) for line in lines if line.strip()]
    # Sorted by the first objective, best (largest accuracy) first.
    assert shown == [t.number for t in sorted(result.pareto, key=lambda t: -t.value["x"])]
    assert main(["studies", str(path)]) == 0
    assert "2 objectives" in capsys.readouterr().out


def test_pareto_pruning_stops_trials_behind_the_front_at_the_same_step(tmp_path: Path) -> None:
    from typedspace.pruners import ParetoPruner

    def objective(c: dict[str, Any], trial: Report) -> Scores:
        for epoch in range(1, 6):
            # Both objectives improve with training; where a trial ends is fixed by x and y.
            s = scores(c)
            trial.report(epoch, (s.error + 1.0 / epoch, s.latency_ms + 1.0 / epoch))
        return scores(c)

    pruner = ParetoPruner(min_dominating=2, min_trials=4)
    result = optimize(
        objective,
        SPACE,
        RandomSearch(),
        max_evals=40,
        seed=0,
        objectives=minimize("error") & minimize("latency_ms"),
        pruner=pruner,
        storage=tmp_path / "runs.db",
    )
    pruned = result.pruned
    assert pruned and len(pruned) < 40
    completed = [t for t in result.trials if t.state is TrialState.OK]
    for t in pruned:
        # Pruned where it was: at its last step, at least 2 trials completed before it
        # dominated its vector there (and 4 had reported there).
        step, vector = t.intermediate_vectors[-1]
        earlier = [
            dict(c.intermediate_vectors)[step]
            for c in completed
            if c.finished is not None and t.finished is not None and c.finished < t.finished
        ]
        dominating = [
            v
            for v in earlier
            if all(a <= b for a, b in zip(v, vector, strict=True)) and v != vector
        ]
        assert len(earlier) >= 4 and len(dominating) >= 2
    # A completed trial on the final front is never one that a pruned trial's siblings beat:
    # the pruned trials' final vectors (had they run) are dominated by completed ones.
    for t in pruned:
        final = (scores(t.value).error, scores(t.value).latency_ms)
        assert any(
            all(a <= b for a, b in zip(c.values or (), final, strict=True)) for c in completed
        )
    with SQLiteStorage(tmp_path / "runs.db", read_only=True) as storage:
        stored = storage.trials("default")
    assert [r.intermediate_vectors for r in stored] == [
        t.intermediate_vectors for t in result.trials
    ]


def test_maximized_objectives_are_pruned_in_their_direction() -> None:
    from typedspace.pruners import ParetoPruner

    def objective(c: dict[str, Any], trial: Report) -> dict[str, float]:
        trial.report(1, {"accuracy": c["x"], "size": c["y"]})
        return {"accuracy": c["x"], "size": c["y"]}

    result = optimize(
        objective,
        SPACE,
        RandomSearch(),
        max_evals=40,
        seed=1,
        objectives=maximize("accuracy") & minimize("size"),
        pruner=ParetoPruner(min_dominating=1, min_trials=1),
    )
    done = [t for t in result.trials if t.state is TrialState.OK]
    for t in result.pruned:
        ((_, (acc, size)),) = t.intermediate_vectors
        assert any(c.value["x"] >= acc and c.value["y"] <= size for c in done)


def test_a_single_loss_pruner_refuses_vectors() -> None:
    def objective(c: dict[str, Any], trial: Report) -> tuple[float, float]:
        trial.report(1, (c["x"], c["y"]))
        return (c["x"], c["y"])

    with pytest.raises(TypeError, match="ParetoPruner"):
        optimize(
            objective,
            SPACE,
            max_evals=3,
            objectives=minimize() & minimize(),
            pruner=MedianPruner(),
            catch=False,
        )


def test_a_loss_threshold_needs_a_single_loss() -> None:
    with pytest.raises(ValueError, match="loss_threshold=0.1 needs a single loss"):
        optimize(
            as_tuple, SPACE, max_evals=3, objectives=minimize() & minimize(), loss_threshold=0.1
        )


def test_a_stored_constrained_study_reads_back_its_feasible_best(tmp_path: Path) -> None:
    from typedspace import load_study

    result = optimize(
        lambda c: c["x"],
        SPACE,
        RandomSearch(),
        max_evals=30,
        seed=5,
        storage=tmp_path / "runs.db",
        constraints=lambda x: 0.3 - x,
    )
    study = load_study(tmp_path / "runs.db", "default")
    assert study.best_record.number == result.best_trial.number
    assert study.best_record.loss is not None and study.best_record.loss >= 0.3
    rows = study.to_dicts()
    assert [r["feasible"] for r in rows] == [t.feasible for t in result.trials]
