"""``tpe.suggest``, ``rand.suggest``, ``anneal.suggest``: names to pass as ``fmin``'s
``algo`` (alone or in a ``functools.partial``), resolved to typedspace's algorithms.

* ``tpe.suggest`` -> ``TPE(n_startup=20, prior_weight=5.0)``: our TPE with Hyperopt's 20
  random start-up trials, and a prior that weighs as much in the model of good trials as
  Hyperopt's does.  Hyperopt takes ``ceil(0.25 * sqrt(n))`` trials as good (3 of 100), ours
  ``0.10 * n`` up to 25 (10 of 100), so with Hyperopt's prior weight of 1 our candidates
  would explore far less: on Hyperopt's distractor domain (a narrow spike away from a long
  slope) our default TPE missed the spike in 3 runs of 10, Hyperopt in none.  Weights 10/3
  (Hyperopt's 25 % share of the good model at 100 trials), 4 and 5 were tried on Hyperopt's
  test domains (benchmarks/bench_hyperopt_compat.py, tuning seeds 0-9); 5 was the smallest
  that found the spike in every run, and it was no worse than the others elsewhere.
  Keywords: ``n_startup_jobs`` is ``n_startup``, ``n_EI_candidates`` is ``n_candidates``,
  ``prior_weight=p`` runs as ``5 * p`` (the same scaling), ``gamma`` is ``gamma`` (the
  fraction of trials taken as good: ours splits ``gamma * n``, capped at 25, where Hyperopt
  splits ``gamma * sqrt(n)``); ``linear_forgetting`` and ``verbose`` are accepted and have
  no effect.
* ``rand.suggest`` -> ``RandomSearch``.
* ``anneal.suggest`` -> the TPE of ``tpe.suggest``: annealing samples around the best trials
  found so far with a shrinking width; TPE also proposes around the good trials (with a
  model of good against bad ones), and is our closest algorithm.  ``avg_best_idx`` and
  ``shrink_coef`` are accepted and have no effect.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from typedspace.algorithms import TPE, Algorithm, RandomSearch

__all__ = ["Suggest", "anneal_suggest", "rand_suggest", "resolve_algo", "tpe_suggest"]


class Suggest:
    """A Hyperopt search algorithm's ``suggest``: pass it to ``fmin`` as ``algo``.

    >>> from typedspace.hyperopt import tpe
    >>> import functools
    >>> resolve_algo(functools.partial(tpe.suggest, n_startup_jobs=5)).n_startup
    5
    """

    def __init__(
        self,
        module: str,
        build: Callable[[Mapping[str, Any]], Algorithm],
        keywords: frozenset[str],
    ) -> None:
        self.module = module
        self.build = build
        self.keywords = keywords
        self.__name__ = "suggest"
        self.__qualname__ = "suggest"

    def __repr__(self) -> str:
        return f"<typedspace.hyperopt.{self.module}.suggest>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            f"{self.module}.suggest is not called directly in typedspace.hyperopt: pass it to "
            f"fmin as algo={self.module}.suggest (or functools.partial({self.module}.suggest, "
            "...)); to own the loop, use typedspace.Optimizer's ask/tell"
        )


#: Our prior weight for Hyperopt's 1.0 (see the module's docstring).
PRIOR_SCALE = 5.0
#: Hyperopt's ``n_startup_jobs`` default.
HYPEROPT_STARTUP = 20


def _tpe(options: Mapping[str, Any]) -> Algorithm:
    settings: dict[str, Any] = {
        "n_startup": options.get("n_startup_jobs", HYPEROPT_STARTUP),
        "prior_weight": PRIOR_SCALE * options.get("prior_weight", 1.0),
    }
    if "n_EI_candidates" in options:
        settings["n_candidates"] = options["n_EI_candidates"]
    if "gamma" in options:
        settings["gamma"] = options["gamma"]
    return TPE(**settings)


def _rand(options: Mapping[str, Any]) -> Algorithm:
    return RandomSearch()


def _anneal(options: Mapping[str, Any]) -> Algorithm:
    return _tpe({})


tpe_suggest = Suggest(
    "tpe",
    _tpe,
    frozenset(
        {
            "n_startup_jobs",
            "n_EI_candidates",
            "gamma",
            "prior_weight",
            "linear_forgetting",
            "verbose",
        }
    ),
)
rand_suggest = Suggest("rand", _rand, frozenset())
anneal_suggest = Suggest("anneal", _anneal, frozenset({"avg_best_idx", "shrink_coef"}))


def resolve_algo(algo: object) -> Algorithm:
    """The typedspace algorithm for ``fmin``'s ``algo``: a ``suggest`` above, a
    ``functools.partial`` of one with keywords, a typedspace algorithm, or None (the TPE of
    ``tpe.suggest``, Hyperopt's default)."""
    if algo is None:
        return _tpe({})
    if isinstance(algo, Algorithm):
        return algo
    keywords: dict[str, Any] = {}
    target = algo
    while isinstance(target, functools.partial):
        if target.args:
            raise TypeError(
                f"algo: a partial of suggest takes keywords only, got positional {target.args!r}"
            )
        keywords = {**target.keywords, **keywords}
        target = target.func
    if isinstance(target, Suggest):
        unknown = sorted(set(keywords) - target.keywords)
        if unknown:
            raise TypeError(
                f"algo: {target.module}.suggest takes no keyword {unknown[0]!r} in "
                f"typedspace.hyperopt (it takes: {', '.join(sorted(target.keywords)) or 'none'})"
            )
        return target.build(keywords)
    module = getattr(target, "__module__", "") or ""
    if module.startswith("hyperopt"):
        raise TypeError(
            f"algo: {module}.{getattr(target, '__name__', '?')} is Hyperopt's own; import the "
            "algorithms from typedspace.hyperopt (from typedspace.hyperopt import tpe, rand, "
            "anneal)"
        )
    raise TypeError(
        "algo must be tpe.suggest, rand.suggest or anneal.suggest from typedspace.hyperopt (or "
        f"a functools.partial of one), or a typedspace algorithm such as TPE(); got {algo!r}"
    )
