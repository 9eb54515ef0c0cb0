"""Parameter importance: a parameter that orders the losses scores high, one the objective
ignores scores 0 on average whatever the number of trials, and the ranking puts the used
parameters first, also on conditional spaces with few trials."""

from __future__ import annotations

from typing import Any

import numpy as np

from typedspace import Choice, Cond, IntUniform, LogUniform, Uniform, optimize
from typedspace.algorithms import RandomSearch
from typedspace.plots._importance import Importance, eta_squared, importances
from typedspace.storage import TrialRecord


def test_importance_finds_the_parameter_that_matters(records: list[TrialRecord]) -> None:
    scores = importances(records, {"model": True})
    assert next(iter(scores)) == "x"
    assert scores["x"].score > 0.5 > scores["noise"].score
    ok = [r for r in records if r.loss is not None]
    assert scores["x"] == Importance(scores["x"].score, len(ok))  # n: trials it rests on


def test_eta_squared_bounds() -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(size=400)
    assert eta_squared(list(x), list(x), categorical=False) > 0.95
    assert eta_squared(list(x), list(rng.uniform(size=400)), categorical=False) < 0.05


def test_an_ignored_parameter_scores_zero_most_of_the_time_even_with_few_trials() -> None:
    # (n - 1) * raw eta^2 is the Kruskal-Wallis statistic H, about chi^2 with k - 1 degrees of
    # freedom for an ignored parameter; the corrected score is 0 whenever H < k - 1, which has
    # probability 0.57 to 0.63 for k = 2 to 7.  Over 2,000 samples the share of zeros has a
    # standard error of 0.011, so it must exceed 0.5 (more than 6 s.e. of margin); raw eta^2
    # of the same samples averages (k - 1) / (n - 1), e.g. 0.29 for 3 groups of 8 trials.
    rng = np.random.default_rng(1)
    for n, categorical in ((8, True), (12, False), (30, False)):
        scores = [
            eta_squared(
                list(rng.integers(0, 3, n) if categorical else rng.uniform(size=n)),
                list(rng.uniform(size=n)),
                categorical=categorical,
            )
            for _ in range(2000)
        ]
        assert np.mean(np.asarray(scores) == 0.0) > 0.5, (n, categorical)


def test_ignored_parameters_rank_below_used_ones_on_a_conditional_space() -> None:
    space = {
        "model": Cond(
            Choice("forest", "linear"),
            {
                "forest": {"depth": IntUniform(1, 10), "unused_trees": IntUniform(10, 100)},
                "linear": {"unused_c": LogUniform(1e-3, 1e3)},
            },
        ),
        "lr": LogUniform(1e-4, 1.0),
        "unused_noise": Uniform(0.0, 1.0),
    }

    def objective(c: dict[str, Any]) -> float:
        base = 0.1 if "depth" in c["model"] else 0.5  # the model choice drives the loss
        depth = c["model"].get("depth", 5)
        return float(base + abs(depth - 5) / 20 + abs(np.log10(c["lr"]) + 2) / 4)

    for seed in range(5):  # fixed seeds, 24 trials each: the demo's regime
        result = optimize(objective, space, RandomSearch(), max_evals=24, seed=seed)
        scores = importances([t.to_record() for t in result.trials], {"model": True})
        used = min(scores[n].score for n in ("model", "lr"))
        unused = max(scores[n].score for n in scores if "unused" in n)
        assert used > unused, (seed, scores)
