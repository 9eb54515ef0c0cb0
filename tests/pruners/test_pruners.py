"""Each pruner's rule on hand-made curves: what it stops, what it never stops, and its
settings' checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from typedspace.pruners import (
    Curve,
    Hyperband,
    MedianPruner,
    Patient,
    PercentilePruner,
    Status,
    SuccessiveHalving,
    WilcoxonPruner,
)


def complete(number: int, values: Sequence[float], steps: Sequence[float] | None = None) -> Curve:
    steps = tuple(steps) if steps is not None else tuple(range(1, len(values) + 1))
    return Curve(number, Status.COMPLETE, steps, tuple(values), min(values))


def running(number: int, values: Sequence[float], steps: Sequence[float] | None = None) -> Curve:
    steps = tuple(steps) if steps is not None else tuple(range(1, len(values) + 1))
    return Curve(number, Status.RUNNING, steps, tuple(values))


FIVE = [complete(n, [v, v - 0.1]) for n, v in enumerate([1.0, 2.0, 3.0, 4.0, 5.0])]


# --- Curves ---


@given(
    st.dictionaries(
        st.floats(0.0, 100.0),
        st.floats(-1e6, 1e6),
        max_size=12,
    ),
    st.floats(-1.0, 101.0),
)
def test_best_until_is_the_lowest_value_at_or_before_the_step(
    reported: dict[float, float], step: float
) -> None:
    # Steps in any order (float budgets, folds reported as they finish).
    curve = running(0, list(reported.values()), steps=list(reported))
    upto = [value for s, value in reported.items() if s <= step]
    assert curve.best_until(step) == (min(upto) if upto else None)
    assert curve.last_step == (max(reported) if reported else None)


def test_a_curve_needs_a_value_per_step() -> None:
    with pytest.raises(ValueError, match="Curve of trial 3: 2 steps but 1 values"):
        Curve(3, Status.RUNNING, (1, 2), (0.5,))


def test_a_curve_is_its_fields() -> None:
    # The lookup tables built from steps and values are neither shown nor compared.
    curve = running(1, [0.5, 0.4])
    assert repr(curve) == (
        "Curve(number=1, status=<Status.RUNNING: 'running'>, steps=(1, 2), values=(0.5, 0.4), "
        "loss=None)"
    )
    assert curve == running(1, [0.5, 0.4]) and curve != running(1, [0.5, 0.3])


# --- Median and percentile ---


def test_median_stops_the_worse_half_at_the_same_step() -> None:
    assert MedianPruner().prune(running(9, [3.5]), FIVE)
    assert not MedianPruner().prune(running(9, [2.5]), FIVE)
    # At step 2 the completed ones are 0.1 better: 2.95 is above their median 2.9.
    assert MedianPruner().prune(running(9, [3.5, 2.95]), FIVE)


def test_percentile_is_a_harder_or_softer_cut() -> None:
    trial = running(9, [2.5])
    assert PercentilePruner(25.0).prune(trial, FIVE)  # 25th percentile of 1..5 is 2
    assert not PercentilePruner(75.0).prune(trial, FIVE)


def test_no_percentile_pruning_before_min_trials_or_warmup() -> None:
    worst = running(9, [100.0])
    assert not MedianPruner(min_trials=6).prune(worst, FIVE)
    assert not MedianPruner(warmup_steps=2).prune(worst, FIVE)
    assert MedianPruner(warmup_steps=2).prune(running(9, [100.0, 100.0]), FIVE)


def test_only_completed_trials_set_the_bar() -> None:
    # Pruned and running trials are worse by selection: counting them would lower the bar.
    others = [Curve(n, Status.PRUNED, (1,), (50.0,)) for n in range(10, 20)]
    others += [running(n, [60.0]) for n in range(20, 30)]
    assert not MedianPruner().prune(running(9, [40.0]), others)
    assert MedianPruner().prune(running(9, [40.0]), others + FIVE)


def test_steps_need_not_line_up() -> None:
    # Float budgets: the completed trials reported at 0.3 and 0.9, this one at 0.5; each is
    # compared on its best value up to 0.5.
    others = [complete(n, [v, 0.0], steps=[0.3, 0.9]) for n, v in enumerate([1, 2, 3, 4, 5])]
    assert MedianPruner().prune(running(9, [3.5], steps=[0.5]), others)
    assert not MedianPruner().prune(running(9, [2.5], steps=[0.5]), others)


# --- Successive halving ---


def test_the_first_trial_at_a_rung_goes_on() -> None:
    assert not SuccessiveHalving().prune(running(0, [9.0, 9.0, 9.0, 9.0]), [])


@pytest.mark.parametrize("factor", [2, 3, 4])
def test_halving_keeps_the_best_fraction_at_each_rung(factor: int) -> None:
    rule = SuccessiveHalving(min_steps=1, reduction_factor=factor)
    rng = np.random.default_rng(factor)
    others: list[Curve] = []
    for number, value in enumerate(rng.permutation(30).astype(float)):
        trial = running(number, [value])
        stopped = rule.prune(trial, others)
        rivals = [o.values[0] for o in others]
        keep = max(1, (len(rivals) + 1) // factor)
        assert stopped == (sum(v < value for v in rivals) >= keep), (number, value)
        others.append(Curve(number, Status.PRUNED if stopped else Status.RUNNING, (1,), (value,)))


def test_halving_decides_only_when_a_rung_is_reached() -> None:
    rule = SuccessiveHalving(min_steps=1, reduction_factor=3)
    leaders = [complete(n, [0.1] * 9) for n in range(3)]
    # Rungs at 1, 3, 9: a bad trial is stopped at step 1; reaching 2 it is not asked again.
    assert rule.prune(running(9, [5.0]), leaders)
    assert not rule.prune(running(9, [5.0, 5.0]), leaders)
    assert rule.prune(running(9, [5.0, 5.0, 5.0]), leaders)


def test_running_trials_compete_at_a_rung() -> None:
    # Asynchronous: a rung's population includes trials still running past it.
    rule = SuccessiveHalving(min_steps=1, reduction_factor=2)
    assert rule.prune(running(1, [0.9]), [running(0, [0.5, 0.4])])


# --- Hyperband ---


def test_hyperband_has_log_brackets() -> None:
    assert Hyperband(max_steps=27).brackets == 4
    assert Hyperband(max_steps=26).brackets == 3
    assert Hyperband(max_steps=100, min_steps=10, reduction_factor=2).brackets == 4
    with pytest.raises(ValueError, match="max_steps .*at least min_steps"):
        Hyperband(max_steps=1, min_steps=2)


def test_brackets_are_drawn_with_hyperbands_weights() -> None:
    rule = Hyperband(max_steps=27)  # weights ceil(4/4*27), ceil(4/3*9), ceil(4/2*3), ceil(4/1*1)
    weights = np.array([27, 12, 6, 4]) / 49
    n = 40_000
    counts = np.bincount([rule.bracket_of(k) for k in range(n)], minlength=4)
    # Each count within 5 standard errors of n * weight (a multinomial count's s.e.).
    assert np.all(np.abs(counts - n * weights) < 5 * np.sqrt(n * weights * (1 - weights)))
    assert [rule.bracket_of(k) for k in range(50)] == [rule.bracket_of(k) for k in range(50)]


def test_each_bracket_prunes_from_its_own_first_rung_among_its_own_trials() -> None:
    rule = Hyperband(max_steps=27)
    by_bracket: dict[int, list[int]] = {}
    for number in range(200):
        by_bracket.setdefault(rule.bracket_of(number), []).append(number)
    for bracket, numbers in by_bracket.items():
        leader, trial, outsider = numbers[0], numbers[1], by_bracket[(bracket + 1) % 4][0]
        first_rung = 3**bracket
        good = [complete(leader, [0.1] * 27)]
        curve = [5.0] * first_rung
        if bracket < 3:  # the last bracket's first rung is max_steps: it never prunes
            assert not rule.prune(running(trial, curve[:-1]), good)
            assert rule.prune(running(trial, curve), good)
        else:
            assert not rule.prune(running(trial, [5.0] * 27), good)
        # A leader of another bracket is not a rival.
        assert not rule.prune(running(trial, curve), [complete(outsider, [0.1] * 27)])


# --- Patience ---


def test_patience_stops_only_a_curve_that_stopped_improving() -> None:
    improving = running(0, [1.0, 0.9, 0.8, 0.7, 0.6])
    flat = running(0, [1.0, 0.5, 0.5, 0.6, 0.5])
    assert not Patient(patience=3).prune(improving, [])
    assert Patient(patience=3).prune(flat, [])
    assert not Patient(patience=3, min_delta=0.0).prune(running(0, [1.0, 0.5, 0.5, 0.6, 0.4]), [])
    assert Patient(patience=3, min_delta=0.2).prune(running(0, [1.0, 0.5, 0.5, 0.6, 0.4]), [])


def test_patience_makes_another_pruner_patient() -> None:
    bad_but_improving = running(9, [9.0, 8.0, 7.0, 6.0])
    assert MedianPruner().prune(bad_but_improving, FIVE)
    assert not Patient(patience=2, pruner=MedianPruner()).prune(bad_but_improving, FIVE)
    bad_and_flat = running(9, [9.0, 8.0, 8.0, 8.0])
    assert Patient(patience=2, pruner=MedianPruner()).prune(bad_and_flat, FIVE)


# --- The paired test ---

BEST = complete(0, [0.10, 0.20, 0.15, 0.12, 0.18], steps=[0, 1, 2, 3, 4])


@pytest.mark.parametrize("folds", [2, 3, 4, 5])
def test_wilcoxon_is_the_one_sided_signed_rank_test(folds: int) -> None:
    rng = np.random.default_rng(folds)
    for _ in range(20):
        values = np.array(BEST.values[:folds]) + rng.normal(0.05, 0.05, folds)
        trial = running(1, list(values), steps=list(range(folds)))
        differences = values - np.array(BEST.values[:folds])
        p = stats.wilcoxon(differences, alternative="greater", zero_method="zsplit").pvalue
        expected = folds >= 2 and p < 0.1
        assert WilcoxonPruner().prune(trial, [BEST]) == expected


def test_wilcoxon_needs_enough_folds_to_be_significant() -> None:
    # All worse: p = 2 ** -n, below 0.1 from 4 folds on.
    worse = [v + 0.1 for v in BEST.values]
    stops = [
        WilcoxonPruner().prune(running(1, worse[:n], steps=range(n)), [BEST]) for n in range(1, 6)
    ]
    assert stops == [False, False, False, True, True]
    assert not WilcoxonPruner(min_steps=5).prune(running(1, worse[:4], steps=range(4)), [BEST])


def test_wilcoxon_compares_on_the_same_folds_with_the_best_completed_trial() -> None:
    better_than_best = running(1, [0.05, 0.1, 0.1, 0.1], steps=[0, 1, 2, 3])
    assert not WilcoxonPruner().prune(better_than_best, [BEST])
    # Folds the best trial did not report are left out of the pairs.
    assert not WilcoxonPruner().prune(running(1, [1.0] * 4, steps=[10, 11, 12, 13]), [BEST])
    # Not the best trial: a worse completed one does not set the reference.
    worse_reference = complete(2, [0.9] * 5, steps=[0, 1, 2, 3, 4])
    trial = running(1, [0.3] * 4, steps=[0, 1, 2, 3])
    assert WilcoxonPruner().prune(trial, [BEST, worse_reference])
    assert not WilcoxonPruner().prune(trial, [worse_reference])


def test_equal_losses_are_not_worse() -> None:
    same = running(1, list(BEST.values), steps=list(BEST.steps))
    assert not WilcoxonPruner().prune(same, [BEST])


# --- Settings ---


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: PercentilePruner(101.0), ValueError, "percentile"),
        (lambda: PercentilePruner(min_trials=-1), ValueError, "min_trials"),
        (lambda: MedianPruner(min_trials=cast(int, 1.5)), TypeError, "min_trials"),
        (lambda: MedianPruner(warmup_steps=-1), ValueError, "warmup_steps"),
        (lambda: SuccessiveHalving(reduction_factor=1), ValueError, "reduction_factor"),
        (lambda: SuccessiveHalving(min_steps=0), ValueError, "min_steps"),
        (lambda: SuccessiveHalving(window=0), ValueError, "window"),
        (lambda: Hyperband(27, window=cast(int, 2.0)), TypeError, "window"),
        (lambda: Hyperband(max_steps=0), ValueError, "max_steps"),
        (lambda: Patient(patience=0), ValueError, "patience"),
        (lambda: WilcoxonPruner(p_threshold=1.0), ValueError, "p_threshold"),
        (lambda: WilcoxonPruner(min_steps=0), ValueError, "min_steps"),
    ],
)
def test_bad_settings_name_the_field(make: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()


def test_pruners_are_frozen_values() -> None:
    assert MedianPruner() == MedianPruner() and hash(Hyperband(27)) == hash(Hyperband(27))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        MedianPruner().min_trials = 3  # type: ignore[misc]


def test_halving_never_stops_a_trial_at_its_last_step() -> None:
    leaders = [complete(n, [0.1] * 27) for n in range(3)]
    last_rung = running(9, [5.0] * 27)  # 27 = 3 ** 3 is a rung, and the last step
    assert SuccessiveHalving().prune(last_rung, leaders)
    assert not SuccessiveHalving(max_steps=27).prune(last_rung, leaders)
    assert SuccessiveHalving(max_steps=27).prune(running(9, [5.0] * 9), leaders)


def test_a_window_compares_with_the_latest_trials_at_the_rung_only() -> None:
    # Ten old trials, all worse than the newcomer; its two predecessors at the rung better.
    old = [complete(n, [10.0 + n, 9.0]) for n in range(10)]
    recent = [complete(10, [0.5, 0.4]), complete(11, [0.6, 0.5])]
    newcomer = running(12, [0.7])
    # Against every trial it is 3rd of 13: among the best third, it goes on ...
    assert not SuccessiveHalving().prune(newcomer, old + recent)
    # ... against its 2 latest rivals it is last of 3, and stops.
    assert SuccessiveHalving(window=2).prune(newcomer, old + recent)
    # Latest by trial number, whatever the order of the list; a failed trial is no rival.
    assert SuccessiveHalving(window=2).prune(newcomer, recent[::-1] + old)
    failed = Curve(11, Status.FAILED, (1,), (0.1,))
    assert not SuccessiveHalving(window=2).prune(newcomer, [*old, complete(10, [20.0]), failed])


@pytest.mark.parametrize("factor", [2, 3])
def test_with_a_window_the_fraction_kept_holds_while_trials_improve(factor: int) -> None:
    """A sampler that keeps improving (a downward trend plus noise): without a window far more
    than ``1 / factor`` of the trials go on; with ``window = factor - 1`` a trial goes on exactly when it beats
    its latest rivals, about as often as the trend and noise make that likely."""
    rng = np.random.default_rng(factor)
    n, trend = 200, np.linspace(10.0, 1.0, 200)
    values = trend + rng.normal(size=n)
    went_on = {}
    for window in (None, factor - 1):
        rule = SuccessiveHalving(reduction_factor=factor, window=window)
        others: list[Curve] = []
        went_on[window] = 0
        for number, value in enumerate(values):
            trial = running(number, [float(value)])
            stopped = rule.prune(trial, others)
            if window is not None:
                latest = [o.values[0] for o in others[-window:]]
                assert stopped == any(v < value for v in latest)
            went_on[window] += not stopped
            others.append(trial)
    # ASHA's nominal share is 1 / factor; an improving sampler goes far past it.
    assert went_on[None] > 1.5 * n / factor
    # The chance of beating the latest factor - 1 trials, by simulation of the same model.
    sim = np.random.default_rng(99).normal(size=(100_000, factor))
    step = trend[0] - trend[1]
    sim -= step * np.arange(factor)  # the newest trial (last column) is step better per trial
    p = float(np.mean(np.all(sim[:, -1:] < sim[:, :-1], axis=1)))
    assert abs(went_on[factor - 1] / n - p) < 3 * np.sqrt(p * (1 - p) / n)
