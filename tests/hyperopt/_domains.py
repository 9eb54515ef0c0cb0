"""Hyperopt's test domains, written as Hyperopt writes them (the loss is computed in the
space by pyll arithmetic; the objective returns it), against ``typedspace.hyperopt``.

Each is ``(space, loss_target, evaluations)``: Hyperopt's tests require
``trials.average_best_error() - loss_target < 0.2`` after ``evaluations`` random-search
trials (hyperopt/tests/unit/test_domains.py).  ``n_arms`` and ``gauss_wave2`` draw noise in
the space, as Hyperopt's do (``scope.normal`` with a seeded generator there; a defined
function here).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from typedspace.hyperopt import STATUS_OK, hp
from typedspace.hyperopt._pyll import Scope
from typedspace.hyperopt.pyll import scope

_noise = Scope()


def _normal_with(rng: np.random.Generator) -> Callable[[float, float], float]:
    def normal(mu: float, sigma: float) -> float:
        return float(rng.normal(mu, sigma))

    return normal


def quadratic1() -> dict[str, Any]:
    return {"loss": (hp.uniform("x", -5, 5) - 3) ** 2, "status": STATUS_OK}


def q1_choice() -> dict[str, Any]:
    o_x = hp.choice("o_x", [(-3, hp.uniform("x_neg", -5, 5)), (3, hp.uniform("x_pos", -5, 5))])
    return {"loss": (o_x[0] - o_x[1]) ** 2, "status": STATUS_OK}


def q1_lognormal() -> dict[str, Any]:
    return {"loss": scope.min(0.1 * (hp.lognormal("x", 0, 2) - 10) ** 2, 10), "status": STATUS_OK}


def n_arms(n: int = 2) -> dict[str, Any]:
    normal = Scope()
    normal.define(_normal_with(np.random.default_rng(123)))
    x = hp.choice("x", list(range(n)))
    mus = [-1] + [0] * (n - 1)
    return {
        "loss": normal.normal(scope.getitem(mus, x), 1),
        "loss_variance": 1.0,
        "status": STATUS_OK,
    }


def distractor() -> dict[str, Any]:
    x = hp.uniform("x", -15, 15)
    f1 = 1 / (1 + scope.exp(-x))  # climbs from 0 to 1 rightwards
    f2 = 2 * scope.exp(-((x + 10) ** 2))  # a spike of height 2 at x = -10
    return {"loss": -f1 - f2, "status": STATUS_OK}


def gauss_wave() -> dict[str, Any]:
    x = hp.uniform("x", -20, 20)
    t = hp.choice("curve", [x, x + np.pi])
    return {"loss": -(scope.sin(t) + 2 * scope.exp(-((t / 5) ** 2))), "status": STATUS_OK}


def gauss_wave2() -> dict[str, Any]:
    normal = Scope()
    normal.define(_normal_with(np.random.default_rng(123)))
    var = 0.1
    x = hp.uniform("x", -20, 20)
    amp = hp.uniform("amp", 0, 1)
    t = normal.normal(0, var) + 2 * scope.exp(-((x / 5) ** 2))
    return {
        "loss": -hp.choice("hf", [t, t + scope.sin(x) * amp]),
        "loss_variance": var,
        "status": STATUS_OK,
    }


def many_dists() -> dict[str, Any]:
    a = hp.choice("a", [0, 1, 2])
    b = hp.randint("b", 10)
    bb = hp.randint("bb", 12, 25)
    c = hp.uniform("c", 4, 7)
    d = hp.loguniform("d", -2, 0)
    e = hp.quniform("e", 0, 10, 3)
    f = hp.qloguniform("f", 0, 3, 2)
    g = hp.normal("g", 4, 7)
    h = hp.lognormal("h", -2, 2)
    i = hp.qnormal("i", 0, 10, 2)
    j = hp.qlognormal("j", 0, 2, 1)
    k = hp.pchoice("k", [(0.1, 0), (0.9, 1)])
    z = a + b + bb + c + d + e + f + g + h + i + j + k
    return {"loss": scope.float(scope.log(1e-12 + z**2)), "status": STATUS_OK}


def branin() -> dict[str, Any]:
    x = hp.uniform("x", -5.0, 10.0)
    y = hp.uniform("y", 0.0, 15.0)
    pi = float(np.pi)
    loss = (
        (y - (5.1 / (4 * pi**2)) * x**2 + 5 * x / pi - 6) ** 2
        + 10 * (1 - 1 / (8 * pi)) * scope.cos(x)
        + 10
    )
    return {"loss": loss, "loss_variance": 0, "status": STATUS_OK}


#: name -> (space builder, Hyperopt's loss target, Hyperopt's number of evaluations).
DOMAINS: dict[str, tuple[Callable[[], dict[str, Any]], float, int]] = {
    "quadratic1": (quadratic1, 0.0, 500),
    "q1_lognormal": (q1_lognormal, 0.0, 500),
    "q1_choice": (q1_choice, 0.0, 500),
    "n_arms": (n_arms, -2.0, 500),
    "distractor": (distractor, -2.0, 500),
    "gauss_wave": (gauss_wave, -1.0, 500),
    "gauss_wave2": (gauss_wave2, -2.5, 5000),
    "many_dists": (many_dists, 0.0, 500),
    "branin": (branin, 0.398, 500),
}
