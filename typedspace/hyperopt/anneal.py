"""Hyperopt's ``anneal`` module: ``suggest`` to pass as ``fmin(..., algo=anneal.suggest)`` (see
``typedspace.hyperopt._algos`` for the algorithm it runs)."""

from typedspace.hyperopt._algos import anneal_suggest as suggest

__all__ = ["suggest"]
