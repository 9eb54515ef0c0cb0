"""typedspace/hyperopt/_trials.py: ``Trials`` shows a study in Hyperopt's shapes."""

from __future__ import annotations

import datetime
import math
import pickle
from typing import Any

import numpy as np
import pytest

from typedspace.hyperopt import (
    JOB_STATE_DONE,
    STATUS_FAIL,
    STATUS_OK,
    AllTrialsFailed,
    Trials,
    fmin,
    hp,
    rand,
    trials_from_docs,
)

SPACE = {
    "opt": hp.choice("opt", [{"m": hp.uniform("m", 0, 1)}, {"b": hp.randint("b", 4)}]),
    "lr": hp.loguniform("lr", -5, 0),
}


def _objective(config: dict[str, Any]) -> dict[str, Any]:
    if "b" in config["opt"] and config["opt"]["b"] == 3:
        return {"status": STATUS_FAIL, "reason": "b=3"}
    return {"loss": config["lr"], "status": STATUS_OK, "lr_seen": config["lr"]}


@pytest.fixture(scope="module")
def trials() -> Trials:
    trials = Trials()
    fmin(_objective, SPACE, rand.suggest, 40, trials=trials, rstate=np.random.default_rng(2),
         show_progressbar=False)  # fmt: skip
    return trials


def test_documents_have_hyperopts_keys(trials: Trials) -> None:
    doc = trials.trials[0]
    assert set(doc) == {
        "state", "tid", "spec", "result", "misc", "exp_key", "owner", "version", "book_time",
        "refresh_time",
    }  # fmt: skip
    assert set(doc["misc"]) == {"tid", "cmd", "workdir", "idxs", "vals"}
    assert doc["misc"]["tid"] == doc["tid"] == 0
    assert doc["state"] == JOB_STATE_DONE
    assert isinstance(doc["book_time"], datetime.datetime)
    assert doc["refresh_time"] >= doc["book_time"]


def test_vals_and_idxs_list_every_label_and_leave_inactive_ones_empty(trials: Trials) -> None:
    for doc in trials.trials:
        vals, idxs = doc["misc"]["vals"], doc["misc"]["idxs"]
        assert list(vals) == ["b", "lr", "m", "opt"]  # sorted, as Hyperopt's
        branch = vals["opt"][0]
        assert branch in (0, 1) and isinstance(branch, int)
        assert (vals["m"] != []) == (branch == 0) and (vals["b"] != []) == (branch == 1)
        assert all(idxs[k] == ([doc["tid"]] if vals[k] else []) for k in vals)
    idxs, vals = trials.idxs_vals
    assert len(vals["lr"]) == len(trials) and idxs["lr"] == trials.tids
    assert len(vals["m"]) + len(vals["b"]) == len(trials)
    assert all(isinstance(b, int) for b in vals["b"])
    assert trials.vals == vals and trials.idxs == idxs


def test_results_losses_and_statuses(trials: Trials) -> None:
    statuses = trials.statuses()
    assert set(statuses) == {STATUS_OK, STATUS_FAIL}
    for result, loss, status in zip(trials.results, trials.losses(), statuses, strict=True):
        assert result["status"] == status
        if status == STATUS_OK:
            assert loss == result["loss"] == result["lr_seen"]
        else:
            assert loss is None and result == {"status": STATUS_FAIL, "reason": "b=3"}


def test_best_trial_and_argmin(trials: Trials) -> None:
    ok = [loss for loss in trials.losses() if loss is not None]
    assert trials.best_trial["result"]["loss"] == min(ok)
    argmin = trials.argmin
    assert argmin == {k: v[0] for k, v in trials.best_trial["misc"]["vals"].items() if v}
    assert "opt" in argmin and "lr" in argmin


def test_len_iter_and_counts(trials: Trials) -> None:
    assert len(trials) == 40 == len(list(trials))
    assert trials.count_by_state_unsynced(JOB_STATE_DONE) == 40
    assert trials.count_by_state_synced([JOB_STATE_DONE]) == 40


def test_average_best_error() -> None:
    trials = Trials()
    losses = iter([3.0, 1.0, 2.0])
    fmin(lambda x: {"loss": next(losses), "status": STATUS_OK, "true_loss": 10.0},
         hp.uniform("x", 0, 1), rand.suggest, 3, trials=trials, show_progressbar=False)  # fmt: skip
    assert trials.average_best_error() == 10.0  # the true loss of the best
    noisy = Trials()
    values = iter([0.0, 0.1, 5.0])
    fmin(lambda x: {"loss": next(values), "status": STATUS_OK, "loss_variance": 1.0},
         hp.uniform("x", 0, 1), rand.suggest, 3, trials=noisy, show_progressbar=False)  # fmt: skip
    # Weighted by the chance of being best, among those within 3 sigma of the best.
    assert 0.0 < noisy.average_best_error() < 0.1
    with pytest.raises(ValueError, match="Empty loss vector"):
        Trials().average_best_error()


def test_empty_trials() -> None:
    trials = Trials()
    assert len(trials) == 0 and trials.trials == [] and trials.losses() == []
    with pytest.raises(Exception, match="no successful trials"):
        trials.argmin  # noqa: B018


def test_unsupported_parts_say_what_to_do(trials: Trials) -> None:
    with pytest.raises(NotImplementedError, match="no attachments"):
        trials.trial_attachments(trials.trials[0])
    with pytest.raises(NotImplementedError, match="new Trials"):
        trials.delete_all()
    with pytest.raises(NotImplementedError, match="points_to_evaluate"):
        trials_from_docs([])
    with pytest.raises(NotImplementedError, match="index .trials"):
        trials[0]


def test_a_nan_loss_is_shown_as_a_failure() -> None:
    trials = Trials()
    with pytest.raises(AllTrialsFailed):  # as Hyperopt's best_trial: no finite "ok" loss
        fmin(lambda x: math.nan, hp.uniform("x", 0, 1), rand.suggest, 2, trials=trials,
             return_argmin=False, show_progressbar=False)  # fmt: skip
    assert trials.statuses() == [STATUS_FAIL, STATUS_FAIL]


def test_pickled_trials_keep_their_study_and_continue() -> None:
    # Hyperopt users save Trials with pickle; an in-memory study travels with the object.
    trials = Trials()
    space = hp.uniform("x", -5, 5)
    fmin(lambda x: (x - 1) ** 2, space, rand.suggest, 8, trials=trials, show_progressbar=False)
    copy = pickle.loads(pickle.dumps(trials))
    assert copy.trials == trials.trials and copy.argmin == trials.argmin
    fmin(lambda x: (x - 1) ** 2, space, rand.suggest, 12, trials=copy, show_progressbar=False)
    assert len(copy) == 12 and copy.trials[:8] == trials.trials
    assert len(trials) == 8  # the original is untouched


def test_pickled_trials_of_a_sqlite_study_reopen_the_file(tmp_path: Any) -> None:
    trials = Trials(storage=tmp_path / "s.db")
    space = hp.uniform("x", -5, 5)
    fmin(lambda x: x, space, rand.suggest, 3, trials=trials, show_progressbar=False)
    copy = pickle.loads(pickle.dumps(trials))
    fmin(lambda x: x, space, rand.suggest, 5, trials=copy, show_progressbar=False)
    assert len(copy) == 5
