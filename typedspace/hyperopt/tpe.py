"""Hyperopt's ``tpe`` module: ``suggest`` to pass as ``fmin(..., algo=tpe.suggest)`` (see
``typedspace.hyperopt._algos`` for the algorithm it runs)."""

from typedspace.hyperopt._algos import tpe_suggest as suggest

__all__ = ["suggest"]
