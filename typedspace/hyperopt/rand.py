"""Hyperopt's ``rand`` module: ``suggest`` to pass as ``fmin(..., algo=rand.suggest)`` (see
``typedspace.hyperopt._algos`` for the algorithm it runs)."""

from typedspace.hyperopt._algos import rand_suggest as suggest

__all__ = ["suggest"]
