"""TPE: proposals in support and only where active, seeded, better than random search."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from scipy.special import logsumexp

import typedspace.algorithms._tpe as tpe_module
from tests.algorithms._loop import best, run, tell_all
from tests.algorithms.test_parzen import refit
from typedspace import (
    Choice,
    Cond,
    Custom,
    Dict,
    IntLogUniform,
    IntUniform,
    LogNormal,
    LogUniform,
    Normal,
    Uniform,
    flatten,
)
from typedspace.algorithms import TPE, RandomSearch
from typedspace.algorithms._subset import SubsetModel
from typedspace.algorithms._tpe import TPEProposer, _Group
from typedspace.backends._table import NumericParam
from typedspace.distributions import Beta, BoundedPoisson

EVERY_LEAF = {
    "u": Uniform(-2.0, 2.0),
    "uq": Uniform(0.0, 1.0, q=0.1),
    "lu": LogUniform(1e-4, 1.0),
    "luq": LogUniform(1.0, 100.0, q=5.0),
    "n": Normal(0.0, 1.0),
    "nq": Normal(5.0, 2.0, q=0.5),
    "ln": LogNormal(0.0, 1.0),
    "lnq": LogNormal(1.0, 1.0, q=1.0),
    "i": IntUniform(1, 6),
    "il": IntLogUniform(1, 1000),
    "c": Choice("a", "b", "c", weights=[1, 2, 3]),
    "beta": Custom(Beta(2.0, 5.0)),
    "count": Custom(BoundedPoisson(3.0, 1, 10)),
    "cond": Cond(
        Choice("x", "y"),
        {
            "x": Dict(
                {"deep": Cond(IntUniform(0, 1), {0: Uniform(0.0, 1.0), 1: IntUniform(5, 9)})}
            ),
            "y": LogUniform(0.1, 10.0),
        },
    ),
}


def smooth_loss(c: dict[str, Any]) -> float:
    return float(
        c["u"] ** 2
        + (c["uq"] - 0.3) ** 2
        + abs(math.log10(c["lu"]) + 2)
        + c["n"] ** 2
        + (c["i"] - 3) ** 2
        + (c["c"] != "b")
        + (c["beta"] - 0.2) ** 2
    )


@pytest.mark.parametrize("multivariate", [True, False])
def test_every_proposal_is_valid_and_only_active_parameters_appear(multivariate: bool) -> None:
    table = flatten(EVERY_LEAF).table
    points, _ = run(TPE(n_startup=5, multivariate=multivariate), EVERY_LEAF, smooth_loss, 60, 0)
    for point in points:
        # validate checks: every active parameter present and in its support (ints are ints,
        # multiples of q, option indices in range) and no inactive parameter given.
        assert table.validate(point) == point
        for name, value in point.items():
            param = table[name]
            expected = float if isinstance(param, NumericParam) and not param.is_int else int
            assert type(value) is expected, (name, value)
    # Both branches and both sub-branches were proposed by the model, not only at start-up.
    model_points = points[5:]
    assert {p["cond"] for p in model_points} == {0, 1}
    assert {p["cond.x.deep"] for p in model_points if "cond.x.deep" in p} == {0, 1}


def test_each_group_is_modelled_from_the_trials_where_it_was_active() -> None:
    points, losses = run(TPE(n_startup=5), EVERY_LEAF, smooth_loss, 40, 0)
    proposer = TPE().start(flatten(EVERY_LEAF).table, np.random.default_rng(0))
    tell_all(proposer, list(points), losses)
    for group in proposer.groups:
        name = (group.numeric + group.categorical)[0].name
        active = [i for i, p in enumerate(points) if name in p]
        assert group.size == len(active) > 0
        assert group.trial[: group.size].tolist() == active


def test_start_up_proposals_are_prior_draws() -> None:
    table = flatten(EVERY_LEAF).table
    proposer = TPE(n_startup=10).start(table, np.random.default_rng(5))
    expected = table.sample_assignments(np.random.default_rng(5), 4)
    assert proposer.propose(4, []) == expected


def test_default_start_up_is_longer_for_conditional_spaces() -> None:
    rng = np.random.default_rng(0)
    assert TPE().start(flatten(EVERY_LEAF).table, rng).n_startup == 20
    assert TPE().start(flatten({"x": Uniform(0.0, 1.0)}).table, rng).n_startup == 10
    assert TPE(n_startup=3).start(flatten(EVERY_LEAF).table, rng).n_startup == 3


def test_default_bandwidths_depend_on_the_mode() -> None:
    table, rng = flatten({"x": Uniform(0.0, 1.0)}).table, np.random.default_rng(0)
    joint, alone = TPE().start(table, rng), TPE(multivariate=False).start(table, rng)
    assert (joint.min_bandwidth, joint.bandwidth_exponent) == (0.03, 2.0)
    assert (alone.min_bandwidth, alone.bandwidth_exponent) == (0.01, 1.0)
    chosen = TPE(multivariate=False, min_bandwidth=0.2, bandwidth_exponent=3.0).start(table, rng)
    assert (chosen.min_bandwidth, chosen.bandwidth_exponent) == (0.2, 3.0)


@pytest.mark.parametrize("multivariate", [True, False])
def test_seeded_runs_repeat(multivariate: bool) -> None:
    algo = TPE(multivariate=multivariate)
    first, _ = run(algo, EVERY_LEAF, smooth_loss, 30, 3)
    again, _ = run(algo, EVERY_LEAF, smooth_loss, 30, 3)
    other, _ = run(algo, EVERY_LEAF, smooth_loss, 30, 4)
    assert first == again
    assert first[20:] != other[20:]  # model-based proposals (after 20 start-up trials)


def branin(c: dict[str, float]) -> float:
    x, y = c["x"], c["y"]
    return (
        (y - 5.1 / (4 * math.pi**2) * x**2 + 5 / math.pi * x - 6) ** 2
        + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x)
        + 10
        - 0.397887
    )


def mixed(c: dict[str, Any]) -> float:
    return float(
        (math.log10(c["lr"]) + 3) ** 2
        + abs(c["n"] - 7) / 5
        + (c["act"] != "gelu")
        + (c["q"] - 3.5) ** 2 / 4
    )


Objective = Callable[[dict[str, Any]], float]

PROBLEMS: dict[str, tuple[dict[str, Any], Objective]] = {
    "quadratic": (
        {"x": Uniform(-5.0, 5.0), "y": Uniform(-5.0, 5.0)},
        lambda c: float(c["x"] ** 2 + (c["y"] - 1) ** 2),
    ),
    "branin": ({"x": Uniform(-5.0, 10.0), "y": Uniform(0.0, 15.0)}, branin),
    "mixed": (
        {
            "lr": LogUniform(1e-5, 1.0),
            "n": IntUniform(1, 20),
            "act": Choice("relu", "gelu", "tanh"),
            "q": Uniform(0.0, 10.0, q=0.5),
        },
        mixed,
    ),
    # The optimum is 3 prior standard deviations out: the model must leave the prior's bulk.
    "normal tail": ({"x": Normal(0.0, 1.0)}, lambda c: float((c["x"] - 3.0) ** 2)),
}


@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_tpe_beats_random_search(problem: str) -> None:
    space, objective = PROBLEMS[problem]
    seeds = range(12)
    tpe = [best(TPE(), space, objective, 50, s) for s in seeds]
    rnd = [best(RandomSearch(), space, objective, 50, s) for s in seeds]
    # A paired sign test over 12 seeds: if TPE were no better than random search, it would
    # win on at least 10 of them with probability (1 + 12 + 66) / 2**12 < 2 %.
    assert sum(a < b for a, b in zip(tpe, rnd, strict=True)) >= 10
    assert np.mean(tpe) < np.mean(rnd)


def test_tpe_learns_which_branch_of_a_condition_is_better() -> None:
    space = {
        "model": Cond(
            Choice("a", "b"),
            {"a": Dict({"a": Uniform(0.0, 1.0)}), "b": Dict({"b": IntUniform(0, 10)})},
        ),
    }

    def loss(c: dict[str, Any]) -> float:
        model = c["model"]
        return float(model["a"]) if "a" in model else 1.0 + model["b"] / 10

    # Random search picks "a" half of the time; among 12 x 30 model-based proposals (after
    # 20 start-up trials, the default for a conditional space), TPE should pick it far more
    # often (a binomial(360, 0.5) exceeds 234 with p < 1e-8).
    picks = 0
    for seed in range(12):
        points, _ = run(TPE(), space, loss, 50, seed)
        picks += sum(p["model"] == 0 for p in points[20:])
    assert picks > 234


@pytest.mark.parametrize("split_per_group", [True, False])
def test_a_branch_that_never_led_is_searched_around_its_own_best_trials(
    split_per_group: bool,
) -> None:
    space = {"model": Cond(Choice("a", "b"), {"a": Uniform(0.0, 1.0), "b": Uniform(0.0, 1.0)})}
    table = flatten(space).table

    def distance_to_best_b(seed: int) -> float:
        """Median distance to 0.7 of proposals for "b" after a history where every "a"
        trial beats every "b" trial and, within "b", the loss is least at 0.7."""
        proposer = TPE(split_per_group=split_per_group).start(table, np.random.default_rng(seed))
        for number, x in enumerate(np.random.default_rng(seed + 100).random(40)):
            if number % 2:
                proposer.tell(number, {"model": 1, "model.b": x}, 1.0 + abs(x - 0.7))
            else:
                proposer.tell(number, {"model": 0, "model.a": x}, x / 10)
        (b,) = (g for g in proposer.groups if g.numeric and g.numeric[0].name == "model.b")
        below = proposer._best(np.arange(proposer.n_finished))
        draws = np.array([proposer._choose(b, below, [])[0][0] for _ in range(20)])
        return float(np.median(np.abs(draws - 0.7)))

    mean_distance = np.mean([distance_to_best_b(seed) for seed in range(20)])
    # Split per group, "b"'s good model holds its best trials (20 uniform draws put one
    # within 0.05 of 0.7 with probability 0.88); split globally it holds none, so "b" is
    # searched wherever its trials left the widest gap: about 0.3 from 0.7 on average, with
    # a standard deviation near 0.2, so 0.15 is 3 standard errors of a mean over 20 below.
    if split_per_group:
        assert mean_distance < 0.1
    else:
        assert mean_distance > 0.15


def test_batch_proposals_are_distinct_and_the_constant_liar_spreads_them() -> None:
    space = {"x": Uniform(0.0, 1.0), "y": Uniform(0.0, 1.0)}

    def loss(c: dict[str, float]) -> float:
        return (c["x"] - 0.5) ** 2 + (c["y"] - 0.5) ** 2

    table = flatten(space).table

    def spread(constant_liar: bool, seed: int) -> float:
        points, losses = run(TPE(n_startup=5), space, loss, 30, seed)
        proposer = TPE(constant_liar=constant_liar).start(table, np.random.default_rng(seed))
        tell_all(proposer, list(points), losses)
        pending = [{"x": 0.5, "y": 0.5}]
        batch = proposer.propose(6, pending)
        xy = np.array([[p["x"], p["y"]] for p in batch + pending])
        assert len({tuple(row) for row in xy}) == 7  # distinct, and none is the pending one
        gaps = np.linalg.norm(xy[:, None] - xy[None, :], axis=2)
        return float(gaps[np.triu_indices(7, 1)].mean())

    with_liar = [spread(True, seed) for seed in range(8)]
    without = [spread(False, seed) for seed in range(8)]
    assert sum(a > b for a, b in zip(with_liar, without, strict=True)) >= 7
    assert np.mean(with_liar) > np.mean(without)


def test_failed_and_repeated_trials_are_left_out_of_the_model() -> None:
    table = flatten({"x": Uniform(0.0, 1.0)}).table
    proposer = TPE(n_startup=3).start(table, np.random.default_rng(0))
    proposer.tell(0, {"x": 0.1}, None)
    proposer.tell(1, {"x": 0.2}, float("nan"))
    assert proposer.n_finished == 0
    proposer.tell(2, {"x": 0.5}, 1.0)
    proposer.tell(2, {"x": 0.5}, 1.0)  # told twice: counted once
    assert proposer.n_finished == 1
    assert proposer.groups[0].size == 1


def test_out_of_order_tells_give_the_same_split() -> None:
    table = flatten({"x": Uniform(0.0, 1.0)}).table
    proposer = TPE(n_startup=2).start(table, np.random.default_rng(0))
    for number in (3, 0, 2, 1):
        proposer.tell(number, {"x": number / 10}, float(number))
    assert proposer.n_finished == 4
    assert sorted(proposer.losses[:4].tolist()) == [0.0, 1.0, 2.0, 3.0]
    assert table.validate(proposer.propose(1, [])[0])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"gamma": 0.0}, "gamma"),
        ({"n_candidates": 0}, "n_candidates"),
        ({"min_bandwidth": 2.0}, "min_bandwidth"),
        ({"min_bandwidth": 0.0}, "min_bandwidth"),
        ({"n_startup": 0}, "n_startup"),
        ({"max_below": 0}, "max_below"),
        ({"bandwidth_exponent": 0.0}, "bandwidth_exponent"),
    ],
)
def test_invalid_settings(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TPE(**settings)


def test_model_proposals_run_on_one_blas_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    # The products of log_pdf are small: a multi-threaded BLAS made them 4x slower.
    from threadpoolctl import threadpool_info

    import typedspace.algorithms._parzen as parzen

    seen: list[list[int]] = []
    log_pdf = parzen.Mixture.log_pdf

    def recording(self: parzen.Mixture, z: Any, cats: Any) -> Any:
        seen.append([i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"])
        return log_pdf(self, z, cats)

    monkeypatch.setattr(parzen.Mixture, "log_pdf", recording)
    table = flatten({"x": Uniform(0.0, 1.0), "y": Uniform(0.0, 1.0)}).table
    proposer = TPE(n_startup=5).start(table, np.random.default_rng(0))
    for number in range(6):
        proposer.tell(number, {"x": number / 10, "y": 0.5}, float(number))
    proposer.propose(2, [])
    assert seen and all(threads and set(threads) == {1} for threads in seen)


@pytest.mark.parametrize(
    ("multivariate", "split_per_group", "evals"),
    [(True, True, 60), (True, False, 60), (False, True, 120)],
)
def test_the_kept_bad_model_equals_a_refit(
    monkeypatch: pytest.MonkeyPatch, multivariate: bool, split_per_group: bool, evals: int
) -> None:
    # Kept from the first bad trial on, so that a short study exercises it: conditional
    # groups, categorical, integer and quantized parameters, batches with lies, trials moving
    # between good and bad; each parameter alone, kept only from 98 bad trials on (the floor).
    monkeypatch.setattr(tpe_module, "KEEP_BAD_MODEL_FROM", 1)
    bad_model = TPEProposer._bad_model
    kept = 0

    def checked(self: TPEProposer, group: _Group, good: Any, lies: list[tuple[Any, Any]]) -> Any:
        nonlocal kept
        model = bad_model(self, group, good, lies)
        if isinstance(model, SubsetModel):
            kept += 1
            z = np.concatenate([group.z[: group.size][~good], *[[lie[0]] for lie in lies]])
            cats = np.concatenate(
                [group.cats[: group.size][~good], *[[lie[1]] for lie in lies]]
            ).astype(np.int64)
            expected = refit(group.axes, z, cats, 1.0, self.min_bandwidth)
            points, options = expected.sample(np.random.default_rng(kept), 16)
            np.testing.assert_allclose(
                logsumexp(np.concatenate(model.log_terms(points, options), axis=1), axis=1),
                logsumexp(expected.log_terms(points, options), axis=1),
                rtol=0,
                atol=1e-9,
            )
        return model

    monkeypatch.setattr(TPEProposer, "_bad_model", checked)
    flat = flatten(EVERY_LEAF)
    settings = TPE(multivariate=multivariate, split_per_group=split_per_group)
    proposer = settings.start(flat.table, np.random.default_rng(0))
    number = 0
    while number < evals:
        pending = flat.table.sample_assignments(np.random.default_rng(number), 1)
        for point in proposer.propose(3, pending):
            proposer.tell(number, point, smooth_loss(flat.decode(point)))
            number += 1
    assert kept > 30


def test_the_good_trials_are_the_first_of_a_stable_sort() -> None:
    # _best selects in linear time; ties at the threshold go to the earliest trials.
    table = flatten({"x": Uniform(0.0, 1.0)}).table
    rng = np.random.default_rng(0)
    for gamma, max_below in [(0.1, 25), (0.5, 1000), (1.0, 3)]:
        proposer = TPE(gamma=gamma, max_below=max_below).start(table, rng)
        for n in [0, 1, 2, 7, 30, 300]:
            losses = rng.integers(0, 5, n).astype(float)  # many ties
            losses[rng.random(n) < 0.1] = -1e300
            n_good = min(math.ceil(gamma * n), max_below)
            expected = np.zeros(n, dtype=bool)
            expected[np.argsort(losses, kind="stable")[:n_good]] = True
            proposer.losses = losses
            assert proposer._best(np.arange(n)).tolist() == expected.tolist()


# --- Pruned trials (issue 14) ---


def test_pruned_trials_rank_below_completed_ones_further_and_lower_first() -> None:
    table = flatten({"x": Uniform(0.0, 1.0)}).table
    proposer = TPE(gamma=0.5, max_below=25).start(table, np.random.default_rng(0))
    proposer.tell(0, {"x": 0.1}, 5.0)  # completed, however bad: ranks first
    pruned = [(1, 3, 0.2), (2, 9, 0.9), (3, 9, 0.4), (4, 1, 0.0), (5, 3, 0.1)]
    for number, step, value in pruned:
        proposer.tell_pruned(number, {"x": 0.5}, step, value)
    for number in range(6, 10):
        proposer.tell_pruned(number, {"x": 0.5}, 1, 1.0)
    # 10 finished, gamma 0.5: 5 good = the completed one, then step 9 (value 0.4, 0.9),
    # then step 3 (value 0.1, 0.2).
    good = proposer._best(np.arange(proposer.n_finished))
    assert np.flatnonzero(good).tolist() == [0, 1, 2, 3, 5]
    # With enough completed trials, no pruned trial is good.
    for number in range(10, 30):
        proposer.tell(number, {"x": 0.5}, 10.0 + number)
    good = proposer._best(np.arange(proposer.n_finished))
    assert not good[1:10].any()


def test_tpe_avoids_where_trials_were_pruned() -> None:
    """Pruned trials around 0.8 are evidence: TPE proposes there less than when it is told
    nothing about them (as a proposer without tell_pruned would be)."""
    table = flatten({"x": Uniform(0.0, 1.0)}).table

    def near_pruned(seed: int, learn: bool) -> float:
        rng = np.random.default_rng(seed + 1000)
        proposer = TPE(n_startup=5).start(table, np.random.default_rng(seed))
        number = 0
        # Completed trials spread evenly, with a flat loss: no preference among them.
        for x in np.linspace(0.05, 0.95, 10):
            proposer.tell(number, {"x": float(x)}, 1.0 + 0.01 * rng.random())
            number += 1
        for x in rng.uniform(0.7, 0.9, 30):
            if learn:
                proposer.tell_pruned(number, {"x": float(x)}, 1, 5.0)
            number += 1
        proposals = [proposer.propose(1, [])[0]["x"] for _ in range(50)]
        return float(np.mean([0.7 <= x <= 0.9 for x in proposals]))

    with_pruned = np.mean([near_pruned(seed, True) for seed in range(10)])
    without = np.mean([near_pruned(seed, False) for seed in range(10)])
    # Told nothing, TPE's good model covers [0.7, 0.9] in proportion to its width (about
    # 0.2 of the proposals); 300 proposals give a standard error near 0.023 on each share, so
    # a difference over 0.1 is more than 3 standard errors.
    assert without - with_pruned > 0.1, (with_pruned, without)


def test_a_pruned_trial_with_a_curve_ranks_by_its_estimated_final_loss() -> None:
    table = flatten({"x": Uniform(0.0, 1.0)}).table
    proposer = TPE(gamma=0.2, max_below=25).start(table, np.random.default_rng(0))
    # Two completed trials that improved by 0.5 and 1.0 after step 1: the least, -0.5, counts.
    for number, curve in enumerate(
        [[(1, 1.0), (2, 0.8), (3, 0.5)], [(1, 3.0), (2, 2.5), (3, 2.0)]]
    ):
        proposer.tell_curve(number, curve)
        proposer.tell(number, {"x": 0.1}, curve[-1][1])
    # Pruned at step 1: estimated to end at value - 0.5 (0.4, 1.5 and 3.5).
    for number, value in [(2, 0.9), (3, 2.0), (4, 4.0)]:
        proposer.tell_curve(number, [(1, value)])
        proposer.tell_pruned(number, {"x": 0.5}, 1, value)
    rows = np.arange(proposer.n_finished)
    estimated = proposer.curves.estimates(rows, proposer.losses[rows])
    assert estimated.tolist() == pytest.approx([0.5, 2.0, 0.4, 1.5, 3.5])
    # 5 trials, gamma 0.2: one good trial, the pruned one estimated at 0.4, ahead of the
    # completed 0.5 (without curves a pruned trial never ranks above a completed one).
    assert np.flatnonzero(proposer._best(rows)).tolist() == [2]
    # 10 trials: two good, by estimate: 0.4 then 0.5.
    for number in range(5, 10):
        proposer.tell(number, {"x": 0.9}, 10.0)
    good = proposer._best(np.arange(proposer.n_finished))
    assert np.flatnonzero(good).tolist() == [0, 2]


def test_a_pruned_trial_stopped_before_any_completed_report_keeps_the_old_rank() -> None:
    """No completed trial reported at or before step 1: nothing says how much a curve moves
    after it, so the pruned trial ranks below the completed ones, by how far it went."""
    table = flatten({"x": Uniform(0.0, 1.0)}).table
    proposer = TPE(gamma=0.5, max_below=25).start(table, np.random.default_rng(0))
    proposer.tell_curve(0, [(5, 2.0), (10, 1.0)])
    proposer.tell(0, {"x": 0.1}, 1.0)
    proposer.tell_curve(1, [(1, 0.01)])
    proposer.tell_pruned(1, {"x": 0.5}, 1, 0.01)
    proposer.tell_curve(2, [(1, 0.5), (3, 0.4)])
    proposer.tell_pruned(2, {"x": 0.5}, 3, 0.4)
    proposer.tell(3, {"x": 0.9}, 5.0)
    rows = np.arange(4)
    estimated = proposer.curves.estimates(rows, proposer.losses[rows])
    assert estimated[1] == math.inf and estimated[2] == math.inf
    assert np.flatnonzero(proposer._best(rows)).tolist() == [0, 3]
    # A curve that rises after its best value (over-fitting) has a positive change.
    proposer.tell_curve(4, [(1, 0.3), (2, 0.2), (3, 0.6)])
    proposer.tell(4, {"x": 0.9}, 0.6)
    estimated = proposer.curves.estimates(np.arange(5), proposer.losses[:5])
    assert estimated[1] == pytest.approx(0.01 + 0.3) and estimated[2] == pytest.approx(0.4 + 0.4)


def test_a_failed_trial_s_curve_is_forgotten() -> None:
    table = flatten({"x": Uniform(0.0, 1.0)}).table
    proposer = TPE().start(table, np.random.default_rng(0))
    proposer.tell_curve(0, [(1, 0.5)])
    proposer.tell(0, {"x": 0.5}, None)
    proposer.tell_curve(1, [(1, 0.5)])
    proposer.tell_pruned(1, {"x": 0.5}, 1, 0.5)
    assert proposer.curves.estimates(np.arange(1), proposer.losses[:1]).tolist() == [math.inf]
