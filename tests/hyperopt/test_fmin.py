"""typedspace/hyperopt/_fmin.py: ``fmin`` and ``space_eval`` behave as Hyperopt documents
(the behaviours its own tests pin down: argmin, return_argmin, rstate, failures, timeout,
loss_threshold, early stopping, starting points, annotated spaces), on typedspace's engine."""

from __future__ import annotations

import functools
import math
import time
from typing import Any

import numpy as np
import pytest

from tests._objectives import square
from typedspace import TPE, RandomSearch, load_study
from typedspace.errors import DuplicateLabel, InvalidReturnType, NoSuccessfulTrial, StudyMismatch
from typedspace.hyperopt import (
    JOB_STATE_DONE,
    JOB_STATE_ERROR,
    STATUS_FAIL,
    STATUS_OK,
    AllTrialsFailed,
    MongoTrials,
    SparkTrials,
    Trials,
    anneal,
    fmin,
    hp,
    rand,
    space_eval,
    tpe,
)
from typedspace.hyperopt._algos import resolve_algo
from typedspace.hyperopt._pyll import Scope
from typedspace.hyperopt.early_stop import no_progress_loss

QUIET: dict[str, Any] = {"show_progressbar": False}


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def quadratic(x: float) -> float:
    return (x - 3) ** 2


@pytest.mark.parametrize(
    "algo, evals", [(rand.suggest, 500), (tpe.suggest, 50), (anneal.suggest, 50)]
)
def test_quadratic_reaches_the_minimum(algo: Any, evals: int) -> None:
    trials = Trials()
    argmin = fmin(
        quadratic, hp.uniform("x", -5, 5), algo, evals, trials=trials, rstate=_rng(0), **QUIET
    )
    assert len(trials) == evals
    assert abs(argmin["x"] - 3.0) < 0.25


def test_argmin_holds_choice_indices_and_space_eval_the_values() -> None:
    space = hp.choice("x", [100, 5, 10])
    assert fmin(lambda v: v, space, rand.suggest, 10, rstate=_rng(0), **QUIET) == {"x": 1}
    best = fmin(lambda v: v, space, rand.suggest, 10, rstate=_rng(0), return_argmin=False, **QUIET)
    assert best == 5
    assert space_eval(space, {"x": 1}) == 5


def test_space_eval_of_a_conditional_space() -> None:
    space = hp.choice(
        "a",
        [("case 1", 1 + hp.lognormal("c1", 0, 1)), ("case 2", hp.uniform("c2", -10, 10))],
    )
    assert space_eval(space, {"a": 0, "c1": 1.0}) == ("case 1", 2.0)
    assert space_eval(space, {"a": 1, "c2": 3.5}) == ("case 2", 3.5)
    with pytest.raises(KeyError, match="c2"):
        space_eval(space, {"a": 1})


def test_a_duplicate_label_fails_fmin() -> None:
    space = {"a": hp.uniform("x", 0, 1), "b": hp.uniform("x", 0, 1)}
    with pytest.raises(DuplicateLabel, match="'x'"):
        fmin(lambda c: 0.0, space, rand.suggest, 1, **QUIET)


def test_rstate_seeds_the_run() -> None:
    def run(seed: int) -> Any:
        return fmin(quadratic, hp.uniform("x", -5, 5), tpe.suggest, 5, rstate=_rng(seed), **QUIET)

    assert run(0) == run(0)
    assert run(0) != run(1)
    legacy = fmin(
        quadratic, hp.uniform("x", -5, 5), rand.suggest, 3, rstate=np.random.RandomState(0), **QUIET
    )
    assert set(legacy) == {"x"}
    with pytest.raises(TypeError, match="rstate must be a numpy Generator"):
        fmin(quadratic, hp.uniform("x", -5, 5), rand.suggest, 3, rstate="seed", **QUIET)


def test_hyperopt_fmin_seed_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYPEROPT_FMIN_SEED", "7")
    runs = [fmin(quadratic, hp.uniform("x", -5, 5), rand.suggest, 3, **QUIET) for _ in range(2)]
    assert runs[0] == runs[1]


class SomeError(Exception):
    pass


def _raise(config: Any) -> float:
    raise SomeError("boom")


def test_an_exception_is_raised_and_its_trial_kept_as_an_error() -> None:
    trials = Trials()
    with pytest.raises(SomeError, match="boom"):
        fmin(_raise, hp.uniform("x", 0, 1), rand.suggest, 2, trials=trials, **QUIET)
    assert len(trials) == 0
    assert [t["state"] for t in trials._dynamic_trials] == [JOB_STATE_ERROR]
    assert trials._dynamic_trials[0]["misc"]["error"] == ("SomeError", "boom")


def test_catch_eval_exceptions_goes_on() -> None:
    trials = Trials()
    best = fmin(
        _raise,
        hp.uniform("x", 0, 1),
        rand.suggest,
        2,
        trials=trials,
        catch_eval_exceptions=True,
        return_argmin=False,
        **QUIET,
    )
    assert best is None and len(trials) == 0
    assert [t["state"] for t in trials._dynamic_trials] == [JOB_STATE_ERROR] * 2


def test_an_exception_on_an_executor_is_raised_too() -> None:
    trials = Trials()
    with pytest.raises(SomeError, match="boom"):
        fmin(_raise, hp.uniform("x", 0, 1), rand.suggest, 4, trials=trials, executor="threads",
             **QUIET)  # fmt: skip
    assert len(trials) == 0 and trials._dynamic_trials[0]["state"] == JOB_STATE_ERROR


def test_a_function_of_the_space_that_raises() -> None:
    table = Scope()

    @table.define
    def inverse(x: float) -> float:
        return 1 / x

    space = {"n": hp.randint("n", 2), "inv": table.inverse(hp.randint("m", 2))}
    with pytest.raises(ZeroDivisionError):
        fmin(lambda c: 0.0, space, rand.suggest, 20, rstate=_rng(0), **QUIET)
    trials = Trials()
    fmin(lambda c: c["inv"], space, rand.suggest, 20, trials=trials, rstate=_rng(0),
         catch_eval_exceptions=True, **QUIET)  # fmt: skip
    errors = [t for t in trials._dynamic_trials if t["state"] == JOB_STATE_ERROR]
    assert errors and len(errors) + len(trials) == 20
    assert all(t["misc"]["vals"]["m"] == [0] for t in errors)


def test_status_fail_trials_are_recorded_and_never_best() -> None:
    def objective(x: float) -> dict[str, Any]:
        if x < 0:
            return {"loss": (x - 3) ** 2, "status": STATUS_OK}
        return {"status": STATUS_FAIL, "why": "positive"}

    trials = Trials()
    argmin = fmin(objective, hp.uniform("x", -5, 5), tpe.suggest, 50, trials=trials, **QUIET)
    assert len(trials) == 50
    assert argmin["x"] < 0
    assert trials.best_trial["result"]["loss"] >= 9
    failed = [t for t in trials.trials if t["result"]["status"] == STATUS_FAIL]
    assert failed and all(t["state"] == JOB_STATE_DONE for t in failed)
    assert failed[0]["result"] == {"status": STATUS_FAIL, "why": "positive"}
    assert None in trials.losses()


def test_every_trial_failing_raises_all_trials_failed() -> None:
    with pytest.raises(AllTrialsFailed):
        fmin(lambda x: {"status": STATUS_FAIL}, hp.uniform("x", 0, 1), rand.suggest, 3, **QUIET)
    assert AllTrialsFailed is NoSuccessfulTrial


def test_extra_result_keys_are_kept() -> None:
    trials = Trials()
    fmin(
        lambda x: {"loss": x, "status": STATUS_OK, "accuracy": 1 - x, "tag": "run"},
        hp.uniform("x", 0, 1),
        rand.suggest,
        3,
        trials=trials,
        **QUIET,
    )
    result = trials.results[0]
    assert set(result) == {"loss", "status", "accuracy", "tag"}
    assert result["accuracy"] == pytest.approx(1 - result["loss"])


@pytest.mark.parametrize(
    "returned, message",
    [
        ({"loss": 1.0, "status": STATUS_OK, "attachments": {"a": b"x"}}, "attachments"),
        ({"loss": 1.0, "status": "done"}, "status 'done'"),
        ({"loss": 1.0}, "status None"),
        ({"status": STATUS_OK}, "without a numeric 'loss'"),
        ("0.5", "return a number"),
    ],
)
def test_malformed_results_stop_the_run_with_a_clear_error(returned: Any, message: str) -> None:
    with pytest.raises(InvalidReturnType, match=message):
        fmin(lambda x: returned, hp.uniform("x", 0, 1), rand.suggest, 5, **QUIET)


def test_a_nan_loss_is_a_failed_trial_and_the_run_goes_on() -> None:
    trials = Trials()
    fmin(
        lambda x: math.nan if x > 0.5 else x,
        hp.uniform("x", 0, 1),
        rand.suggest,
        20,
        trials=trials,
        rstate=_rng(0),
        **QUIET,
    )
    assert len(trials) == 20
    assert {s for s in trials.statuses()} == {STATUS_OK, STATUS_FAIL}


def test_points_to_evaluate_run_first_and_count_towards_max_evals() -> None:
    trials = Trials()
    best = fmin(
        lambda c: c["x"] ** 2 + c["y"] ** 2,
        {"x": hp.uniform("x", -10, 10), "y": hp.uniform("y", -10, 10)},
        tpe.suggest,
        10,
        trials=trials,
        points_to_evaluate=[{"x": 0.0, "y": 0.0}, {"x": 1.0, "y": 1.0}],
        **QUIET,
    )
    assert best == {"x": 0.0, "y": 0.0}
    assert len(trials) == 10
    assert trials.vals["x"][:2] == [0.0, 1.0]


def test_points_to_evaluate_use_choice_indices_and_known_labels() -> None:
    space = {"act": hp.choice("act", ["relu", "tanh"]), "x": hp.uniform("x", 0, 1)}
    trials = Trials()
    fmin(lambda c: c["x"], space, rand.suggest, 1, trials=trials,
         points_to_evaluate=[{"act": 1, "x": 0.5}], **QUIET)  # fmt: skip
    assert trials.vals == {"act": [1], "x": [0.5]}
    with pytest.raises(ValueError, match="'z' is not a label"):
        fmin(lambda c: 0.0, space, rand.suggest, 1, points_to_evaluate=[{"z": 1}], **QUIET)


def test_timeout_stops_launching_trials() -> None:
    def slow(x: int) -> float:
        time.sleep(0.2)
        return float(x)

    start = time.monotonic()
    trials = Trials()
    fmin(slow, hp.choice("x", range(20)), rand.suggest, 50, timeout=0.5, trials=trials, **QUIET)
    elapsed = time.monotonic() - start
    assert 0.5 <= elapsed < 1.5
    assert 3 <= len(trials) <= 5


@pytest.mark.parametrize("bad", [-1, 0, True, "a"])
def test_invalid_timeouts_are_refused(bad: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="timeout"):
        fmin(quadratic, hp.uniform("x", -5, 5), rand.suggest, 5, timeout=bad, **QUIET)


@pytest.mark.parametrize("bad", ["a", True])
def test_invalid_loss_thresholds_are_refused(bad: Any) -> None:
    with pytest.raises(TypeError, match="loss_threshold"):
        fmin(quadratic, hp.uniform("x", -5, 5), rand.suggest, 5, loss_threshold=bad, **QUIET)


def test_loss_threshold_stops_the_search() -> None:
    trials = Trials()
    fmin(lambda x: x**2, hp.uniform("x", -10, 10), rand.suggest, loss_threshold=0.001,
         trials=trials, rstate=_rng(0), **QUIET)  # fmt: skip
    losses = [loss for loss in trials.losses() if loss is not None]
    assert trials.best_trial["result"]["loss"] <= 0.001
    assert min(losses[:-1]) > 0.001  # the last trial reached it


def test_a_run_needs_a_stopping_rule() -> None:
    with pytest.raises(ValueError, match="give max_evals"):
        fmin(quadratic, hp.uniform("x", -5, 5), rand.suggest, **QUIET)


def test_early_stop_fn_gets_the_trials_and_its_own_state() -> None:
    seen: list[int] = []

    def stop(trials: Trials, count: int = 0) -> tuple[bool, list[int]]:
        seen.append(len(trials))
        return count + 1 >= 100, [count + 1]

    trials = Trials()
    fmin(lambda x: x, hp.uniform("x", -5, 5), rand.suggest, 500, trials=trials,
         early_stop_fn=stop, **QUIET)  # fmt: skip
    assert len(trials) == 100
    assert seen == list(range(1, 101))


def test_no_progress_loss_counts_trials_without_improvement() -> None:
    trials = Trials()
    fmin(lambda x: x, hp.uniform("x", -5, 5), rand.suggest, 500, trials=trials,
         points_to_evaluate=[{"x": -5.0}], early_stop_fn=no_progress_loss(10), **QUIET)  # fmt: skip
    assert len(trials) == 10


def test_no_progress_loss_with_percent_increase() -> None:
    # An improvement must beat the best by more than the percentage: 1% of 100 here.
    losses = iter([100.0, 99.5, 99.2, 98.9, 50.0, 49.9, 49.8])
    trials = Trials()
    fmin(lambda x: next(losses), hp.uniform("x", 0, 1), rand.suggest, 7, trials=trials,
         early_stop_fn=no_progress_loss(3, percent_increase=1.0), **QUIET)  # fmt: skip
    # 100 (first: 1 without progress), 99.5 and 99.2 (not 1% better: 3) -> stop.
    assert len(trials) == 3


def test_annotated_space() -> None:
    def objective(x: hp.uniform("x", -10, 10), y: hp.uniform("y", -10, 10)) -> float:  # type: ignore[valid-type]
        return float((x * y) ** 2)

    trials = Trials()
    best = fmin(
        objective, space="annotated", algo=tpe.suggest, max_evals=10, trials=trials, **QUIET
    )
    assert len(trials) == 10 and set(best) == {"x", "y"}

    def half(x: hp.uniform("x", -10, 10), y: float) -> float:  # type: ignore[valid-type]
        return 0.0

    with pytest.raises(TypeError, match="'y'"):
        fmin(half, space="annotated", algo=tpe.suggest, max_evals=10, **QUIET)


def test_reusing_trials_continues_the_study() -> None:
    trials = Trials()
    space = hp.uniform("x", -5, 5)
    fmin(quadratic, space, tpe.suggest, 10, trials=trials, rstate=_rng(0), **QUIET)
    first = [t["misc"]["vals"] for t in trials.trials]
    fmin(quadratic, space, tpe.suggest, 25, trials=trials, rstate=_rng(1), **QUIET)
    assert len(trials) == 25
    assert [t["misc"]["vals"] for t in trials.trials[:10]] == first
    assert trials.tids == list(range(25))


def test_reusing_trials_with_another_space_needs_allow_space_change() -> None:
    trials = Trials()
    fmin(quadratic, hp.uniform("x", -5, 5), rand.suggest, 3, trials=trials, **QUIET)
    wider = hp.uniform("x", -10, 10)
    with pytest.raises(StudyMismatch, match="uniform"):
        fmin(quadratic, wider, rand.suggest, 5, trials=trials, **QUIET)
    fmin(quadratic, wider, rand.suggest, 5, trials=trials, allow_space_change=True, **QUIET)
    assert len(trials) == 5


def test_trials_save_file_keeps_a_resumable_sqlite_study(tmp_path: Any) -> None:
    path = tmp_path / "study.db"
    space = {"x": hp.uniform("x", -5, 5), "c": hp.choice("c", ["a", "b"])}

    def objective(c: dict[str, Any]) -> float:
        return quadratic(c["x"]) + float(c["c"] == "a")

    fmin(objective, space, tpe.suggest, 10, trials_save_file=str(path), **QUIET)
    assert len(load_study(path, "hyperopt").trials) == 10
    trials = Trials()
    best = fmin(objective, space, tpe.suggest, 15, trials=trials, trials_save_file=str(path),
                **QUIET)  # fmt: skip
    assert len(trials) == 15  # resumed: 10 from the file, 5 new
    assert best == trials.argmin
    again = Trials(storage=path)
    fmin(objective, space, tpe.suggest, 15, trials=again, **QUIET)  # nothing left to run
    assert [t["misc"]["vals"] for t in again.trials] == [t["misc"]["vals"] for t in trials.trials]


def test_storage_and_study_name_a_sqlite_study(tmp_path: Any) -> None:
    path = tmp_path / "runs.db"
    for study, evals in (("first", 4), ("second", 6), ("first", 7)):
        fmin(quadratic, hp.uniform("x", -5, 5), rand.suggest, evals, storage=path, study=study,
             **QUIET)  # fmt: skip
    assert len(load_study(path, "first").trials) == 7
    assert len(load_study(path, "second").trials) == 6


def test_one_trials_object_keeps_one_storage(tmp_path: Any) -> None:
    trials = Trials()
    fmin(quadratic, hp.uniform("x", -5, 5), rand.suggest, 2, trials=trials, **QUIET)
    with pytest.raises(ValueError, match="another place"):
        fmin(quadratic, hp.uniform("x", -5, 5), rand.suggest, 4, trials=trials,
             storage=tmp_path / "other.db", **QUIET)  # fmt: skip


def test_parallel_trials_run_on_an_executor() -> None:
    trials = Trials()
    fmin(quadratic, hp.uniform("x", -5, 5), tpe.suggest, 12, trials=trials, executor="threads",
         **QUIET)  # fmt: skip
    assert len(trials) == 12


@pytest.mark.slow
def test_trials_run_in_worker_processes() -> None:
    trials = Trials()
    best = fmin(square, hp.uniform("x", -1, 1), tpe.suggest, 8, trials=trials,
                executor="processes", **QUIET)  # fmt: skip
    assert len(trials) == 8 and trials.best_trial["result"]["loss"] == square(best["x"])


@pytest.mark.parametrize("cls", [SparkTrials, MongoTrials])
def test_spark_and_mongo_trials_point_to_executor(cls: Any) -> None:
    with pytest.raises(NotImplementedError, match="executor="):
        cls(parallelism=4)


def test_hyperopts_own_trials_are_refused() -> None:
    class Other:
        pass

    with pytest.raises(TypeError, match="import Trials from typedspace.hyperopt"):
        fmin(quadratic, hp.uniform("x", -5, 5), rand.suggest, 2, trials=Other(), **QUIET)  # type: ignore[arg-type]


def test_pass_expr_memo_ctrl_is_refused() -> None:
    with pytest.raises(ValueError, match="pass_expr_memo_ctrl"):
        fmin(quadratic, hp.uniform("x", -5, 5), rand.suggest, 2, pass_expr_memo_ctrl=True)


def test_algorithms_map_to_ours() -> None:
    hyperopt_tpe = TPE(n_startup=20, prior_weight=5.0)
    assert resolve_algo(None) == resolve_algo(tpe.suggest) == hyperopt_tpe
    partial = functools.partial(tpe.suggest, n_startup_jobs=5, gamma=0.2, n_EI_candidates=48)
    assert resolve_algo(partial) == TPE(n_startup=5, prior_weight=5.0, gamma=0.2, n_candidates=48)
    weighted = resolve_algo(functools.partial(tpe.suggest, prior_weight=2.0))
    assert weighted == TPE(n_startup=20, prior_weight=10.0)
    assert resolve_algo(functools.partial(tpe.suggest, linear_forgetting=25)) == hyperopt_tpe
    assert resolve_algo(rand.suggest) == RandomSearch()
    assert resolve_algo(functools.partial(anneal.suggest, shrink_coef=0.2)) == hyperopt_tpe
    assert resolve_algo(RandomSearch()) == RandomSearch()
    with pytest.raises(TypeError, match="takes no keyword 'n_startup'"):
        resolve_algo(functools.partial(tpe.suggest, n_startup=5))
    with pytest.raises(TypeError, match="not called directly"):
        tpe.suggest([0], None, None, 0)
    with pytest.raises(TypeError, match="algo must be"):
        resolve_algo(print)
