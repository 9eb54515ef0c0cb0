"""The same programs run with Hyperopt itself and with ``typedspace.hyperopt``: where our
result must equal Hyperopt's (argmin's shape, ``space_eval``, ``Trials``' fields, early
stopping), it does.  Hyperopt is in the ``test`` extra for these tests."""

from __future__ import annotations

import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import hyperopt
import hyperopt.early_stop
import hyperopt.pyll
import hyperopt.pyll.stochastic
import numpy as np
import pytest

import typedspace.hyperopt as ours
import typedspace.hyperopt.early_stop
import typedspace.hyperopt.pyll
import typedspace.hyperopt.pyll.stochastic

LIBRARIES = {"hyperopt": hyperopt, "typedspace": ours}
EARLY_STOP = {"hyperopt": hyperopt.early_stop, "typedspace": typedspace.hyperopt.early_stop}
SCOPES = {"hyperopt": hyperopt.pyll.scope, "typedspace": typedspace.hyperopt.pyll.scope}


def mixed_space(hp: Any, scope: Any) -> dict[str, Any]:
    """A space with every hp kind, conditional branches, arithmetic and a shared node."""
    x = hp.uniform("x", -20, 20)
    return {
        "lr": hp.loguniform("lr", math.log(1e-4), math.log(1e-1)),
        "units": scope.int(hp.quniform("units", 16, 256, 16)),
        "depth": 1 + hp.randint("depth", 4),
        "width": hp.randint("width", 3, 9) * 2,
        "k": hp.uniformint("k", 1, 5),
        "opt": hp.choice(
            "opt",
            [
                {"name": "sgd", "momentum": hp.uniform("momentum", 0, 1)},
                {"name": "adam", "beta": hp.qloguniform("beta", 0, 2, 0.5)},
                ("plain", hp.normal("noise", 0, 1), hp.qnormal("qn", 0, 5, 1)),
            ],
        ),
        "act": hp.pchoice("act", [(0.2, "relu"), (0.8, "tanh")]),
        "ln": hp.lognormal("ln", 0, 1),
        "qln": hp.qlognormal("qln", 1, 1, 2),
        "wave": hp.choice("curve", [x, x + math.pi]),
        "x2": x**2,
    }


def _objective(config: dict[str, Any]) -> dict[str, Any]:
    opt = config["opt"]
    if isinstance(opt, dict) and opt["name"] == "adam" and opt["beta"] > 5:
        return {"status": "fail", "why": "too big"}
    loss = abs(math.log10(config["lr"]) + 2) + config["depth"] + config["x2"] / 100
    return {"loss": loss, "status": "ok", "depth_seen": config["depth"]}


def _run(name: str, max_evals: int = 30, **kwargs: Any) -> tuple[Any, Any, Any]:
    lib: ModuleType = LIBRARIES[name]
    space = mixed_space(lib.hp, SCOPES[name])
    trials = lib.Trials()
    best = lib.fmin(
        _objective,
        space,
        lib.rand.suggest,
        max_evals,
        trials=trials,
        rstate=np.random.default_rng(0),
        show_progressbar=False,
        **kwargs,
    )
    return space, trials, best


def _assignment(doc: dict[str, Any]) -> dict[str, Any]:
    return {label: v[0] for label, v in doc["misc"]["vals"].items() if v}


def _same(a: Any, b: Any) -> bool:
    """Equal values, up to numpy scalars and float rounding in the last digits."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    a, b = (v.item() if isinstance(v, np.generic) else v for v in (a, b))
    if isinstance(a, float) or isinstance(b, float):
        return bool(np.isclose(a, b, rtol=1e-12, atol=0.0))
    return bool(a == b) and type(a) is type(b)


def test_space_eval_agrees_on_every_point_hyperopt_drew() -> None:
    h_space, h_trials, _ = _run("hyperopt", max_evals=60)
    t_space = mixed_space(ours.hp, SCOPES["typedspace"])
    for doc in h_trials.trials:
        point = _assignment(doc)
        assert _same(hyperopt.space_eval(h_space, point), ours.space_eval(t_space, point)), point


def test_hyperopt_evaluates_our_argmin_as_we_do() -> None:
    t_space, t_trials, best = _run("typedspace", max_evals=60)
    h_space = mixed_space(hyperopt.hp, SCOPES["hyperopt"])
    assert best == t_trials.argmin
    for doc in t_trials.trials:
        point = _assignment(doc)
        assert _same(hyperopt.space_eval(h_space, point), ours.space_eval(t_space, point)), point


def test_trials_have_the_same_shapes() -> None:
    (_, h, h_best), (_, t, t_best) = _run("hyperopt"), _run("typedspace")
    assert len(h) == len(t) == 30
    assert set(h.trials[0]) == set(t.trials[0])
    assert set(h.trials[0]["misc"]) == set(t.trials[0]["misc"])
    assert h.trials[0]["misc"]["cmd"] == t.trials[0]["misc"]["cmd"]
    assert list(h.trials[0]["misc"]["vals"]) == list(t.trials[0]["misc"]["vals"])  # sorted labels
    assert list(h.vals) == list(t.vals) and list(h.idxs) == list(t.idxs)
    for trials in (h, t):
        for doc in trials.trials:
            result = doc["result"]
            assert doc["state"] == hyperopt.JOB_STATE_DONE
            if result["status"] == "ok":
                assert set(result) == {"loss", "status", "depth_seen"}
            else:
                assert result == {"status": "fail", "why": "too big"}
        assert {"ok", "fail"} <= set(trials.statuses())
        assert [r.get("loss") for r in trials.results] == trials.losses()
        assert trials.best_trial["result"]["loss"] == min(
            x for x in trials.losses() if x is not None
        )
    assert set(h_best) <= set(h.vals) and set(t_best) <= set(t.vals)
    for best in (h_best, t_best):
        assert best["opt"] in (0, 1, 2) and best["act"] in (0, 1) and best["curve"] in (0, 1)


def test_return_argmin_false_gives_the_configuration_in_both() -> None:
    for name in LIBRARIES:
        space, trials, best = _run(name, return_argmin=False)
        assert _same(best, LIBRARIES[name].space_eval(space, trials.argmin))


@pytest.mark.parametrize("name", sorted(LIBRARIES))
def test_errors_leave_the_same_trials(name: str) -> None:
    lib = LIBRARIES[name]

    def boom(x: float) -> float:
        raise RuntimeError("boom")

    caught = lib.Trials()
    lib.fmin(boom, lib.hp.uniform("x", 0, 1), lib.rand.suggest, 2, trials=caught,
             catch_eval_exceptions=True, return_argmin=False, show_progressbar=False)  # fmt: skip
    assert len(caught) == 0
    assert [d["state"] for d in caught._dynamic_trials] == [lib.JOB_STATE_ERROR] * 2
    raised = lib.Trials()
    with pytest.raises(RuntimeError, match="boom"):
        lib.fmin(boom, lib.hp.uniform("x", 0, 1), lib.rand.suggest, 2, trials=raised,
                 show_progressbar=False)  # fmt: skip
    assert len(raised) == 0 and len(raised._dynamic_trials) == 1


@pytest.mark.parametrize(
    "losses, stop_count, percent",
    [
        ([5.0, 4.0, 4.5, 4.2, 3.9, 4.0, 4.1, 4.3, 3.0, 3.5, 3.6, 3.7, 3.8, 3.9], 3, 0.0),
        ([100.0, 99.5, 99.2, 50.0, 49.9, 49.8, 49.7, 1.0, 1.0, 1.0], 2, 1.0),
    ],
)
def test_no_progress_loss_stops_at_the_same_trial(
    losses: list[float], stop_count: int, percent: float
) -> None:
    lengths = {}
    for name, lib in LIBRARIES.items():
        sequence = iter(losses)
        trials = lib.Trials()
        lib.fmin(lambda x, sequence=sequence: next(sequence), lib.hp.uniform("x", 0, 1), lib.rand.suggest,
                 len(losses), trials=trials, show_progressbar=False,
                 early_stop_fn=EARLY_STOP[name].no_progress_loss(stop_count, percent))  # fmt: skip
        lengths[name] = len(trials)
    assert lengths["hyperopt"] == lengths["typedspace"] < len(losses)


@pytest.mark.parametrize("name", sorted(LIBRARIES))
def test_a_duplicate_label_is_refused_by_both(name: str) -> None:
    lib = LIBRARIES[name]
    space = {"a": lib.hp.uniform("x", 0, 1), "b": lib.hp.uniform("x", 0, 2)}
    with pytest.raises(Exception, match="x"):
        lib.fmin(lambda c: 0.0, space, lib.rand.suggest, 1, show_progressbar=False)


def _draws(name: str, build: Callable[[Any], Any], n: int = 2000) -> list[Any]:
    sample = (
        hyperopt.pyll.stochastic.sample
        if name == "hyperopt"
        else typedspace.hyperopt.pyll.stochastic.sample
    )
    rng = np.random.default_rng(0)
    space = build(LIBRARIES[name].hp)
    return [sample(space, rng=rng) for _ in range(n)]


@pytest.mark.parametrize(
    "build",
    [
        lambda hp: hp.randint("n", 5),
        lambda hp: hp.randint("n", 3, 7),
        lambda hp: hp.uniformint("n", 1, 4),
        lambda hp: hp.choice("c", ["a", "b", "c"]),
        lambda hp: hp.quniform("q", 0, 10, 3),
    ],
    ids=["randint", "randint-low-high", "uniformint", "choice", "quniform"],
)
def test_discrete_supports_agree(build: Callable[[Any], Any]) -> None:
    supports = {
        name: {v if isinstance(v, str) else float(v) for v in _draws(name, build)}
        for name in LIBRARIES
    }
    assert supports["hyperopt"] == supports["typedspace"]


def test_pchoice_frequencies_agree() -> None:
    # 2,000 draws of p = 0.2: s.e. 0.009 each, so 0.04 is above 3 s.e. of the difference.
    build: Callable[[Any], Any] = lambda hp: hp.pchoice("c", [(0.2, "a"), (0.8, "b")])  # noqa: E731
    shares = {name: _draws(name, build).count("a") / 2000 for name in LIBRARIES}
    assert abs(shares["hyperopt"] - shares["typedspace"]) < 0.04


def test_our_modules_offer_names_hyperopt_has() -> None:
    import hyperopt.base
    import hyperopt.exceptions
    import hyperopt.mongoexp

    everywhere = (hyperopt, hyperopt.base, hyperopt.exceptions, hyperopt.mongoexp)
    pairs = [
        (ours, everywhere),  # our top level also offers what Hyperopt keeps in base etc.
        (ours.base, (hyperopt.base,)),
        (ours.exceptions, (hyperopt.exceptions,)),
        (ours.hp, (hyperopt.hp,)),
        (ours.early_stop, (hyperopt.early_stop,)),
    ]
    for mine, theirs in pairs:
        missing = [n for n in mine.__all__ if not any(hasattr(m, n) for m in theirs)]
        assert set(missing) <= {"to_typed"}, (mine.__name__, missing)
    for constant in ("STATUS_OK", "STATUS_FAIL", "JOB_STATE_DONE", "JOB_STATE_ERROR"):
        assert getattr(ours, constant) == getattr(hyperopt, constant)
