"""The optimizers under comparison, each behind one function: run a problem, return the losses.

All of them see the same space (translated by ``problems``), the same objective and the same
seed, and run single-threaded in the calling process.  Settings are passed explicitly so the
comparison documents itself (see ``SETTINGS``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, cast

import numpy as np
from problems import Problem, to_hyperopt, to_optuna

import typedspace
from typedspace import optimize
from typedspace.algorithms import Algorithm, RandomSearch

Runner = Callable[[Problem, int, int], list[float]]
"""``runner(problem, seed, n_evals)`` -> the losses of the trials in evaluation order."""


def our_tpe() -> Algorithm | None:
    """typedspace's TPE with its defaults, or None while it does not exist yet."""
    from typedspace import algorithms

    tpe = getattr(algorithms, "TPE", None)
    return None if tpe is None else cast(Algorithm, tpe())


def run_typedspace(algo: Callable[[], Algorithm]) -> Runner:
    def run(problem: Problem, seed: int, n: int) -> list[float]:
        result = optimize(
            problem.objective, problem.space, algo(), max_evals=n, seed=seed, progress=False
        )
        return [t.loss if t.loss is not None else float("nan") for t in result.trials]

    return run


def run_hyperopt(problem: Problem, seed: int, n: int) -> list[float]:
    from hyperopt import Trials, fmin, tpe

    trials = Trials()
    fmin(
        problem.objective,
        to_hyperopt(problem.space),
        algo=tpe.suggest,
        max_evals=n,
        trials=trials,
        rstate=np.random.default_rng(seed),
        show_progressbar=False,
        verbose=False,
    )
    return [float(x) for x in trials.losses()]


def optuna_sampler(seed: int, multivariate: bool) -> Any:
    """Optuna's TPESampler with its defaults, except ``multivariate``, passed explicitly."""
    import optuna

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ExperimentalWarning in optuna < 5
        return optuna.samplers.TPESampler(seed=seed, multivariate=multivariate)


def run_optuna(multivariate: bool) -> Runner:
    def run(problem: Problem, seed: int, n: int) -> list[float]:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(sampler=optuna_sampler(seed, multivariate))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            study.optimize(lambda t: problem.objective(to_optuna(problem.space, t)), n_trials=n)
        return [float("nan") if t.value is None else float(t.value) for t in study.trials]

    return run


def _tpe_or_placeholder() -> Algorithm:
    algo = our_tpe()
    return algo if algo is not None else RandomSearch()


TPE_NAME = "typedspace TPE" if our_tpe() is not None else "typedspace TPE (placeholder: Random)"

OPTIMIZERS: dict[str, Runner] = {
    TPE_NAME: run_typedspace(_tpe_or_placeholder),
    "typedspace Random": run_typedspace(RandomSearch),
    "hyperopt TPE": run_hyperopt,
    "optuna TPE multivariate": run_optuna(True),
    "optuna TPE independent": run_optuna(False),
}
"""The compared optimizers, in table order."""


def versions() -> dict[str, str]:
    import hyperopt
    import optuna
    import scipy
    import sklearn

    return {
        "typedspace": typedspace.__dict__.get("__version__", _dist_version("typedspace")),
        "hyperopt": hyperopt.__version__,
        "optuna": optuna.__version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def settings() -> list[str]:
    """The settings of each optimizer, as markdown bullet points."""
    tpe = our_tpe()
    ours = (
        f"`{tpe!r}` (its defaults)"
        if tpe is not None
        else "**not available yet: the column runs RandomSearch as a placeholder**"
    )
    return [
        f"typedspace TPE: {ours}",
        "typedspace Random: `RandomSearch()`",
        "hyperopt TPE: `fmin(algo=tpe.suggest)` with its defaults (20 random start-up trials, "
        "24 EI candidates, gamma 0.25, prior weight 1), `rstate=np.random.default_rng(seed)`",
        "optuna TPE multivariate: `TPESampler(seed=seed, multivariate=True)` "
        "(the default for single-objective studies in Optuna 5; 10 start-up trials, "
        "24 EI candidates, group=False, constant_liar=True)",
        "optuna TPE independent: `TPESampler(seed=seed, multivariate=False)` (otherwise as above)",
    ]
