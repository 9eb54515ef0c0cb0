"""Pruning at equal total steps: learning-curve problems, our TPE with each pruner against
Optuna's TPE with its pruners, and both without pruning (issue 14).

Every run is an ask/tell loop that walks each trial's learning curve one step at a time
(an epoch, a boosting stage, one fidelity level), reports every step to the optimizer and
stops the trial when its pruner says so.  The budget is a number of *steps* summed over all
trials, ``B = --full-trials x steps per curve`` (without pruning: that many complete trials);
the trial running when the budget runs out is cut there and never completes.  A run's score
at a budget ``b <= B`` is the best final loss among the trials that *completed* within ``b``
steps (a pruned trial has no final loss); a run with no completed trial by then scores the
worst value it saw.  Every method is deterministic given its seed and nothing depends on
``B`` until it is reached, so the score of a run with budget ``b`` is read off the run with
budget ``B`` (the first ``b`` steps are the same run): that is how ``B / 3`` is reported.

Problems (each curve is a deterministic function of the configuration; 27 steps, so that
rungs at 1, 3, 9 and 27 line up with reduction factor 3):

* ``hartmann6_mf``: the augmented Hartmann-6 function of BoTorch
  (``botorch.test_functions.multi_fidelity.AugmentedHartmann``, the multi-fidelity benchmark
  of Wu, Toscano-Palmerin, Frazier and Wilson, "Practical Multi-fidelity Bayesian
  Optimization for Hyperparameter Tuning", UAI 2019)::

      H(x, s) = -(alpha_1 - 0.1 (1 - s)) exp(-sum_j A_1j (x_j - P_1j)^2)
                - sum_{i=2..4} alpha_i exp(-sum_j A_ij (x_j - P_ij)^2)

  with the Hartmann-6 constants, ``x`` in ``[0, 1]^6`` and fidelity ``s = step / 27``; the
  loss is ``H(x, s) - H_min`` (``H_min = -3.32237``, at ``s = 1``), so the last step is the
  plain Hartmann-6 regret and lower fidelities add a bias that shrinks to 0.
* ``gboost``: ``GradientBoostingClassifier`` (learning rate, depth, subsample,
  min_samples_leaf, max_features) on a generated binary problem (``make_classification``,
  1,000 samples, 20 features, 10 % label noise, split 500/500); step ``k`` = the model with
  ``k`` stages, loss = validation log-loss.  Stages are fitted lazily with ``warm_start``
  in chunks ending at steps 1, 3, 9 and 27 (the random state carries over, so the model is
  the one a single fit would give), so a pruned trial costs less wall time; steps, not
  seconds, are the budget anyway.
* ``mlp_digits``: ``MLPClassifier`` (one hidden layer; learning rate, L2, width, batch size)
  trained epoch by epoch with ``partial_fit`` on ``load_digits`` (400 training, 400
  validation images, stratified, pixels / 16); loss = validation error rate after each epoch.

Methods: our ``TPE()`` with ``pruner=None`` and with each of our pruners at its defaults
(``SuccessiveHalving`` and ``Hyperband`` given ``max_steps=27``, each also with
``window=2``: a tournament of three consecutive trials at each rung; ``Patient`` needs a
patience: 3, around ``MedianPruner()``; ``PercentilePruner(25.0)``, the harder cut of the
guide), and Optuna's default
``TPESampler(seed=seed, multivariate=True)`` with ``NopPruner``, ``MedianPruner()``,
``SuccessiveHalvingPruner()`` and ``HyperbandPruner(max_resource=27)`` (their defaults
otherwise).  Our loop: ``ask``, ``report(trial, step, value)`` at every step (the last one
too, as a training loop does), ``tell(trial, TrialPruned())`` when it returns True, else
``tell(trial, final)``; Optuna's: ``study.ask()``, ``trial.report(value, step)``,
``trial.should_prune()``, ``study.tell(trial, state=TrialState.PRUNED)``.

    .venv/bin/python benchmarks/bench_pruning.py                      # the full run
    .venv/bin/python benchmarks/bench_pruning.py --seeds 2 --slow-seeds 1 --full-trials 20 \\
        --out /tmp/pruning.md                                         # smoke test, ~2 min
    .venv/bin/python benchmarks/bench_pruning.py --tables benchmarks/out/pruning.json

Held-out scores: the validation loss of a run's best trial is biased low by the choice, the
more so the more trials it completes, which favours runs that prune nothing.  So the
configuration a run returns at ``B / 3`` and at ``B`` is also scored on data no trial saw
(the MLP: the 997 digits outside its 400 + 400; gradient boosting: 2,000 new samples of the
same generated problem), and the report has a table of both targets on those scores.

``ours GP ...`` rows: our ``GP()`` (what ``optimize`` picks for budgets of up to 64 trials,
192 with a pruner) instead of TPE, without pruning and with three pruners; once a trial is
pruned it models the loss over configuration and step.  The tables add target (b) against
GP without pruning for them, and GP against TPE with the same pruner at equal numbers of
trials started (what chose that 192).

Oracle rows (``oracle + ...``, not in the default run): our TPE and that pruner, but every
step reports the trial's final loss: what the pruning schedule could reach if early values
told the final loss, a ceiling, not a method.  ``ours + Forecast(...)``,
``ours GP + ModelForecast(...)`` and ``ours GP (noisy incumbent) ...``: experiments
(``forecast_pruner.py``, ``model_pruner.py``, ``gp_variants.py``; none helped, see
``RESULTS-pruning.md``), not in the default run either.

Single process, single-threaded (BLAS limited to one thread).  Raw runs (every trial's
curve as far as it went, its configuration, and the held-out scores):
``benchmarks/out/<name of --out>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shlex
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from _machine import cpu_model, git_commit, load_average
from competitors import optuna_sampler
from forecast_pruner import Forecast
from gp_variants import NoisyIncumbentGP
from model_pruner import ModelForecast
from problems import _H_A, _H_ALPHA, _H_P, HARTMANN6_MIN, to_optuna

from typedspace import (
    IntLogUniform,
    IntUniform,
    LogUniform,
    Optimizer,
    Space,
    TrialPruned,
    Uniform,
    as_space,
)
from typedspace.algorithms import GP, TPE, Algorithm
from typedspace.backends._flatten import flatten
from typedspace.pruners import (
    Hyperband,
    IfPredictive,
    MedianPruner,
    Patient,
    PercentilePruner,
    Pruner,
    SuccessiveHalving,
    WilcoxonPruner,
)

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
STEPS = 27
"""The length of every learning curve (3 ** 3: the rungs of reduction factor 3 line up)."""

Value = dict[str, Any]


@dataclass(frozen=True)
class CurveProblem:
    """A search space and, for each value of it, a learning curve of ``steps`` losses (the
    last one is the final loss), produced lazily, one step per ``next``."""

    name: str
    space: Space[Value]
    curve: Callable[[Value], Iterator[float]]
    steps: int
    description: str
    #: The final loss of a value on held-out data, when the problem has some.
    heldout: Callable[[Value], float] | None = None


# -- the problems -------------------------------------------------------------------------------


def hartmann6_mf_curve(value: Value) -> Iterator[float]:
    x = np.array([value[f"x{i}"] for i in range(6)])
    bumps = np.exp(-np.sum(_H_A * (x - _H_P) ** 2, axis=1))
    for step in range(1, STEPS + 1):
        s = step / STEPS
        alpha = _H_ALPHA - np.array([0.1 * (1 - s), 0.0, 0.0, 0.0])
        yield float(-np.sum(alpha * bumps)) - HARTMANN6_MIN


GB_STAGES_PER_STEP = 1
GB_CHUNKS = (1, 3, 9, 27)
"""Stages are fitted (warm start) up to the end of the chunk holding the step asked for."""


GB_PROBLEM = {
    "n_features": 20,
    "n_informative": 5,
    "n_redundant": 5,
    "flip_y": 0.1,
    "class_sep": 0.7,
}
GB_SAMPLES = 1000
GB_HELDOUT = 2000


@cache
def _gb_data() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=GB_SAMPLES, random_state=0, **GB_PROBLEM)
    return X[:500], y[:500], X[500:], y[500:]


class _NewSamples(np.random.RandomState):
    """A generator for ``make_classification`` that gives the problem of ``random_state=0``
    with ``GB_SAMPLES`` samples (the same clusters, covariances, redundant features, shift,
    scale and feature order) but *new* samples of it, ``GB_HELDOUT`` of them: every draw made
    per sample is taken from the original stream at the original size (so the draws after it
    are the original ones) and answered from an independent stream."""

    def __init__(self) -> None:
        super().__init__(0)
        self.fresh = np.random.RandomState(12345)
        self.flips: int | None = None  # how many labels the original flipped, once drawn

    def standard_normal(self, size: Any = None) -> Any:
        if isinstance(size, tuple) and size[0] == GB_HELDOUT:
            super().standard_normal(size=(GB_SAMPLES, *size[1:]))
            return self.fresh.standard_normal(size=size)
        return super().standard_normal(size=size)

    def uniform(self, low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Any:
        if size == GB_HELDOUT:  # the labels to flip
            self.flips = int(np.sum(super().uniform(size=GB_SAMPLES) < GB_PROBLEM["flip_y"]))
            return self.fresh.uniform(low, high, size=size)
        return super().uniform(low, high, size=size)

    def randint(self, low: Any, high: Any = None, size: Any = None, dtype: Any = int) -> Any:
        if self.flips is None:
            return super().randint(low, high, size=size, dtype=dtype)
        super().randint(low, high, size=self.flips, dtype=dtype)  # the original flips' labels
        self.flips = None
        return self.fresh.randint(low, high, size=size, dtype=dtype)

    def shuffle(self, x: Any) -> None:
        if len(x) == GB_HELDOUT:  # the samples' order
            super().shuffle(np.arange(GB_SAMPLES))
            self.fresh.shuffle(x)
        else:  # the features' order
            super().shuffle(x)


@cache
def _gb_heldout_data() -> tuple[np.ndarray, np.ndarray]:
    """``GB_HELDOUT`` new samples of the gradient boosting problem, never seen by a run."""
    from sklearn.datasets import make_classification

    new = make_classification(
        n_samples=GB_HELDOUT, random_state=_NewSamples(), return_X_y=False, **GB_PROBLEM
    )
    original = make_classification(
        n_samples=GB_SAMPLES, random_state=0, return_X_y=False, **GB_PROBLEM
    )
    # Drawn after every per-sample draw: equal only if the streams stayed aligned (they would
    # not if scikit-learn changed how make_classification draws).
    for name in ("shift", "scale"):
        if not np.array_equal(new.parameters[name], original.parameters[name]):
            raise RuntimeError(f"held-out gradient boosting data: the {name} differs")
    if new.feature_info != original.feature_info:
        raise RuntimeError("held-out gradient boosting data: the features' order differs")
    return new.X, new.y


def _gb_chunks(value: Value) -> Iterator[tuple[Any, range]]:
    """The boosting model of ``value`` after each chunk of stages, and the steps it adds."""
    from sklearn.ensemble import GradientBoostingClassifier

    X_train, y_train, _, _ = _gb_data()
    model = GradientBoostingClassifier(
        learning_rate=value["learning_rate"],
        max_depth=value["max_depth"],
        subsample=value["subsample"],
        min_samples_leaf=value["min_samples_leaf"],
        max_features=value["max_features"],
        n_estimators=1,
        warm_start=True,
        random_state=0,
    )
    done = 0
    for end in GB_CHUNKS:
        model.set_params(n_estimators=end * GB_STAGES_PER_STEP)
        model.fit(X_train, y_train)
        yield model, range(done + 1, end + 1)
        done = end


def _log_loss(y: np.ndarray, proba: np.ndarray) -> float:
    p = np.clip(proba[:, 1], 1e-15, 1 - 1e-15)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def gboost_curve(value: Value) -> Iterator[float]:
    _, _, X_val, y_val = _gb_data()
    for model, steps in _gb_chunks(value):
        staged = list(model.staged_predict_proba(X_val))
        for step in steps:
            yield _log_loss(y_val, staged[step * GB_STAGES_PER_STEP - 1])


def gboost_heldout(value: Value) -> float:
    """The held-out log-loss of the model that ``gboost_curve`` ends with."""
    X_rest, y_rest = _gb_heldout_data()
    *_, (trained, _) = _gb_chunks(value)
    return _log_loss(y_rest, trained.predict_proba(X_rest))


@cache
def _digits() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X_train, y_train, X_val, y_val, _, _ = _digits_with_heldout()
    return X_train, y_train, X_val, y_val


@cache
def _digits_with_heldout() -> tuple[np.ndarray, ...]:
    """400 training and 400 validation images as ever, and the other 997 held out: never
    seen by a run, they score the configuration a run returns."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    pixels = X / 16.0
    X_train, X_val, y_train, y_val = train_test_split(
        pixels, y, train_size=400, test_size=400, stratify=y, random_state=0
    )
    # Held out: every image not among the 800 (nor equal to one of them).
    seen = {row.tobytes() for row in np.concatenate([X_train, X_val])}
    rest = np.array([row.tobytes() not in seen for row in pixels])
    return X_train, y_train, X_val, y_val, pixels[rest], y[rest]


def _mlp_epochs(value: Value) -> Iterator[Any]:
    """The MLP of ``value`` after each of its epochs on the training images."""
    from sklearn.neural_network import MLPClassifier

    X_train, y_train, _, _ = _digits()
    model = MLPClassifier(
        hidden_layer_sizes=(value["width"],),
        learning_rate_init=value["learning_rate"],
        alpha=value["l2"],
        batch_size=value["batch_size"],
        random_state=0,
    )
    classes = np.arange(10)
    for _ in range(STEPS):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # overflow at the largest learning rates
            model.partial_fit(X_train, y_train, classes=classes)
        yield model


def _error(model: Any, X: np.ndarray, y: np.ndarray) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(np.mean(model.predict(X) != y))


def mlp_curve(value: Value) -> Iterator[float]:
    _, _, X_val, y_val = _digits()
    for model in _mlp_epochs(value):
        yield _error(model, X_val, y_val)


def mlp_heldout(value: Value) -> float:
    """The error on the held-out images of the MLP that ``mlp_curve`` ends with."""
    *_, X_rest, y_rest = _digits_with_heldout()
    *_, trained = _mlp_epochs(value)
    return _error(trained, X_rest, y_rest)


PROBLEMS: dict[str, CurveProblem] = {
    p.name: p
    for p in [
        CurveProblem(
            "hartmann6_mf",
            as_space({f"x{i}": Uniform(0.0, 1.0) for i in range(6)}),
            hartmann6_mf_curve,
            STEPS,
            "augmented Hartmann-6 (BoTorch / Wu et al. 2019), fidelity s = step/27, loss = regret",
        ),
        CurveProblem(
            "gboost",
            as_space(
                {
                    "learning_rate": LogUniform(0.01, 1.0),
                    "max_depth": IntUniform(1, 5),
                    "subsample": Uniform(0.2, 1.0),
                    "min_samples_leaf": IntLogUniform(1, 100),
                    "max_features": Uniform(0.1, 1.0),
                }
            ),
            gboost_curve,
            STEPS,
            "GradientBoostingClassifier, one stage per step, validation log-loss",
            gboost_heldout,
        ),
        CurveProblem(
            "mlp_digits",
            as_space(
                {
                    "learning_rate": LogUniform(1e-5, 1e-1),
                    "l2": LogUniform(1e-6, 1.0),
                    "width": IntLogUniform(8, 128),
                    "batch_size": IntLogUniform(32, 256),
                }
            ),
            mlp_curve,
            STEPS,
            "MLPClassifier on digits, one epoch per step (partial_fit), validation error",
            mlp_heldout,
        ),
    ]
}


# -- the methods --------------------------------------------------------------------------------

TrialLog = dict[str, Any]
"""One trial: ``values`` (its curve as far as it ran) and ``state``: complete, pruned or cut
(the budget ran out during it)."""

Runner = Callable[[CurveProblem, int, int], list[TrialLog]]
"""``runner(problem, seed, budget)`` -> the trials in order, until ``budget`` steps."""


def run_ours(
    make_pruner: Callable[[CurveProblem], Pruner | None],
    *,
    oracle: bool = False,
    algo: Callable[[], Algorithm] = TPE,
) -> Runner:
    """Our TPE (or ``algo``) with the pruner ``make_pruner`` gives.  With ``oracle``, every step reports the
    trial's *final* loss (the curve is computed to its end first; steps are still counted as
    they are walked): what pruning could reach if early values told the final loss exactly,
    a ceiling for any pruner on the same schedule, not a method."""

    def run(problem: CurveProblem, seed: int, budget: int) -> list[TrialLog]:
        opt = Optimizer(problem.space, algo(), seed=seed, pruner=make_pruner(problem))
        trials: list[TrialLog] = []
        spent = 0
        note = getattr(opt.pruner, "note", None)  # the ModelForecast experiment's hook
        while spent < budget:
            trial = opt.ask()
            if note is not None:
                note(trial.number, trial.assignment)
            values: list[float] = []
            state = "complete"
            curve: Iterable[float] = problem.curve(trial.value)
            if oracle:
                curve = list(curve)
                final = curve[-1]
            for step, value in enumerate(curve, start=1):
                values.append(value)
                spent += 1
                if step < problem.steps and spent >= budget:
                    state = "cut"
                    break
                if opt.report(trial, step, final if oracle else value):
                    opt.tell(trial, TrialPruned())
                    state = "pruned"
                    break
            if state == "complete":
                opt.tell(trial, values[-1])
            trials.append({"state": state, "values": values, "value": trial.value})
        return trials

    return run


def run_optuna(make_pruner: Callable[[CurveProblem], Any]) -> Runner:
    def run(problem: CurveProblem, seed: int, budget: int) -> list[TrialLog]:
        import optuna
        from optuna.trial import TrialState

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        # A fixed study name: HyperbandPruner draws each trial's bracket from a hash of it.
        study = optuna.create_study(
            study_name=f"bench_pruning_{seed}",
            sampler=optuna_sampler(seed, True),
            pruner=make_pruner(problem),
        )
        trials: list[TrialLog] = []
        spent = 0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            while spent < budget:
                trial = study.ask()
                value = to_optuna(problem.space, trial)
                values: list[float] = []
                state = "complete"
                for step, loss in enumerate(problem.curve(value), start=1):
                    values.append(loss)
                    spent += 1
                    if step < problem.steps and spent >= budget:
                        state = "cut"
                        break
                    trial.report(loss, step)
                    if trial.should_prune():
                        study.tell(trial, state=TrialState.PRUNED)
                        state = "pruned"
                        break
                if state == "complete":
                    study.tell(trial, values[-1])
                trials.append({"state": state, "values": values, "value": value})
        return trials

    return run


def _optuna_pruner(name: str, **kwargs: Any) -> Callable[[CurveProblem], Any]:
    def make(problem: CurveProblem) -> Any:
        import optuna

        return getattr(optuna.pruners, name)(**kwargs)

    return make


def _checked(name: str, wrap: Callable[[Pruner], Pruner]) -> dict[str, Runner]:
    """Hyperband with and without a window and windowed halving, each inside ``wrap``."""
    return {
        f"ours + {name}(Hyperband(max_steps=27))": run_ours(
            lambda p: wrap(Hyperband(max_steps=p.steps))
        ),
        f"ours + {name}(Hyperband(max_steps=27, window=2))": run_ours(
            lambda p: wrap(Hyperband(max_steps=p.steps, window=2))
        ),
        f"ours + {name}(SuccessiveHalving(max_steps=27, window=2))": run_ours(
            lambda p: wrap(SuccessiveHalving(max_steps=p.steps, window=2))
        ),
    }


def _model_forecast(make: Callable[[CurveProblem], Pruner]) -> Runner:
    """Our GP with ``make``'s pruner judging the model's forecasts (``model_pruner.py``)."""
    return run_ours(lambda p: ModelForecast(make(p), flatten(p.space).table), algo=GP)


NO_PRUNING = "ours, no pruning"
METHODS: dict[str, Runner] = {
    NO_PRUNING: run_ours(lambda p: None),
    "ours + MedianPruner()": run_ours(lambda p: MedianPruner()),
    "ours + PercentilePruner(25)": run_ours(lambda p: PercentilePruner(25.0)),
    "ours + SuccessiveHalving()": run_ours(lambda p: SuccessiveHalving()),
    "ours + SuccessiveHalving(max_steps=27)": run_ours(
        lambda p: SuccessiveHalving(max_steps=p.steps)
    ),
    "ours + SuccessiveHalving(max_steps=27, window=2)": run_ours(
        lambda p: SuccessiveHalving(max_steps=p.steps, window=2)
    ),
    "ours + Hyperband(max_steps=27)": run_ours(lambda p: Hyperband(max_steps=p.steps)),
    "ours + Hyperband(max_steps=27, window=2)": run_ours(
        lambda p: Hyperband(max_steps=p.steps, window=2)
    ),
    "ours + SuccessiveHalving(min_steps=9, max_steps=27)": run_ours(
        lambda p: SuccessiveHalving(min_steps=9, max_steps=p.steps)
    ),
    "ours + SuccessiveHalving(min_steps=9, max_steps=27, window=2)": run_ours(
        lambda p: SuccessiveHalving(min_steps=9, max_steps=p.steps, window=2)
    ),
    "ours + Hyperband(min_steps=9, max_steps=27)": run_ours(
        lambda p: Hyperband(min_steps=9, max_steps=p.steps)
    ),
    **_checked("IfPredictive", IfPredictive),
    **_checked("Forecast", Forecast),
    "ours + Patient(3, MedianPruner())": run_ours(
        lambda p: Patient(patience=3, pruner=MedianPruner())
    ),
    "ours + WilcoxonPruner()": run_ours(lambda p: WilcoxonPruner()),
    "oracle + Hyperband(max_steps=27)": run_ours(
        lambda p: Hyperband(max_steps=p.steps), oracle=True
    ),
    "oracle + SuccessiveHalving(max_steps=27, window=2)": run_ours(
        lambda p: SuccessiveHalving(max_steps=p.steps, window=2), oracle=True
    ),
    "ours GP, no pruning": run_ours(lambda p: None, algo=GP),
    "ours GP + Hyperband(max_steps=27)": run_ours(lambda p: Hyperband(max_steps=p.steps), algo=GP),
    "ours GP + IfPredictive(Hyperband(max_steps=27, window=2))": run_ours(
        lambda p: IfPredictive(Hyperband(max_steps=p.steps, window=2)), algo=GP
    ),
    "ours GP + SuccessiveHalving(max_steps=27, window=2)": run_ours(
        lambda p: SuccessiveHalving(max_steps=p.steps, window=2), algo=GP
    ),
    "ours GP + ModelForecast(Hyperband(max_steps=27))": _model_forecast(
        lambda p: Hyperband(max_steps=p.steps)
    ),
    "ours GP + ModelForecast(SuccessiveHalving(max_steps=27, window=2))": _model_forecast(
        lambda p: SuccessiveHalving(max_steps=p.steps, window=2)
    ),
    "ours GP (noisy incumbent), no pruning": run_ours(lambda p: None, algo=NoisyIncumbentGP),
    "ours GP (noisy incumbent) + Hyperband(max_steps=27)": run_ours(
        lambda p: Hyperband(max_steps=p.steps), algo=NoisyIncumbentGP
    ),
    "optuna, no pruning": run_optuna(_optuna_pruner("NopPruner")),
    "optuna + MedianPruner()": run_optuna(_optuna_pruner("MedianPruner")),
    "optuna + SuccessiveHalvingPruner()": run_optuna(_optuna_pruner("SuccessiveHalvingPruner")),
    "optuna + HyperbandPruner(max_resource=27)": run_optuna(
        _optuna_pruner("HyperbandPruner", max_resource=STEPS)
    ),
}
"""The compared methods, in table order."""

ORACLES = [m for m in METHODS if m.startswith("oracle +")]
"""Ceilings, not methods: pruners told every trial's final loss at its first step."""

DEFAULT_METHODS = [
    m
    for m in METHODS
    if m not in ("ours + WilcoxonPruner()", "ours + SuccessiveHalving()")
    if "min_steps=9" not in m and "Forecast" not in m and m not in ORACLES
    if "noisy incumbent" not in m  # ("Forecast" covers ModelForecast)
]
"""Not ``SuccessiveHalving()`` without ``max_steps`` (it stops trials at their last step,
a waste the guide tells users to avoid), nor the variants pruning from step 9 only and the
``Forecast``, ``ModelForecast`` and noisy-incumbent experiments (they measure gradient
boosting's miss of target (b) and the GP's held-out MLP scores), nor the
oracles (ceilings: they compute every trial's whole curve), nor ``WilcoxonPruner``: it is for folds (a paired test against the best trial on the same
folds); on a learning curve every step of a worse trial is worse, so it stops nearly every
trial after 4 steps (``--methods`` runs it).  And its scipy test per report is the slowest."""
SLOW = ("gboost", "mlp_digits")

OURS_PRUNED = [
    m for m in METHODS if m.startswith(("ours +", "ours GP +", "ours GP (noisy incumbent) +"))
]
GP_NO_PRUNING = "ours GP, no pruning"
OPTUNA_PRUNED = [m for m in METHODS if m.startswith("optuna +")]


# -- scoring ------------------------------------------------------------------------------------


def score(trials: Sequence[TrialLog], budget: int) -> float:
    """The best final loss among the trials completed within ``budget`` steps (the worst value
    seen within the budget if none completed)."""
    best = incumbent(trials, budget)
    if best is not None:
        return float(best["values"][-1])
    spent = 0
    worst = -math.inf
    for t in trials:
        values = t["values"][: max(budget - spent, 0)]
        spent += len(t["values"])
        if values:
            worst = max(worst, *values)
        if spent >= budget:
            break
    return worst


def incumbent(trials: Sequence[TrialLog], budget: int) -> TrialLog | None:
    """The trial a run with ``budget`` steps returns: the first of the completed ones with the
    lowest final loss (None if none completed)."""
    spent = 0
    best: TrialLog | None = None
    for t in trials:
        spent += len(t["values"])
        if spent > budget:
            break
        if t["state"] == "complete" and (best is None or t["values"][-1] < best["values"][-1]):
            best = t
    return best


def heldout_losses(
    problem: CurveProblem, trials: Sequence[TrialLog], budget: int
) -> dict[str, float]:
    """The held-out loss of the configuration returned at ``B / 3`` and at ``B``, by budget."""
    if problem.heldout is None:
        return {}
    out = {}
    for b in (budget // 3, budget):
        best = incumbent(trials, b)
        if best is not None and "value" in best:
            out[str(b)] = problem.heldout(best["value"])
    return out


def _fmt(x: float) -> str:
    if not math.isfinite(x):
        return str(x)
    return f"{x:.3g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.2e}"


def _mean_se(x: np.ndarray) -> tuple[float, float]:
    se = float(x.std(ddof=1) / math.sqrt(len(x))) if len(x) > 1 else math.nan
    return float(x.mean()), se


# -- running ------------------------------------------------------------------------------------


def run(
    problems: Sequence[str],
    methods: Sequence[str],
    seeds: dict[str, list[int]],
    full_trials: int,
) -> list[dict[str, Any]]:
    tasks = [(p, s, m) for p in problems for s in seeds[p] for m in methods]
    results: list[dict[str, Any]] = []
    start = time.perf_counter()
    for problem, seed, method in tasks:
        spec = PROBLEMS[problem]
        budget = full_trials * spec.steps
        t0 = time.perf_counter()
        trials = METHODS[method](spec, seed, budget)
        r = {
            "problem": problem,
            "method": method,
            "seed": seed,
            "budget": budget,
            "seconds": time.perf_counter() - t0,
            "trials": trials,
            "heldout": heldout_losses(spec, trials, budget),
        }
        results.append(r)
        elapsed = time.perf_counter() - start
        eta = elapsed / len(results) * (len(tasks) - len(results))
        print(
            f"[{len(results):4d}/{len(tasks)} {elapsed:6.0f}s, ~{eta:4.0f}s left] "
            f"{problem:<13} {method:<42} seed {seed:2d}: {len(trials):4d} trials, "
            f"score {_fmt(score(trials, budget))} ({r['seconds']:.1f}s)",
            flush=True,
        )
    return results


# -- the report ---------------------------------------------------------------------------------


def tables(results: Sequence[dict[str, Any]]) -> str:
    problems = [p for p in PROBLEMS if any(r["problem"] == p for r in results)]
    methods = [m for m in METHODS if any(r["method"] == m for r in results)]
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in sorted(results, key=lambda r: int(r["seed"])):
        runs.setdefault((r["problem"], r["method"]), []).append(r)
    budget = {p: int(runs[p, methods[0]][0]["budget"]) for p in problems}

    def scores(p: str, m: str, b: int, seeds: Sequence[int] | None = None) -> np.ndarray:
        """Per seed (sorted; only ``seeds`` if given; empty if ``m`` did not run on ``p``)."""
        return np.array(
            [
                score(r["trials"], b)
                for r in runs.get((p, m), [])
                if seeds is None or int(r["seed"]) in seeds
            ]
        )

    lines: list[str] = []
    for p in problems:
        B = budget[p]
        third = B // 3
        seeds = [int(r["seed"]) for r in runs[p, methods[0]]]
        lines += [
            f"### {p}",
            "",
            f"{PROBLEMS[p].description}.  Budget B = {B} steps ({B // PROBLEMS[p].steps} "
            f"full curves of {PROBLEMS[p].steps} steps); {len(seeds)} seeds "
            f"({_seed_ranges(seeds)}).  Best final loss among completed trials, "
            "mean ± s.e. over seeds (lower is better).",
            "",
            "| method | at B | at B/3 | trials started (at B) | completed | s / run |",
            "|---|---|---|---|---|---|",
        ]
        for m in methods:
            if (p, m) not in runs:
                continue
            m_b, se_b = _mean_se(scores(p, m, B))
            m_3, se_3 = _mean_se(scores(p, m, third))
            started = np.mean([len(r["trials"]) for r in runs[p, m]])
            done = np.mean([sum(t["state"] == "complete" for t in r["trials"]) for r in runs[p, m]])
            secs = np.mean([r["seconds"] for r in runs[p, m]])
            lines.append(
                f"| {m} | {_fmt(m_b)} ± {_fmt(se_b)} | {_fmt(m_3)} ± {_fmt(se_3)} "
                f"| {started:.0f} | {done:.0f} | {secs:.1f} |"
            )
        lines.append("")
    lines += target_a(problems, methods, budget, scores)
    lines += target_b(problems, methods, budget, scores, runs)
    lines += target_b(problems, methods, budget, scores, runs, GP_NO_PRUNING)
    lines += heldout_tables(problems, methods, budget, runs)
    lines += by_started_trials(problems, runs)
    lines += early_values(problems, runs)
    return "\n".join(lines)


def _seed_ranges(seeds: Sequence[int]) -> str:
    """``[0, 1, 2, 10, 11]`` -> ``"0..2, 10..11"``."""
    ranges: list[list[int]] = []
    for seed in sorted(seeds):
        if ranges and seed == ranges[-1][1] + 1:
            ranges[-1][1] = seed
        else:
            ranges.append([seed, seed])
    return ", ".join(f"{a}..{b}" if a != b else str(a) for a, b in ranges)


class ScoreFn(Protocol):
    def __call__(
        self, p: str, m: str, b: int, seeds: Sequence[int] | None = None, /
    ) -> np.ndarray: ...


def target_a(
    problems: Sequence[str], methods: Sequence[str], budget: dict[str, int], scores: ScoreFn
) -> list[str]:
    ours = [m for m in OURS_PRUNED if m in methods]
    rivals = [m for m in OPTUNA_PRUNED if m in methods]
    if not ours or not rivals:
        return []
    lines = [
        "### Target (a): our pruning against Optuna's best pruner, at B",
        "",
        "Per problem, Optuna's best pruner setting (lowest mean at B) and each of ours: the "
        "difference of the means (ours - Optuna's best; negative = ours better) and its "
        "standard error (the two s.e. combined; the seeds are not paired across libraries).",
        "",
        "| problem | Optuna's best pruner | " + " | ".join(ours) + " |",
        "|---|---|" + "---|" * len(ours),
    ]
    beats = {m: 0 for m in ours}
    for p in problems:
        B = budget[p]
        at_b = {m: x for m in [*rivals, *ours] if len(x := scores(p, m, B))}
        rival = min((m for m in rivals if m in at_b), key=lambda m: float(at_b[m].mean()))
        r_mean, r_se = _mean_se(at_b[rival])
        cells = []
        for m in ours:
            if m not in at_b:  # not run on this problem
                cells.append("")
                continue
            mean, se = _mean_se(at_b[m])
            diff = mean - r_mean
            beats[m] += diff < 0
            cells.append(f"{diff:+.3g} ± {_fmt(math.hypot(se, r_se))}{' ✓' if diff < 0 else ''}")
        lines.append(
            f"| {p} | {rival}: {_fmt(r_mean)} ± {_fmt(r_se)} | " + " | ".join(cells) + " |"
        )
    lines.append(
        "| **problems where ours is better** | | "
        + " | ".join(f"**{beats[m]} / {len(problems)}**" for m in ours)
        + " |"
    )
    lines.append("")
    return lines


def target_b(
    problems: Sequence[str],
    methods: Sequence[str],
    budget: dict[str, int],
    scores: ScoreFn,
    runs: dict[tuple[str, str], list[dict[str, Any]]],
    baseline: str = NO_PRUNING,
) -> list[str]:
    """Target (b) against ``baseline`` at B: every pruned method of ours, or with the GP
    baseline, the GP's."""
    gp = baseline == GP_NO_PRUNING
    ours = [m for m in OURS_PRUNED if m in methods and (m.startswith("ours GP") or not gp)]
    if baseline not in methods or not ours:
        return []
    # No pruning at B/3 first: how far a third of the steps is from B before any pruning;
    # the oracles last: what each schedule could reach if early values were final losses.
    firsts = (
        [baseline] if gp else [NO_PRUNING, *([GP_NO_PRUNING] if GP_NO_PRUNING in methods else [])]
    )
    ours = [*firsts, *ours, *(m for m in ORACLES if m in methods and not gp)]
    lines = [
        "### Target (b): ours with pruning at B/3 against ours without pruning at B"
        + (", with our GP" if gp else ""),
        "",
        "Mean at B/3 with the pruner minus the mean at B without pruning (negative = the "
        "pruned run is better with a third of the steps), ± the standard error of the paired "
        "differences (same seeds); ✓ when the difference is at most one s.e. (matches or "
        "better).  The first column is the run without pruning itself at B/3: what pruning "
        "has to make up."
        + (
            "  Here the baseline is our GP without pruning, and the rows our GP with pruners."
            if gp
            else ""
        ),
        "",
        "| problem | no pruning at B | " + " | ".join(f"{m} (at B/3)" for m in ours) + " |",
        "|---|---|" + "---|" * len(ours),
    ]
    matches = {m: 0 for m in ours}
    for p in problems:
        B = budget[p]
        base = scores(p, baseline, B)
        b_mean, b_se = _mean_se(base)
        cells = []
        for m in ours:
            # Paired over the seeds both ran (a method may have run on fewer).
            seeds = [int(r["seed"]) for r in runs.get((p, m), [])]
            if not seeds:
                cells.append("")
                continue
            diff = scores(p, m, B // 3) - scores(p, baseline, B, seeds)
            d_mean, d_se = _mean_se(diff)
            ok = d_mean <= (d_se if math.isfinite(d_se) else 0.0)
            matches[m] += ok
            cells.append(f"{d_mean:+.3g} ± {_fmt(d_se)}{' ✓' if ok else ''}")
        lines.append(f"| {p} | {_fmt(b_mean)} ± {_fmt(b_se)} | " + " | ".join(cells) + " |")
    lines.append(
        "| **problems matched** | | "
        + " | ".join(f"**{matches[m]} / {len(problems)}**" for m in ours)
        + " |"
    )
    lines.append("")
    return lines


def heldout_tables(
    problems: Sequence[str],
    methods: Sequence[str],
    budget: dict[str, int],
    runs: dict[tuple[str, str], list[dict[str, Any]]],
) -> list[str]:
    """Both targets scored on held-out data: the held-out loss of the configuration each run
    returns, for the methods whose runs recorded it."""

    def losses(p: str, m: str, b: int) -> np.ndarray | None:
        found = [r.get("heldout", {}).get(str(b)) for r in runs.get((p, m), [])]
        if not found or any(x is None for x in found):
            return None
        return np.array(found, dtype=float)

    with_data = [p for p in problems if losses(p, NO_PRUNING, budget[p]) is not None]
    if not with_data:
        return []
    lines = [
        "### Both targets on held-out data",
        "",
        "Each run scored by the held-out loss of the configuration it returns (its best "
        "completed trial on the validation data) instead of that trial's validation loss.  The "
        "validation loss of the best of many trials is biased low by the choice, the more so "
        "the more trials a run completes, so it favours runs that complete many (no pruning); "
        "held-out data no run has seen is not.  (b): the run at B/3 minus no pruning at B, "
        "paired over seeds, ✓ when at most one s.e.; (a): at B, minus Optuna's best pruner "
        "on held-out data, ✓ when lower.  Methods whose runs did not record held-out losses "
        "are left out.",
        "",
    ]
    for p in with_data:
        B = budget[p]
        base = losses(p, NO_PRUNING, B)
        assert base is not None
        rivals = [
            (float(x.mean()), m)
            for m in OPTUNA_PRUNED
            if m in methods and (x := losses(p, m, B)) is not None
        ]
        rival = min(rivals)[1] if rivals else None
        lines += [
            f"{p} ({len(base)} seeds; Optuna's best pruner on held-out data: {rival or 'not run'}):",
            "",
            "| method | held-out at B | at B/3 | (b) B/3 - no pruning at B | (a) B - Optuna's best "
            "| (b) with GP: B/3 - GP without pruning at B |",
            "|---|---|---|---|---|---|",
        ]
        r_full = losses(p, rival, B) if rival else None
        gp_base = losses(p, GP_NO_PRUNING, B)
        for m in methods:
            third, full = losses(p, m, B // 3), losses(p, m, B)
            if third is None or full is None or len(third) != len(base):
                continue
            (f_mean, f_se), (t_mean, t_se) = _mean_se(full), _mean_se(third)
            cells = [f"{_fmt(f_mean)} ± {_fmt(f_se)}", f"{_fmt(t_mean)} ± {_fmt(t_se)}", ""]
            if m.startswith("optuna"):  # the targets are ours
                lines.append(f"| {m} | " + " | ".join(cells) + " |  |  |")
                continue
            gp_cell = ""
            if m.startswith("ours GP") and gp_base is not None and len(gp_base) == len(third):
                g_mean, g_se = _mean_se(third - gp_base)
                ok = g_mean <= (g_se if math.isfinite(g_se) else 0.0)
                gp_cell = f"{g_mean:+.3g} ± {_fmt(g_se)}{' ✓' if ok else ''}"
            d_mean, d_se = _mean_se(third - base)
            ok = d_mean <= (d_se if math.isfinite(d_se) else 0.0)
            cells[2] = f"{d_mean:+.3g} ± {_fmt(d_se)}{' ✓' if ok else ''}"
            if r_full is not None:
                r_mean, r_se = _mean_se(r_full)
                diff = f_mean - r_mean
                cells.append(
                    f"{diff:+.3g} ± {_fmt(math.hypot(f_se, r_se))}{' ✓' if diff < 0 else ''}"
                )
            else:
                cells.append("")
            lines.append(f"| {m} | " + " | ".join([*cells, gp_cell]) + " |")
        lines.append("")
    return lines


RUNGS = (1, 3, 9)
"""The rungs of ``SuccessiveHalving(max_steps=27)`` before the last step."""


#: Started-trial counts at which ``by_started_trials`` compares GP with TPE.
STARTED = (30, 64, 100, 150, 192, 300)


def best_of_first(trials: Sequence[TrialLog], n: int) -> float:
    """The best final loss among the completed trials of the first ``n`` started (NaN if
    none completed): what ``optimize(..., max_evals=n)`` with a pruner returns."""
    finals = [t["values"][-1] for t in trials[:n] if t["state"] == "complete"]
    return float(min(finals)) if finals else math.nan


def by_started_trials(
    problems: Sequence[str], runs: dict[tuple[str, str], list[dict[str, Any]]]
) -> list[str]:
    """Our GP against our TPE with the same pruner, at equal numbers of trials *started*:
    with a pruner, ``max_evals`` counts started trials, and this is what chose the default
    algorithm's threshold for pruned studies (``GP_UP_TO_PRUNED``)."""
    pairs = [
        (m, "ours GP" + m.removeprefix("ours"))
        for m in [NO_PRUNING, *OURS_PRUNED]
        if not m.startswith("ours GP") and ("ours GP" + m.removeprefix("ours")) in METHODS
    ]
    rows = []
    for p in problems:
        for tpe, gp in pairs:
            if (p, tpe) not in runs or (p, gp) not in runs:
                continue
            by_seed = {int(r["seed"]): r["trials"] for r in runs[p, gp]}
            cells = []
            for n in STARTED:
                diffs = np.array(
                    [
                        best_of_first(by_seed[int(r["seed"])], n) - best_of_first(r["trials"], n)
                        for r in runs[p, tpe]
                        if int(r["seed"]) in by_seed
                        and min(len(r["trials"]), len(by_seed[int(r["seed"])])) >= n
                    ]
                )
                diffs = diffs[np.isfinite(diffs)]
                if len(diffs) < 5:
                    cells.append("")
                    continue
                mean, se = _mean_se(diffs)
                mean = 0.0 if abs(mean) < 1e-12 else mean  # equal runs, up to rounding
                cells.append(f"{mean:+.3g} ± {se:.2g} ({len(diffs)})")
            pruner = tpe.removeprefix("ours, ").removeprefix("ours + ")
            rows.append(f"| {p} | {pruner} | " + " | ".join(cells) + " |")
    if not rows:
        return []
    return [
        "### GP against TPE, by trials started",
        "",
        "With a pruner, `max_evals` counts the trials started.  Our GP minus our TPE with the "
        "same pruner: the best final loss among the completed trials of the first N started, "
        "paired by seed over the seeds whose two runs both started N trials within B "
        "(their number in brackets; blank: fewer than 5); negative: GP better.",
        "",
        "| problem | pruner | " + " | ".join(f"N = {n}" for n in STARTED) + " |",
        "|---|---|" + "---|" * len(STARTED),
        *rows,
        "",
    ]


def early_values(
    problems: Sequence[str], runs: dict[tuple[str, str], list[dict[str, Any]]]
) -> list[str]:
    """How well a curve's best value up to each rung ranks the final losses, on the complete
    curves of the runs without pruning: what any pruner has to go on."""
    if not any((p, NO_PRUNING) in runs for p in problems):
        return []
    from scipy.stats import spearmanr

    lines = [
        "### What the early values say",
        "",
        "From the complete curves of our runs without pruning (every seed pooled): the rank "
        "correlation (Spearman) of a trial's best value up to a rung with its final loss, and "
        "where the best tenth of the final losses stand at that rung (their percentile among "
        "all curves there, mean and worst; a pruner that keeps the best third stops every "
        "curve beyond the 33rd percentile).",
        "",
        "| problem | curves | "
        + " | ".join(f"step {r}: correlation, best tenth at (mean / worst)" for r in RUNGS)
        + " |",
        "|---|---|" + "---|" * len(RUNGS),
    ]
    for p in problems:
        curves = [
            t["values"]
            for r in runs.get((p, NO_PRUNING), [])
            for t in r["trials"]
            if t["state"] == "complete"
        ]
        if len(curves) < 10:
            continue
        values = np.array(curves, dtype=float)
        final = values[:, -1]
        best = np.minimum.accumulate(values, axis=1)
        top = final <= np.quantile(final, 0.1)
        cells = []
        for rung in RUNGS:
            at = best[:, rung - 1]
            percentile = 100 * (np.argsort(np.argsort(at)) + 0.5) / len(at)
            rho = float(spearmanr(at, final).statistic)
            cells.append(f"{rho:.2f}, {percentile[top].mean():.0f} / {percentile[top].max():.0f}")
        lines.append(f"| {p} | {len(curves)} | " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for name in ("typedspace", "optuna", "scikit-learn", "numpy", "scipy"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "unknown"
    return found


def header(command: str, wall: float, load_before: str) -> str:
    libs = ", ".join(f"{k} {v}" for k, v in versions().items())
    return "\n".join(
        [
            "# Pruning at equal total steps (issue 14)",
            "",
            f"`{command}`",
            "",
            f"- date: {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"- machine: {os.cpu_count()} CPUs (nproc), {cpu_model()}, {platform.platform()}; "
            f"shared: load average {load_before} before, {load_average()} after",
            f"- git commit: {git_commit()} (plus uncommitted changes, if any)",
            f"- libraries: {libs}",
            f"- one process, BLAS limited to one thread; wall time {wall / 60:.1f} min",
            "",
            "How to read it: every trial's curve is walked step by step and reported; the "
            "budget B counts steps over all trials (the trial running when it is spent is cut "
            "and does not complete); the score is the best *final* loss among the completed "
            "trials.  The column at B/3 is the same runs' score after their first B/3 steps "
            "(the runs are deterministic, so it is what a run with budget B/3 gives).  See "
            "the docstring of `benchmarks/bench_pruning.py` for the problems and settings.",
            "",
            "",
        ]
    )


def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seeds", type=int, default=10, help="N seeds (default 10)")
    parser.add_argument(
        "--slow-seeds",
        type=int,
        default=5,
        help=f"seeds for the scikit-learn problems, {' and '.join(SLOW)} (default 5)",
    )
    parser.add_argument("--first-seed", type=int, default=0, help="seeds start here (default 0)")
    parser.add_argument(
        "--full-trials", type=int, default=60, help="budget B = this many full curves (60)"
    )
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS), choices=list(PROBLEMS))
    parser.add_argument("--methods", nargs="+", default=DEFAULT_METHODS, choices=list(METHODS))
    parser.add_argument(
        "--out",
        default=str(HERE / "RESULTS-pruning.md"),
        help="the markdown report; raw runs go to benchmarks/out/<its stem>.json",
    )
    parser.add_argument(
        "--tables", metavar="JSON", help="only rewrite the report from an earlier run's JSON"
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.tables:
        saved = json.loads(Path(args.tables).read_text())
        md = header(saved["command"], saved["wall"], saved["load"]) + tables(saved["runs"])
        out.write_text(md)
        return md

    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
    load_before = load_average()
    command = ".venv/bin/python benchmarks/bench_pruning.py " + shlex.join(
        sys.argv[1:] if argv is None else list(argv)
    )
    first = args.first_seed
    seeds = {
        p: list(range(first, first + (args.slow_seeds if p in SLOW else args.seeds)))
        for p in args.problems
    }
    start = time.perf_counter()
    # The slow problem last: the quick ones' tables are worth having if it is interrupted.
    order = sorted(args.problems, key=lambda p: p == "mlp_digits")
    results = run(order, args.methods, seeds, args.full_trials)
    wall = time.perf_counter() - start
    OUT.mkdir(exist_ok=True)
    raw: dict[str, Any] = {
        "command": command.strip(),
        "wall": wall,
        "load": load_before,
        "runs": results,
    }
    (OUT / f"{out.stem}.json").write_text(json.dumps(raw))
    md = header(raw["command"], wall, load_before) + tables(results)
    out.write_text(md)
    return md


if __name__ == "__main__":
    print(main())
