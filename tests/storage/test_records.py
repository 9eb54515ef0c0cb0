"""Trial records: a Trial is its record plus the decoded value, and ``best_of`` picks the
lowest loss or says why there is none."""

from __future__ import annotations

import attrs
import pytest

from typedspace.errors import NoSuccessfulTrial
from typedspace.storage._records import ErrorInfo, Trial, TrialRecord, TrialState, best_of


def _trial(number: int, state: TrialState, loss: float | None = None) -> Trial[int]:
    error = (
        ErrorInfo("ValueError", f"trial {number} failed") if state is TrialState.FAILED else None
    )
    record = TrialRecord(
        number, state, {"x": number}, 10.0 + number, 11.0 + number, loss, {}, error
    )
    return Trial.from_record(record, number)


def test_from_record_keeps_every_field_and_to_record_round_trips() -> None:
    record = TrialRecord(
        number=3,
        state=TrialState.FAILED,
        assignment={"lr": 0.01, "layers": 2},
        started=100.0,
        finished=102.5,
        loss=None,
        extra={"note": "diverged"},
        error=ErrorInfo("ValueError", "diverged", "Traceback ..."),
    )
    trial = Trial.from_record(record, {"lr": 0.01, "layers": [8, 8]})
    assert trial.value == {"lr": 0.01, "layers": [8, 8]}
    assert (trial.number, trial.state, trial.assignment) == (
        3,
        TrialState.FAILED,
        record.assignment,
    )
    assert (trial.started, trial.finished, trial.loss) == (100.0, 102.5, None)
    assert trial.extra == {"note": "diverged"} and trial.error == record.error
    assert trial.duration == 2.5
    assert trial.to_record() == record


def test_best_of_picks_the_lowest_loss_with_ties_to_the_earliest() -> None:
    trials = [
        _trial(0, TrialState.OK, 0.5),
        _trial(1, TrialState.FAILED),
        _trial(2, TrialState.OK, 0.25),
        _trial(3, TrialState.RUNNING),
        _trial(4, TrialState.OK, 0.25),
        _trial(5, TrialState.CANCELLED),
    ]
    assert best_of(trials).number == 2
    assert best_of(list(reversed(trials))).number == 2


def test_best_of_without_a_successful_trial_says_why() -> None:
    failed = [_trial(0, TrialState.CANCELLED), _trial(1, TrialState.FAILED)]
    failed += [_trial(2, TrialState.FAILED)]
    with pytest.raises(
        NoSuccessfulTrial,
        match=r"all 2 finished trials failed; the first failure: ValueError: trial 1 failed",
    ):
        best_of(failed)
    for unfinished in ([], [_trial(0, TrialState.RUNNING), _trial(1, TrialState.CANCELLED)]):
        with pytest.raises(NoSuccessfulTrial, match="no trial has finished yet"):
            best_of(unfinished)


def test_a_long_curve_is_summarized_in_the_repr() -> None:
    curve = tuple((step, 1.0 / (step + 1)) for step in range(50))
    record = TrialRecord(0, TrialState.PRUNED, {"x": 1}, 10.0, 11.0, intermediate=curve)
    trial = Trial.from_record(record, 1)
    for text in (repr(record), repr(trial)):
        assert "intermediate=<50 reports: (0, 1.0) ... (49, 0.02)>" in text
        assert "(25, " not in text and "intermediate_vectors=()" in text
    short = attrs.evolve(record, intermediate=((0, 0.5), (1, 0.25)))
    assert "intermediate=((0, 0.5), (1, 0.25))" in repr(short)
    assert attrs.evolve(record) == record  # the repr alone changed: equality sees every value
